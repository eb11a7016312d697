/// Expiry settlement (docs/option-expiry.md): an option whose expiry has passed is settled to cash
/// on the first tick at which its underlying's mark is priceable, the account changed (option
/// removed, realised P&L on the margin-currency balance), valued afresh and its level machine run.
extension MarginEvaluator {
    /// An account as it was and as settlement left it: the owner stores `after` before it commits
    /// the level changes of the same event, and re-installs `before` if that store write fails.
    public struct SettledAccount: Sendable, Equatable {
        public var before: Account
        public var after: Account
    }

    /// Event: expiries due at `nowMs`. Runs inside `deadlineTick` and `sweepTick`, so the owner's
    /// per-cycle deadline tick settles an option within one poll cycle of its expiry; free until the
    /// earliest expiry of any option held (`nextExpiryMs`).
    public mutating func expiryTick(nowMs: Int64) -> Actions {
        var out = Actions()
        expiries(nowMs: nowMs, into: &out)
        return out
    }

    /// Settles what is due and evaluates the settled accounts (their notices carry the settlements).
    /// An option whose underlying has no priceable mark waits, listed in `awaitingSettlement`, and
    /// keeps the scan due on every tick until a priceable mark settles it.
    mutating func expiries(nowMs: Int64, into out: inout Actions) {
        guard let next = nextExpiryMs, nowMs >= next else { return }
        var nextAfter: Int64?
        var waiting: [String: String] = [:]
        var settledIds: [String] = []
        var records: [OptionSettlement] = []
        // Option accounts are never in the flat book, so `unslotted` lists every holder of an option.
        for id in unslotted.sorted() {
            guard let account = accounts[id], account.hasOptions else { continue }
            let (after, settlements, refused) = OptionSettlement.settle(account, nowMs: nowMs, currency: universe.currency) { pair in
                MarginModel.isPriceable(marks[pair]) ? marks[pair]?.price : nil
            }
            // Said once per reason (the scan repeats every tick while an option waits).
            for r in refused where awaitingSettlement[id] != r.reason { out.unpriced.append((r.account, r.reason)) }
            for p in after.positions {
                guard let o = p.option else { continue }
                if o.expiryMs > nowMs {
                    nextAfter = min(nextAfter ?? o.expiryMs, o.expiryMs)
                } else if waiting[id] == nil {
                    let why = refused.first { $0.option == o.venueName }?.reason
                        ?? "\(o.venueName) expired; waiting for a priceable \(o.underlying) mark to settle"
                    waiting[id] = why
                }
            }
            guard !settlements.isEmpty else { continue }
            // The settled account must be one the API would accept, or it is not installed.
            do {
                try AccountJSON.validate(after, universe: universe)
            } catch {
                let why = "settlement refused: the settled account is invalid (\(error)); the options stay"
                if awaitingSettlement[id] != why { out.unpriced.append((id, why)) }
                waiting[id] = why
                continue
            }
            install(after)
            out.settledAccounts.append(SettledAccount(before: account, after: after))
            records += settlements
            settledIds.append(id)
        }
        awaitingSettlement = waiting
        // Waiting options keep the scan due (each tick until their mark is priceable again).
        nextExpiryMs = waiting.isEmpty ? nextAfter : nowMs
        guard !settledIds.isEmpty else { return }
        out.settlements += records
        var evaluated = Actions()
        evaluate(settledIds, nowMs: nowMs, into: &evaluated)
        for i in evaluated.notices.indices {
            evaluated.notices[i].settlements = records.filter { $0.account == evaluated.notices[i].account }
        }
        out.merge(evaluated)
    }

    /// Keeps `nextExpiryMs` at or before every expiry of an option in `account`.
    mutating func noteExpiries(_ account: Account) {
        for p in account.positions {
            guard let e = p.option?.expiryMs else { continue }
            nextExpiryMs = min(nextExpiryMs ?? e, e)
        }
    }
}

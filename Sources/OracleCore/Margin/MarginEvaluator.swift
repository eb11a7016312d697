/// The margin trigger's decisions, without I/O or a clock: the book, the marks, the level machines
/// and the guards, as one value with one mutating method per event, each taking the time and
/// returning `MarginEvaluator.Actions` (notices to write with the valuation they used, level states
/// to persist, mass-call events, slow marks to persist, accounts found unpriced). The daemon's
/// `MarginDesk` only stores, delivers and renders what comes out; tests drive it directly.
///
/// Events (in `MarginEvaluator+Events.swift`):
/// - `marksUpdated`: new marks; re-evaluates the holders of the pairs that changed (through the
///   `SweepBook` screen), detects mass-call events, confirms pending moves (`MassCallGuard`),
///   feeds the slow marks.
/// - `sweepTick`: every account (screened), then `deadlineTick`.
/// - `deadlineTick`: open calls whose deadline passed.
/// - `put` / `remove` / `setHold` / `reconfigure` / `reevaluate`: book changes.
///
/// The `RiskSnapshot` is an input (`risk`), set by the owner before an event: it is built from
/// the stored history elsewhere. Rules: docs/margin-levels.md.
public struct MarginEvaluator: Sendable {
    /// An operator's hold: the account is valued but its level machine does not run.
    public struct Hold: Sendable, Equatable {
        public var reason: String
        public var by: Int64
        public var atMs: Int64

        public init(reason: String, by: Int64, atMs: Int64) {
            self.reason = reason
            self.by = by
            self.atMs = atMs
        }
    }

    public internal(set) var universe: MarginUniverse
    public internal(set) var model: MarginModel
    public internal(set) var accounts: [String: Account] = [:]
    public internal(set) var machines: [String: LevelMachine] = [:]
    public internal(set) var holds: [String: Hold] = [:]
    /// pair → accounts that need its mark.
    public internal(set) var byPair: [String: Set<String>] = [:]
    public internal(set) var marks: [String: Mark] = [:]
    public internal(set) var slowMarks: [String: SlowMark] = [:]
    /// The last full valuation of each account the level path evaluated (may lag for accounts the
    /// screen skipped: `value(_:)` values one afresh).
    public internal(set) var valuations: [String: Valuation] = [:]
    /// Accounts whose marks are all usable but whose valuation is not (non-finite figures, an asset
    /// without a pricing pair), with the reason: `unpriced`, counted in health, never a notice.
    public internal(set) var invalid: [String: String] = [:]
    public internal(set) var massCall: MassCallGuard
    /// All accounts in the flat layout of the sweep: the screen (see `screen`).
    public internal(set) var book: SweepBook
    public internal(set) var bookSlot: [String: Int] = [:]
    /// The portfolio model's input; nil under the standard model.
    public var risk: (any RiskSource)?
    /// Option valuation's σ (the daemon's `[[vol]]` surfaces as a `SurfaceVolatility`), set by the
    /// owner like `risk`; nil: accounts holding options are `unpriced`. After changing it, send
    /// `volatilityUpdated` so the option accounts are valued on it.
    public var volatility: (any VolatilityLookup & Sendable)?
    /// The latest event time seen (Unix ms): the clock of option valuation for queries that do not
    /// pass one (an option's value depends on the time to expiry).
    public internal(set) var clockMs: Int64 = 0
    /// Off only in tests that compare the screened path with the unscreened one.
    public var screening = true

    // The screen's per-slot state (index = `bookSlot`), kept in flat arrays so that a mark update
    // touching two thirds of a large book does no string hashing per account.
    /// The quiet band of the slot's level machine (see `screen`).
    var slotBand: [QuietBand] = []
    /// The slot must be valued in full whatever its ratio (new, unpriced or invalid).
    var slotForce: [Bool] = []
    /// Deduplication of candidates within one update.
    var slotStamp: [UInt32] = []
    var stamp: UInt32 = 0
    /// Per book pair index: the slots of the accounts that need that pair (rebuilt after book changes).
    var pairSlots: [[Int32]] = []
    var pairSlotsDirty = true
    /// Accounts the flat book could not take (none after validation; kept for safety): always due.
    var unslotted: Set<String> = []

    // Counters for health and metrics.
    public internal(set) var screenedOut = 0
    public internal(set) var evaluations = 0
    public internal(set) var massCallEvents = 0
    public internal(set) var lastMassCallAtMs: Int64?
    /// No open call's deadline is before this (Unix ms; nil: none known). Lowered whenever a machine
    /// enters a call or is restored, recomputed exactly by each deadline scan, so `deadlineTick` can
    /// run on every poll cycle and cost nothing until a deadline is due.
    var nextDeadlineMs: Int64?
    /// No unsettled option's expiry is before this (Unix ms; nil: no option held). Lowered by
    /// `install`, recomputed by each expiry scan (`MarginEvaluator+Expiry.swift`).
    public internal(set) var nextExpiryMs: Int64?
    /// Accounts holding an expired option that could not settle yet (no priceable mark), with why.
    public internal(set) var awaitingSettlement: [String: String] = [:]

    public init(universe: MarginUniverse) {
        self.universe = universe
        self.model = MarginModel(universe: universe)
        self.book = SweepBook(universe: universe)
        self.massCall = MassCallGuard(share: universe.policy.massCallShare)
    }

    public var policy: MarginPolicy { universe.policy }

    // MARK: restoring state (start-up, failed commit)

    /// Level states (and holds) as stored; accounts must be installed first for their thresholds.
    public mutating func restore(levels: [(account: String, state: LevelMachine.State, hold: Hold?)]) {
        for l in levels {
            let m = LevelMachine(thresholds: thresholds(for: l.account), state: l.state)
            machines[l.account] = m
            holds[l.account] = l.hold
            noteDeadline(m.state)
            if let slot = bookSlot[l.account] { slotBand[slot] = m.quietBand }
        }
    }

    /// Slow marks as persisted; re-windowed if the configured window changed since.
    public mutating func restore(slowMarks stored: [String: SlowMark]) {
        for (pair, s) in stored where universe.pairs[pair] != nil {
            slowMarks[pair] = SlowMark(windowMs: policy.slowMarkWindowMs, value: s.value, lastUpdateMs: s.lastUpdateMs)
        }
    }

    /// For pairs without a persisted slow mark: rebuilds one from stored history (oldest first), so
    /// that the first print after a restart is weighed against the past, not taken as the slow mark.
    public mutating func rebuildSlowMark(pair: String, history points: [(tsMs: Int64, price: Double)]) {
        guard slowMarks[pair] == nil, universe.pairs[pair] != nil, !points.isEmpty else { return }
        var s = SlowMark(windowMs: policy.slowMarkWindowMs)
        for p in points.sorted(by: { $0.tsMs < $1.tsMs }) { s.update(price: p.price, atMs: p.tsMs) }
        slowMarks[pair] = s
    }

    // MARK: the book

    func thresholds(for id: String) -> LevelThresholds {
        LevelThresholds(policy: policy, overrides: accounts[id]?.thresholds)
    }

    /// Adds or replaces an account without evaluating it (start-up); `put` evaluates.
    public mutating func install(_ account: Account) {
        let oldPairs = accounts[account.id]?.pairsNeeded(in: universe) ?? []
        for p in oldPairs { byPair[p]?.remove(account.id) }
        accounts[account.id] = account
        noteExpiries(account)
        let newPairs = account.pairsNeeded(in: universe)
        for p in newPairs { byPair[p, default: []].insert(account.id) }
        let oldSlot = bookSlot[account.id]
        if let slot = oldSlot {
            bookSlot[account.id] = book.replace(at: slot, with: account)
            // An account the flat book no longer takes (it now holds an option) leaves its old slot.
            if bookSlot[account.id] == nil { book.remove(at: slot) }
        } else {
            bookSlot[account.id] = book.append(account)
        }
        let t = LevelThresholds(policy: policy, overrides: account.thresholds)
        var m = machines[account.id] ?? LevelMachine(thresholds: t)
        m.thresholds = t
        machines[account.id] = m
        if let slot = bookSlot[account.id], !pairSlotsDirty {
            updatePairSlots(slot: Int32(slot), moved: slot != oldSlot, old: oldPairs, new: newPairs)
        }
        if let slot = bookSlot[account.id] {
            unslotted.remove(account.id)
            growSlots(to: book.count)
            slotBand[slot] = m.quietBand
            slotForce[slot] = true
        } else {
            unslotted.insert(account.id)
        }
        if let old = oldSlot, bookSlot[account.id] != old { compactBookIfSparse() } // it outgrew its slot
    }

    mutating func growSlots(to n: Int) {
        guard slotBand.count < n else { return }
        let extra = n - slotBand.count
        slotBand += repeatElement(QuietBand(low: 0, high: 0, highNeedsInitial: false), count: extra)
        slotForce += repeatElement(true, count: extra)
        slotStamp += repeatElement(0, count: extra)
    }

    /// Keeps the per-pair slot lists current for one account: a new slot (appended, so the largest)
    /// joins its pairs' lists at the end; a slot replaced in place leaves the pairs it no longer
    /// needs and joins the new ones in order. Retired slots stay listed and are skipped as inactive.
    mutating func updatePairSlots(slot: Int32, moved: Bool, old: [String], new: [String]) {
        func index(_ p: String) -> Int? { book.pairIndex[p].map { Int($0) } }
        if moved {
            for p in new { if let i = index(p) { pairSlots[i].append(slot) } }
            return
        }
        for p in old where !new.contains(p) {
            if let i = index(p), let k = pairSlots[i].firstIndex(of: slot) { pairSlots[i].remove(at: k) }
        }
        for p in new where !old.contains(p) {
            guard let i = index(p) else { continue }
            let k = pairSlots[i].firstIndex { $0 > slot } ?? pairSlots[i].count
            if k == 0 || pairSlots[i][k - 1] != slot { pairSlots[i].insert(slot, at: k) }
        }
    }

    /// Per pair, the slots of its holders, from scratch (start-up, reload).
    mutating func rebuildPairSlots() {
        var out = [[Int32]](repeating: [], count: book.pairs.count)
        for (id, account) in accounts {
            guard let slot = bookSlot[id] else { continue }
            for p in account.pairsNeeded(in: universe) {
                if let i = book.pairIndex[p] { out[Int(i)].append(Int32(slot)) }
            }
        }
        // Ascending slots: the screen then walks the flat book forwards (prefetch-friendly).
        for i in out.indices { out[i].sort() }
        pairSlots = out
        pairSlotsDirty = false
    }

    /// Event: accounts created or changed (a deposit can cure at once). Validated by the caller.
    public mutating func put(_ list: [Account], nowMs: Int64) -> Actions {
        for a in list { install(a) }
        var out = Actions()
        evaluate(list.map(\.id), nowMs: nowMs, into: &out)
        return out
    }

    /// Event: an account deleted. Returns its notice counter, which the owner keeps durable so a
    /// re-created account never reuses a notice id; nil when there was no such account.
    public mutating func remove(_ id: String) -> UInt64? {
        guard let old = accounts.removeValue(forKey: id) else { return nil }
        for p in old.pairsNeeded(in: universe) { byPair[p]?.remove(id) }
        valuations[id] = nil
        invalid[id] = nil
        awaitingSettlement[id] = nil
        if let slot = bookSlot.removeValue(forKey: id) { book.remove(at: slot) }   // stays listed, inactive
        unslotted.remove(id)
        machines[id]?.reset()
        compactBookIfSparse()
        return machines[id]?.state.noticeSeq
    }

    /// An account this node no longer evaluates (its cluster shard moved to another node): gone with
    /// its machine and hold, unlike `remove`, which keeps the notice counter of a deleted account.
    /// The new owner loads all of it from the shared store.
    public mutating func forget(_ id: String) {
        _ = remove(id)
        machines[id] = nil
        holds[id] = nil
    }

    /// Reclaims the book's retired slots once they reach the live ones (`SweepBook.compact`), with
    /// the per-slot screen state moved along: API churn (accounts deleted and created again) must
    /// not grow memory while the set of accounts stays the same. Amortised O(1) per removal.
    mutating func compactBookIfSparse() {
        guard book.count >= 64, book.count - bookSlot.count >= bookSlot.count else { return }
        let map = book.compact()
        var band = [QuietBand](repeating: QuietBand(low: 0, high: 0, highNeedsInitial: false), count: book.count)
        var force = [Bool](repeating: true, count: book.count)
        for (old, new) in map.enumerated() where new >= 0 && old < slotBand.count {
            band[new] = slotBand[old]
            force[new] = slotForce[old]
        }
        slotBand = band
        slotForce = force
        slotStamp = [UInt32](repeating: 0, count: book.count)
        stamp = 0
        for (id, slot) in bookSlot { bookSlot[id] = map[slot] }
        pairSlotsDirty = true
    }

    /// Event: a hold set (nil: released, and the account is evaluated at once).
    public mutating func setHold(_ id: String, _ hold: Hold?, nowMs: Int64) -> Actions {
        holds[id] = hold
        var out = Actions()
        if hold == nil { evaluate([id], nowMs: nowMs, into: &out) }
        return out
    }

    /// Event: a reload (new thresholds, pairs, haircuts). Accounts are re-validated; machines keep
    /// their state. Returns the actions and the accounts no longer valid (not evaluated until fixed).
    public mutating func reconfigure(_ newUniverse: MarginUniverse, nowMs: Int64) -> (Actions, invalidAccounts: [(String, AccountError)]) {
        universe = newUniverse
        model = MarginModel(universe: newUniverse)
        massCall.share = newUniverse.policy.massCallShare
        massCall.retain(pairs: Set(newUniverse.pairs.keys))
        let current = accounts.values.sorted { $0.id < $1.id }
        byPair = [:]
        accounts = [:]
        book = SweepBook(universe: newUniverse)
        bookSlot = [:]
        invalid = [:]
        slotBand = []
        slotForce = []
        slotStamp = []
        unslotted = []
        pairSlotsDirty = true
        var rejected: [(String, AccountError)] = []
        for a in current {
            do {
                try AccountJSON.validate(a, universe: newUniverse)
                install(a)
            } catch {
                rejected.append((a.id, error))
            }
        }
        for (pair, s) in slowMarks where s.windowMs != newUniverse.policy.slowMarkWindowMs {
            slowMarks[pair] = SlowMark(windowMs: newUniverse.policy.slowMarkWindowMs, value: s.value, lastUpdateMs: s.lastUpdateMs)
        }
        var out = Actions()
        evaluate(current.map(\.id).filter { accounts[$0] != nil }, nowMs: nowMs, into: &out)
        return (out, rejected)
    }

    /// Event: accounts evaluated afresh, unscreened (after a history import changed the model).
    public mutating func reevaluate(_ ids: [String], nowMs: Int64) -> Actions {
        var out = Actions()
        evaluate(ids, nowMs: nowMs, into: &out)
        return out
    }

    // MARK: queries

    /// σ and the time for option valuation at `nowMs` (nil without a volatility source).
    public func optionMarket(nowMs: Int64? = nil) -> OptionMarket? {
        volatility.map { OptionMarket(volatility: $0, nowMs: nowMs ?? clockMs) }
    }

    /// The account valued afresh on the current marks (API, deadlines; cheap for one account).
    public func value(_ id: String, nowMs: Int64? = nil) -> Valuation? {
        guard let account = accounts[id] else { return nil }
        return model.value(account, marks: marks, risk: risk, options: optionMarket(nowMs: nowMs))
    }

    /// The account valued on other marks (what-if), optionally on other volatilities.
    public func value(_ id: String, marks other: [String: Mark], nowMs: Int64? = nil,
                      volatility: (any VolatilityLookup & Sendable)? = nil) -> Valuation? {
        guard let account = accounts[id] else { return nil }
        let market = (volatility ?? self.volatility).map { OptionMarket(volatility: $0, nowMs: nowMs ?? clockMs) }
        return model.value(account, marks: other, risk: risk, options: market)
    }

    /// Every mark the account needs is usable and its valuation is finite.
    public func isPriced(_ id: String) -> Bool {
        guard let account = accounts[id], invalid[id] == nil else { return false }
        return account.pairsNeeded(in: universe).allSatisfy { MarginModel.isPriceable(marks[$0]) }
    }

    /// Whether a pair the account needs has an unconfirmed mass-call move.
    public func isLiquidationBlocked(_ id: String) -> Bool {
        guard let account = accounts[id] else { return false }
        return !massCall.pending.isEmpty && account.pairsNeeded(in: universe).contains { massCall.isUnconfirmed($0) }
    }
}

extension MarginEvaluator {
    /// Keeps `nextDeadlineMs` at or before every open call's deadline.
    mutating func noteDeadline(_ state: LevelMachine.State) {
        guard state.level == .marginCall || state.level == .urgent, let d = state.deadlineMs else { return }
        nextDeadlineMs = min(nextDeadlineMs ?? d, d)
    }
}

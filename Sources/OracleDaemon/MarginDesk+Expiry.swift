import Foundation
import OracleCore
import OracleStore

extension MarginDesk {
    /// Stores the accounts expiry settlement changed, before the level changes and notices of the
    /// same event are committed (docs/option-expiry.md "Crash safety"), and logs each settlement.
    ///
    /// Order matters: the account write *is* the settlement. Stored first, a crash before the
    /// outbox commit leaves the settled account (no option, new balance) and the old level state:
    /// the restart values the settled account and never settles twice. If the write fails, the
    /// settlement is undone in memory (the options go back, the machines are re-read from the store)
    /// and nothing of the event is committed, so the next tick settles afresh. Returns false then.
    func storeSettled(_ a: MarginEvaluator.Actions, nowMs: Int64) -> Bool {
        guard !a.settledAccounts.isEmpty else { return true }
        do {
            try db.putAccounts(a.settledAccounts.map {
                StoredAccount(id: $0.after.id, json: AccountJSON.encode($0.after), updatedAtMs: nowMs, shard: shard(of: $0.after.id))
            })
        } catch {
            logger.critical("cannot store accounts settled at option expiry; the settlement is undone and retried on the next tick",
                            metadata: ["accounts": "\(a.settledAccounts.count)", "error": "\(error)"])
            for s in a.settledAccounts { evaluator.install(s.before) }
            reloadMachines()
            return false
        }
        for s in a.settlements {
            logger.notice("option settled at expiry", metadata: [
                "account": "\(s.account)", "option": "\(s.name)", "quantity": "\(DecimalText.format(s.quantity))",
                "method": "\(s.method)", "settlement_price": "\(DecimalText.format(s.settlementPrice))",
                "intrinsic": "\(DecimalText.format(s.intrinsic))", "cash": "\(DecimalText.format(s.cash))",
                "balance": "\(DecimalText.format(s.balanceAfter))", "currency": "\(universe.currency)"])
            syslog.log(.notice, "account \(s.account) \(s.syslogText(currency: universe.currency))")
        }
        return true
    }
}

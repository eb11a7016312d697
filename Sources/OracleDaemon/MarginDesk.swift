import Foundation
import Logging
import OracleCore
import OracleStore
import OracleSystem

/// The margin trigger: accounts, their level machines, and the path from a mark update to a durable notice.
///
/// One actor owns everything that changes on a mark update, so an evaluation sees one consistent set of
/// marks and accounts. A notice is durable in two steps: its level change and the notice are committed to
/// SQLite in one transaction (the outbox), then the outbox is delivered to the spool; a crash between the
/// two is repaired at start-up by redelivering the outbox, and the spool writer skips what it already has.
public actor MarginDesk {
    struct Held: Sendable {
        var reason: String
        var by: Int64
        var atMs: Int64
    }

    let db: OracleDatabase
    let spoolDirectory: String
    /// Commit → spool → syslog, with its retry schedule and status (see `NoticeOutbox`).
    let outbox: NoticeOutbox
    let syslog: SyslogWriter
    let logger: Logger
    var universe: MarginUniverse
    var model: MarginModel
    var accounts: [String: Account] = [:]
    var machines: [String: LevelMachine] = [:]
    var holds: [String: Held] = [:]
    /// pair → accounts that need its mark: the incremental evaluation's index.
    var byPair: [String: Set<String>] = [:]
    var marks: [String: Mark] = [:]
    var slowMarks: [String: SlowMark] = [:]
    /// The last full valuation of each account evaluated by the level path (may lag for accounts the
    /// screen skipped: the API values accounts afresh through `currentValuation`).
    var valuations: [String: Valuation] = [:]
    /// All accounts in the flat layout of the sweep benchmark: the screen that lets a sweep or a mark
    /// update run the full valuation and level machine only for accounts that could leave their level's
    /// quiet band (standard model; the portfolio model values every affected account in full).
    var book: SweepBook
    var bookSlot: [String: Int] = [:]
    /// Off only in tests that compare the screened path with the unscreened one.
    var screening = true
    var screenedOut = 0
    var history: MarkHistory
    var risk: RiskBook?
    /// The live VaR back-test (MarginDesk+Calibration.swift).
    var calibration: CalibrationMonitor
    var lastHistorySlot: [String: Int64] = [:]
    var noticesWritten = 0
    var massCallEvents = 0
    var lastMassCallAtMs: Int64?
    var sweepCorrections = 0
    var sweeps = 0
    var evaluations = 0

    public init(db: OracleDatabase, spoolDirectory: String, syslog: SyslogWriter, universe: MarginUniverse, logger: Logger) async throws {
        self.db = db
        self.spoolDirectory = spoolDirectory
        self.syslog = syslog
        self.logger = logger
        self.universe = universe
        self.model = MarginModel(universe: universe)
        self.book = SweepBook(universe: universe)
        self.history = MarkHistory(intervalMs: universe.policy.historyIntervalMs, capacity: 2_000, dailyCapacity: universe.policy.historyDays)
        self.calibration = CalibrationMonitor(policy: universe.policy)
        self.outbox = NoticeOutbox(db: db, directory: spoolDirectory, syslog: syslog, logger: logger)
        try loadState()
    }

    /// Accounts, level states and history from SQLite (start-up and after a restart).
    private func loadState() throws {
        for stored in try db.allAccounts() {
            do {
                let account = try AccountJSON.decode(stored.json, universe: universe)
                install(account)
            } catch {
                // The configuration changed under a stored account (a pair removed): keep it stored, say so.
                logger.error("stored account no longer valid under this configuration; fix it with PUT or remove the pair from it",
                             metadata: ["account": "\(stored.id)", "error": "\(error)"])
            }
        }
        for level in try db.levels() {
            let state = LevelMachine.State(level: MarginLevel(rawValue: level.level) ?? .none, sinceMs: level.sinceMs,
                                           deadlineMs: level.deadlineMs, noticeSeq: UInt64(max(0, level.transitionSeq)))
            let overrides = accounts[level.account]?.thresholds
            machines[level.account] = LevelMachine(thresholds: LevelThresholds(policy: universe.policy, overrides: overrides), state: state)
            if let reason = level.holdReason { holds[level.account] = Held(reason: reason, by: level.holdBy ?? 0, atMs: level.holdAtMs ?? 0) }
        }
        try loadHistory()
    }

    func install(_ account: Account) {
        if let old = accounts[account.id] {
            for p in old.pairsNeeded(in: universe) { byPair[p]?.remove(old.id) }
        }
        accounts[account.id] = account
        for p in account.pairsNeeded(in: universe) { byPair[p, default: []].insert(account.id) }
        if let slot = bookSlot[account.id] {
            bookSlot[account.id] = book.replace(at: slot, with: account)
            compactBookIfSparse() // a bigger account retires its old slot
        } else {
            bookSlot[account.id] = book.append(account)
        }
        let thresholds = LevelThresholds(policy: universe.policy, overrides: account.thresholds)
        if var m = machines[account.id] {
            m.thresholds = thresholds
            machines[account.id] = m
        } else {
            machines[account.id] = LevelMachine(thresholds: thresholds)
        }
    }

    func uninstall(_ id: String) {
        guard let old = accounts.removeValue(forKey: id) else { return }
        for p in old.pairsNeeded(in: universe) { byPair[p]?.remove(id) }
        valuations[id] = nil
        if let slot = bookSlot.removeValue(forKey: id) { book.remove(at: slot) }
        machines[id]?.reset()
        compactBookIfSparse()
    }

    /// Reclaims the book's retired slots once they reach the live ones (see `SweepBook.compact`):
    /// API churn (delete, re-create) must not grow memory while the set of accounts stays the same.
    func compactBookIfSparse() {
        guard book.count >= 64, book.count - bookSlot.count >= bookSlot.count else { return }
        let map = book.compact()
        for (id, slot) in bookSlot { bookSlot[id] = map[slot] }
    }

    /// A reload: new thresholds, pairs, haircuts. Accounts are re-validated; machines keep their state.
    public func reconfigure(_ newUniverse: MarginUniverse, nowMs: Int64) {
        universe = newUniverse
        model = MarginModel(universe: newUniverse)
        let current = Array(accounts.values)
        byPair = [:]
        accounts = [:]
        book = SweepBook(universe: newUniverse)
        bookSlot = [:]
        for a in current {
            do {
                try AccountJSON.validate(a, universe: newUniverse)
                install(a)
            } catch {
                logger.error("account invalid under the reloaded configuration; it is not evaluated until fixed",
                             metadata: ["account": "\(a.id)", "error": "\(error)"])
            }
        }
        refreshRisk() // after the accounts are re-installed: their pair sets key the snapshots
        evaluate(Array(accounts.keys), nowMs: nowMs, sweep: false)
    }

    // MARK: mark updates

    /// A new set of marks from the poll loop: re-evaluate only the accounts holding a pair whose mark changed.
    public func onMarks(_ new: [String: Mark], nowMs: Int64) {
        var changed: Set<String> = []
        for (pair, mark) in new {
            let old = marks[pair]
            if old?.seq != mark.seq || old?.status != mark.status || old?.price != mark.price {
                changed.insert(pair)
                if MarginModel.isPriceable(mark), let p = mark.price, old?.seq != mark.seq {
                    slowMarks[pair, default: SlowMark(windowMs: universe.policy.slowMarkWindowMs)].update(price: p, atMs: mark.updatedAtMs ?? nowMs)
                    recordHistory(pair: pair, price: p, atMs: mark.updatedAtMs ?? nowMs)
                }
            }
            marks[pair] = mark
        }
        guard !changed.isEmpty else { return }
        var affected: Set<String> = []
        for pair in changed { affected.formUnion(byPair[pair] ?? []) }
        evaluate(screen(Array(affected)), nowMs: nowMs, sweep: false)
    }

    /// Of `ids`, the accounts whose level machine could act on the current marks: the flat book gives
    /// each account's standard-model ratio in nanoseconds, and an account whose ratio stays inside its
    /// level's quiet band (`LevelMachine.quietBand`, widened by 0.1 % for rounding) cannot change level,
    /// so its full valuation is skipped. Call deadlines are handled by `checkDeadlines`, not here.
    func screen(_ ids: [String]) -> [String] {
        // The flat book knows no add-ons or tiered haircuts: with either configured its ratio can be too
        // high, so the screen could skip an account that crosses (see MarginUniverse.flatBookIsExact).
        guard screening, universe.policy.model == .standard, universe.flatBookIsExact, !ids.isEmpty else { return ids }
        let prices = SweepPrices(marks: marks, book: book, priceSide: universe.policy.priceSide)
        let units = book.assetUnitValues(prices)
        var due: [String] = []
        due.reserveCapacity(ids.count / 8)
        for id in ids {
            guard let slot = bookSlot[id], let machine = machines[id] else {
                due.append(id)
                continue
            }
            book.reevaluate(slot, prices: prices, units: units)
            let r = book.ratio(slot)
            let band = machine.quietBand
            if r.isNaN || r < band.low * 1.001 || r >= band.high * 0.999 || valuations[id] == nil {
                due.append(id)
            } else {
                screenedOut += 1
            }
        }
        return due
    }

    /// Periodic full sweep: every account, plus call deadlines. It must agree with the incremental state:
    /// any notice it produces is one the incremental path missed, counted as a correction.
    public func sweep(nowMs: Int64) {
        sweeps += 1
        let produced = evaluate(screen(Array(accounts.keys)), nowMs: nowMs, sweep: true)
        if produced > 0 { sweepCorrections += produced }
        checkDeadlines(nowMs: nowMs)
        deliverPending()
    }

    /// Deadlines pass without a mark update too.
    func checkDeadlines(nowMs: Int64) {
        var levels: [StoredLevel] = []
        var notices: [StoredNotice] = []
        for (id, var m) in machines where m.state.deadlineMs.map({ $0 <= nowMs }) == true && holds[id] == nil {
            guard let v = currentValuation(id) else { continue }
            let action = m.deadlineReached(nowMs: nowMs, eligible: v.triggerEligible)
            machines[id] = m
            if case let .notify(level, deadline, flags) = action {
                let n = Notice(level: level, seq: m.state.noticeSeq, createdAtMs: nowMs, deadlineMs: deadline, flags: flags,
                               valuation: v, currency: universe.currency)
                notices.append(stored(n))
                levels.append(storedLevel(id, m, ratio: v.ratio))
            }
        }
        commit(levels: levels, notices: notices)
    }

    /// Values `ids` on the current marks and runs their level machines. Returns the number of notices queued.
    @discardableResult
    func evaluate(_ ids: [String], nowMs: Int64, sweep: Bool) -> Int {
        guard !ids.isEmpty else { return 0 }
        evaluations += ids.count
        let slow = slowMarkSet()
        var inputs: [(String, Valuation, LevelMachine.Input)] = []
        inputs.reserveCapacity(ids.count)
        var entering = 0
        for id in ids {
            guard let account = accounts[id], let machine = machines[id] else { continue }
            let v = model.value(account, marks: marks, risk: risk)
            valuations[id] = v
            guard v.priced else { continue }
            let slowRatio = model.value(account, marks: slow, risk: risk).ratio
            let input = LevelMachine.Input(ratio: v.ratio, slowRatio: slowRatio, equity: v.equity,
                                           initialRequirement: v.initialRequirement, eligible: v.triggerEligible)
            if v.triggerEligible, !machine.state.level.isCall,
               LevelMachine.rawLevel(ratio: v.ratio, slowRatio: slowRatio, thresholds: machine.thresholds).isCall {
                entering += 1
            }
            inputs.append((id, v, input))
        }
        // Mass call: one update pushing an unusual share of priced accounts into call at once is more
        // likely a bad mark than a market; flag it and let no liquidation follow until it is confirmed.
        let priced = max(1, accounts.count - valuations.values.lazy.filter { !$0.priced }.count)
        let massCall = !sweep && entering >= 3 && Double(entering) / Double(priced) >= universe.policy.massCallShare
        if massCall {
            massCallEvents += 1
            lastMassCallAtMs = nowMs
            logger.warning("mass-call event: one mark update moved many accounts into call; liquidation deferred",
                           metadata: ["accounts": "\(entering)", "priced": "\(priced)"])
            syslog.log(.warning, "mass-call event: \(entering) of \(priced) accounts entering call on one mark update; liquidations deferred")
        }
        var levels: [StoredLevel] = []
        var notices: [StoredNotice] = []
        for (id, v, var input) in inputs {
            guard holds[id] == nil, var m = machines[id] else { continue }
            input.massCall = massCall
            let before = m.state
            let action = m.markEvaluated(input, nowMs: nowMs)
            machines[id] = m
            if case let .notify(level, deadline, flags) = action {
                let n = Notice(level: level, seq: m.state.noticeSeq, createdAtMs: nowMs, deadlineMs: deadline, flags: flags,
                               valuation: v, currency: universe.currency)
                notices.append(stored(n))
            }
            if m.state != before { levels.append(storedLevel(id, m, ratio: v.ratio)) }
        }
        commit(levels: levels, notices: notices)
        return notices.count
    }

    /// The account valued afresh on the current marks (for the API and deadlines; cheap for one account).
    func currentValuation(_ id: String) -> Valuation? {
        guard let account = accounts[id] else { return nil }
        return model.value(account, marks: marks, risk: risk)
    }

    func slowMarkSet() -> [String: Mark] {
        var out = marks
        for (pair, s) in slowMarks {
            if let v = s.value, var m = out[pair] {
                m.price = v
                out[pair] = m
            }
        }
        return out
    }

    func stored(_ n: Notice) -> StoredNotice {
        StoredNotice(id: n.id, account: n.account, level: n.level.rawValue, createdAtMs: n.createdAtMs, json: n.jsonLine(), syslog: n.syslogLine())
    }

    func storedLevel(_ id: String, _ m: LevelMachine, ratio: Double) -> StoredLevel {
        let h = holds[id]
        return StoredLevel(account: id, level: m.state.level.rawValue, sinceMs: m.state.sinceMs ?? 0, deadlineMs: m.state.deadlineMs,
                           transitionSeq: Int64(m.state.noticeSeq), ratio: ratio.isFinite ? DecimalText.format(ratio, maxFractionDigits: 6) : nil,
                           holdReason: h?.reason, holdBy: h?.by, holdAtMs: h?.atMs)
    }

    /// Outbox first (level changes and notices in one transaction), then the spool.
    func commit(levels: [StoredLevel], notices: [StoredNotice]) {
        guard !levels.isEmpty || !notices.isEmpty else { return }
        guard outbox.commit(levels: levels, notices: notices) else {
            // The machines moved but nothing is durable: reload them from the store so the next
            // evaluation produces the same notices again instead of losing them.
            reloadMachines()
            return
        }
        noticesWritten += notices.count
        if !notices.isEmpty { deliverPending() }
    }

    func reloadMachines() {
        let levels: [StoredLevel]
        do { levels = try db.levels() } catch {
            // The database is unreadable too: keep the in-memory machines; the next commit retries and says so.
            logger.critical("cannot reload level state after a failed commit", metadata: ["error": "\(error)"])
            return
        }
        var stored: [String: LevelMachine.State] = [:]
        for l in levels {
            stored[l.account] = .init(level: MarginLevel(rawValue: l.level) ?? .none, sinceMs: l.sinceMs,
                                      deadlineMs: l.deadlineMs, noticeSeq: UInt64(max(0, l.transitionSeq)))
        }
        // Every machine, not only those with a stored row: an account that never had a committed
        // transition has no row, and must go back to the initial state, or the notice whose commit
        // failed would never be produced again.
        for id in machines.keys {
            machines[id] = LevelMachine(thresholds: machines[id]?.thresholds ?? LevelThresholds(policy: universe.policy),
                                        state: stored[id] ?? LevelMachine.State())
        }
    }

    /// Delivers the outbox to the spool, then syslog (see `NoticeOutbox`).
    public func deliverPending() {
        outbox.deliverPending()
    }

    /// A tick of the delivery retry schedule: cheap when nothing is deferred.
    public func retryDeferred() {
        outbox.retryIfDeferred()
    }
}

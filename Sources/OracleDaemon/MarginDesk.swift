import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleStore
import OracleOutbox
import OracleSystem

/// The margin trigger's wiring: the store, the outbox and the API around a `MarginEvaluator`, which
/// makes every decision (valuation, screen, level machines, mass-call guard, slow marks) without I/O.
///
/// One actor owns the evaluator, so an evaluation sees one consistent set of marks and accounts. A notice is durable in two steps: its level change and the notice are committed to
/// SQLite in one transaction (the outbox), then the outbox is delivered to the spool; a crash between the
/// two is repaired at start-up by redelivering the outbox, and the spool writer skips what it already has.
public actor MarginDesk {
    typealias Held = MarginEvaluator.Hold

    let db: any StateStore
    let spoolDirectory: String
    /// Commit → spool → syslog, with its retry schedule and status (see `NoticeOutbox`).
    let outbox: NoticeOutbox
    let syslog: SyslogWriter
    let logger: Logger
    /// Every decision: accounts, level machines, holds, marks, slow marks, screen, mass-call guard.
    var evaluator: MarginEvaluator
    var history: MarkHistory
    var risk: RiskBook?
    /// The latest volatility surface per `[[vol]]` underlying (option valuation; MarginDesk+Volatility.swift).
    var surfaces: [String: VolSurface] = [:]
    /// The live VaR back-test (MarginDesk+Calibration.swift).
    var calibration: CalibrationMonitor
    var lastHistorySlot: [String: Int64] = [:]
    /// This node's shards in a cluster; nil on a single node, which evaluates every account.
    var cluster: ShardOwnership?
    var clusterStats = ClusterDeskStats()
    /// A commit failed and so did re-reading the level state (the store was down, not just full):
    /// the machines hold transitions nothing recorded. No evaluation runs until they are re-read,
    /// or the notices those transitions owe would never be produced (found with PostgreSQL stopped).
    var machinesStale = false
    var noticesWritten = 0
    var sweepCorrections = 0
    var sweeps = 0

    // Read-only views of the evaluator for the API, health and the risk extension.
    var universe: MarginUniverse { evaluator.universe }
    var model: MarginModel { evaluator.model }
    var accounts: [String: Account] { evaluator.accounts }
    var machines: [String: LevelMachine] { evaluator.machines }
    var holds: [String: Held] { evaluator.holds }
    var byPair: [String: Set<String>] { evaluator.byPair }
    var marks: [String: Mark] { evaluator.marks }
    var valuations: [String: Valuation] { evaluator.valuations }
    var massCallEvents: Int { evaluator.massCallEvents }
    var lastMassCallAtMs: Int64? { evaluator.lastMassCallAtMs }
    var screenedOut: Int { evaluator.screenedOut }
    var evaluations: Int { evaluator.evaluations }
    /// Off only in tests that compare the screened path with the unscreened one.
    var screening: Bool {
        get { evaluator.screening }
        set { evaluator.screening = newValue }
    }

    /// - Parameter cluster: this node's `[cluster]` settings; it then starts owning no shard and
    ///   evaluates accounts only as the lease service hands it shards (`setOwnership`).
    public init(db: any StateStore, spoolDirectory: String, syslog: SyslogWriter, universe: MarginUniverse, logger: Logger,
                cluster: ClusterSettings? = nil, monotonicNow: @escaping @Sendable () -> Int64 = { Int64(WallClock.monotonicMs()) }) async throws {
        self.db = db
        self.cluster = cluster.map { ShardOwnership(settings: $0, monotonicNow: monotonicNow) }
        self.spoolDirectory = spoolDirectory
        self.syslog = syslog
        self.logger = logger
        self.evaluator = MarginEvaluator(universe: universe)
        self.history = MarkHistory(intervalMs: universe.policy.historyIntervalMs, capacity: 2_000, dailyCapacity: universe.policy.historyDays)
        self.calibration = CalibrationMonitor(policy: universe.policy)
        self.outbox = NoticeOutbox(db: db, directory: spoolDirectory, syslog: syslog, logger: logger, now: { WallClock.nowMs() })
        try loadState()
    }

    /// Accounts, level states, slow marks and history from SQLite (start-up and after a restart).
    private func loadState() throws {
        // In a cluster, accounts and levels arrive with the shards this node is given (setOwnership).
        for stored in try cluster == nil ? db.allAccounts() : [] {
            do {
                let account = try AccountJSON.decode(stored.json, universe: universe)
                evaluator.install(account)
            } catch {
                // The configuration changed under a stored account (a pair removed): keep it stored, say so.
                logger.error("stored account no longer valid under this configuration; fix it with PUT or remove the pair from it",
                             metadata: ["account": "\(stored.id)", "error": "\(error)"])
            }
        }
        if cluster == nil { evaluator.restore(levels: try db.levels().map(Self.restoredLevel)) }
        try loadHistory()
        // Slow marks as persisted; a pair without one (a database from before v3) is rebuilt from
        // its stored history, so the first print after a restart is weighed against the past.
        var slow: [String: SlowMark] = [:]
        for s in try db.slowMarks() {
            guard let v = Double(s.value), v.isFinite, v > 0 else { continue }
            slow[s.pair] = SlowMark(windowMs: universe.policy.slowMarkWindowMs, value: v, lastUpdateMs: s.lastUpdateMs)
        }
        evaluator.restore(slowMarks: slow)
        for pair in universe.knownPairs where slow[pair] == nil {
            let points = try db.history(pair: pair, limit: 500).compactMap { p in Double(p.price).map { (tsMs: p.tsMs, price: $0) } }
            evaluator.rebuildSlowMark(pair: pair, history: points)
        }
    }

    static func restoredLevel(_ level: StoredLevel) -> (account: String, state: LevelMachine.State, hold: MarginEvaluator.Hold?) {
        let state = LevelMachine.State(level: MarginLevel(rawValue: level.level) ?? .none, sinceMs: level.sinceMs,
                                       deadlineMs: level.deadlineMs, noticeSeq: UInt64(max(0, level.transitionSeq)))
        let hold = level.holdReason.map { MarginEvaluator.Hold(reason: $0, by: level.holdBy ?? 0, atMs: level.holdAtMs ?? 0) }
        return (level.account, state, hold)
    }

    /// A reload: new thresholds, pairs, haircuts. Accounts are re-validated; machines keep their state.
    public func reconfigure(_ newUniverse: MarginUniverse, nowMs: Int64) {
        // The risk view first, keyed by the accounts' pair sets under the new configuration.
        refreshRisk(universe: newUniverse)
        evaluator.risk = risk
        let (actions, rejected) = evaluator.reconfigure(newUniverse, nowMs: nowMs)
        for (id, error) in rejected {
            logger.error("account invalid under the reloaded configuration; it is not evaluated until fixed",
                         metadata: ["account": "\(id)", "error": "\(error)"])
        }
        apply(actions)
    }

    // MARK: mark updates

    /// A new set of marks from the poll loop: history first (it refreshes the risk snapshot the
    /// evaluation uses), then the evaluator re-evaluates the holders of the pairs that changed.
    public func onMarks(_ new: [String: Mark], nowMs: Int64) {
        guard machinesCurrent() else { return }
        var newSlot = false
        for (pair, mark) in new {
            let old = evaluator.marks[pair]
            if MarginModel.isPriceable(mark), let p = mark.price, old?.seq != mark.seq {
                if recordHistory(pair: pair, price: p, atMs: mark.updatedAtMs ?? nowMs) { newSlot = true }
            }
        }
        // Once per update, after every pair's new slot is in (not once per pair).
        if newSlot { refreshRisk() }
        evaluator.risk = risk
        apply(evaluator.marksUpdated(new, nowMs: nowMs))
    }

    /// Call deadlines, on every poll cycle: a deadline is acted on within one cycle of passing, not
    /// at the next sweep; free until the earliest open deadline (`MarginEvaluator.deadlineTick`).
    public func deadlineTick(nowMs: Int64) {
        guard machinesCurrent() else { return }
        evaluator.risk = risk
        apply(evaluator.deadlineTick(nowMs: nowMs))
    }

    /// Periodic full sweep: every account, plus call deadlines. It must agree with the incremental state:
    /// any notice it produces is one the incremental path missed, counted as a correction.
    public func sweep(nowMs: Int64) {
        guard machinesCurrent() else { return }
        sweeps += 1
        evaluator.risk = risk
        let (actions, corrections) = evaluator.sweepTick(nowMs: nowMs)
        sweepCorrections += corrections
        apply(actions)
        deliverPending()
    }

    /// Values `ids` afresh (unscreened) and runs their level machines; returns the notices queued.
    @discardableResult
    func evaluate(_ ids: [String], nowMs: Int64, sweep: Bool) -> Int {
        evaluator.risk = risk
        let actions = evaluator.reevaluate(ids, nowMs: nowMs)
        apply(actions)
        return actions.notices.count
    }

    /// Carries out what the evaluator decided: level states and notices into the outbox (one
    /// transaction), slow marks into the store, mass-call events and unpriced accounts into the logs.
    func apply(_ a: MarginEvaluator.Actions) {
        for e in a.massCalls {
            logger.warning("mass-call event: one mark update moved many holders of a pair into call; liquidation deferred until a later mark confirms the move",
                           metadata: ["pair": "\(e.pair)", "accounts": "\(e.entering)", "holders": "\(e.holders)"])
            syslog.log(.warning, "mass-call event on \(e.pair): \(e.entering) of \(e.holders) holders entering call on one mark update; liquidations deferred until confirmed")
        }
        for pair in a.confirmed {
            logger.notice("mass-call move confirmed by a later mark; liquidations may proceed", metadata: ["pair": "\(pair)"])
        }
        for u in a.unpriced {
            logger.error("account unpriced: its valuation is not usable", metadata: ["account": "\(u.account)", "reason": "\(u.reason)"])
        }
        if !a.slowMarks.isEmpty {
            do {
                try db.putSlowMarks(a.slowMarks.compactMap { pair, s in
                    guard let v = s.value, let t = s.lastUpdateMs else { return nil }
                    return StoredSlowMark(pair: pair, value: DecimalText.format(v, maxFractionDigits: 10), lastUpdateMs: t)
                })
            } catch {
                // Not fatal: the slow mark in memory is right; a restart rebuilds it from history.
                logger.error("cannot store slow marks", metadata: ["error": "\(error)"])
            }
        }
        // Accounts settled at option expiry are stored before their level changes (MarginDesk+Expiry.swift).
        guard storeSettled(a, nowMs: a.settlements.first?.atMs ?? WallClock.nowMs()) else { return }
        let ratios = Dictionary(a.levels.map { ($0.account, $0.ratio) }, uniquingKeysWith: { $1 })
        commit(levels: a.levels.map { storedLevel($0.account, $0.state, ratio: ratios[$0.account] ?? .nan) },
               notices: a.notices.map(stored))
    }

    func stored(_ n: Notice) -> StoredNotice {
        StoredNotice(id: n.id, account: n.account, level: n.level.rawValue, createdAtMs: n.createdAtMs, json: n.jsonLine(), syslog: n.syslogLine(),
                     shard: shard(of: n.account))
    }

    func storedLevel(_ id: String, _ state: LevelMachine.State, ratio: Double) -> StoredLevel {
        let h = holds[id]
        return StoredLevel(account: id, level: state.level.rawValue, sinceMs: state.sinceMs ?? 0, deadlineMs: state.deadlineMs,
                           transitionSeq: Int64(state.noticeSeq), ratio: ratio.isFinite ? DecimalText.format(ratio, maxFractionDigits: 6) : nil,
                           holdReason: h?.reason, holdBy: h?.by, holdAtMs: h?.atMs, shard: shard(of: id))
    }

    /// Outbox first (level changes and notices in one transaction), then the spool.
    func commit(levels: [StoredLevel], notices: [StoredNotice]) {
        guard !levels.isEmpty || !notices.isEmpty else { return }
        outbox.fence = cluster?.fence()
        guard outbox.commit(levels: levels, notices: notices) else {
            if !outbox.fencedShards.isEmpty { fencedOut(outbox.fencedShards) }
            // The machines moved but nothing is durable: reload them from the store so the next
            // evaluation produces the same notices again instead of losing them.
            reloadMachines()
            return
        }
        noticesWritten += notices.count
        if !notices.isEmpty { deliverPending() }
    }

    /// False while the machines cannot be re-read after a failed commit (see `machinesStale`); tries again.
    func machinesCurrent() -> Bool {
        if machinesStale { reloadMachines() }
        return !machinesStale
    }

    func reloadMachines() {
        let levels: [StoredLevel]
        do {
            if let c = cluster, let store = db as? any ClusterStore {
                levels = try store.levels(shards: Set(c.held.keys))
            } else {
                levels = try db.levels()
            }
        } catch {
            // The store is unreadable too: evaluations wait until the stored state can be re-read.
            if !machinesStale {
                logger.critical("cannot reload level state after a failed commit; evaluations wait until the store answers",
                                metadata: ["error": "\(error)"])
            }
            machinesStale = true
            return
        }
        if machinesStale { logger.notice("level state re-read from the store; evaluations resume") }
        machinesStale = false
        // Every machine goes back to its stored state, and one without a stored row (an account whose
        // first transition is the one that failed) to the initial state: otherwise the notice whose
        // commit failed would never be produced again.
        var restored = levels.map(Self.restoredLevel)
        let stored = Set(levels.map(\.account))
        for id in machines.keys where !stored.contains(id) {
            restored.append((id, LevelMachine.State(), holds[id]))
        }
        evaluator.restore(levels: restored)
    }

    /// Delivers the outbox to the spool, then syslog (see `NoticeOutbox`).
    public func deliverPending() {
        scopeOutbox()
        outbox.deliverPending()
    }

    /// A tick of the delivery retry schedule: cheap when nothing is deferred.
    public func retryDeferred() {
        scopeOutbox()
        outbox.retryIfDeferred()
    }

    /// In a cluster the outbox delivers only this node's shards and claims each notice (fenced) first.
    private func scopeOutbox() {
        guard let c = cluster else { return }
        outbox.fence = c.fence()
        outbox.scope = c.scope()
    }
}

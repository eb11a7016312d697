import OracleConfig
import OracleCore
import OracleTape

/// `oracled replay`'s engine: tape records in, one `Cycle` out per recorded cycle, computed the way
/// the running daemon computes it and on the tape's clock alone (no network, no clock read).
///
/// - Each response is parsed by the daemon's own path (`PollService.parse`, a batch through a
///   prepared `BatchParsePlan`), stamped with its recorded receive time, and held until the next
///   cycle record: the daemon ingests at the start of a cycle everything that arrived before it.
/// - At a cycle record the held samples are ingested in tape order (one `responseSeq` per
///   response, as the loop numbers them) and `MarkEngine.cycle(nowMs:)` runs at the cycle's wall time.
/// - With accounts, the trigger follows: the mark history and risk view as `MarginDesk.onMarks`
///   keeps them, `MarginEvaluator.marksUpdated`, then the full sweep every `sweepIntervalMs` of
///   tape time (`TriggerService`'s 15 s) or else the deadline check; notice times are the cycle's
///   wall time, so notice ids and `created_at` depend on the tape only.
///
/// - `[[vol]]` answers become their sources' readings (`VolReplay`); at each cycle record the due
///   surfaces are rebuilt at the cycle's wall time by the live loop's own code, before the trigger.
///   With accounts, the rebuilt surfaces then reach the evaluator as `MarginDesk.onVolatility` hands
///   them over live (its σ replaced, `volatilityUpdated` for the option accounts on those pairs),
///   before the cycle's marks: the answers they were built from arrived before this cycle.
///
/// Not replayed: configuration reloads (the whole tape runs under one `--config`), operator actions
/// (holds, acknowledgements, account changes) and stored state (history, levels) of the daemon
/// that recorded: the replay starts from empty state, as a fresh daemon would.
struct TapeReplay {
    /// One aggregated cycle.
    struct Cycle {
        var atMs: Int64
        /// In the engine's pair order (convert pairs first): deterministic.
        var marks: [Mark]
        /// Sorted by (account, id) within the cycle.
        var notices: [Notice]
        /// Vol surfaces rebuilt at this cycle, in `[[vol]]` order.
        var vol: [VolSurface] = []
    }

    let sweepIntervalMs: Int64
    private(set) var engine: MarkEngine
    private(set) var evaluator: MarginEvaluator?
    private let specs: [String: SourceSpec]
    /// `[[vol]]` of `--config`: its sources' answers rebuild the surfaces.
    private(set) var vol: VolReplay
    private var plans: [String: BatchParsePlan] = [:]
    private var held: [(response: TapeResponse, samples: [(pair: String, sample: SourceSample)])] = []
    private var responseSeq: UInt64 = 0
    private var history: MarkHistory
    private var lastHistorySlot: [String: Int64] = [:]
    private var risk: RiskBook?
    private var lastSweepMono: Int64?
    private(set) var stats = ReplayStats()

    init(config: OracleConfiguration, accounts: [Account]?, sweepIntervalMs: Int64 = 15_000) throws(MarkEngineError) {
        self.sweepIntervalMs = sweepIntervalMs
        engine = try MarkEngine(pairs: config.pairs)
        specs = PollService.specsByName(config.sources)
        vol = VolReplay(settings: config.vol)
        let universe = MarginRuntime.universe(config)
        history = MarkHistory(intervalMs: universe.policy.historyIntervalMs, capacity: 2_000, dailyCapacity: universe.policy.historyDays)
        if let accounts {
            var e = MarginEvaluator(universe: universe)
            for a in accounts { e.install(a) }
            evaluator = e
            refreshRisk()
        }
    }

    mutating func feed(_ record: TapeRecord) -> Cycle? {
        switch record {
        case .response(let r):
            stats.count(r)
            if vol.handles(r.source) {
                stats.volResponses += 1
                vol.take(r)
                return nil
            }
            guard let spec = specs[r.source] else {
                stats.skippedResponses += 1 // a source the config no longer has
                return nil
            }
            held.append((r, samples(r, spec: spec)))
            return nil
        case .cycle(let c):
            return cycle(c)
        }
    }

    /// The samples of one response, exactly as `PollService.fetch` builds them.
    private mutating func samples(_ r: TapeResponse, spec: SourceSpec) -> [(pair: String, sample: SourceSample)] {
        if let code = r.transportError {
            let err = VenueError(code == "timeout" ? .unavailable : .other, r.transportMessage ?? code)
            return r.targets.map { ($0.pair, SourceSample(result: .failure(err), receivedAtMs: r.wallMs, responseSeq: 0)) }
        }
        let symbols = r.symbols
        var plan: BatchParsePlan?
        if r.batch {
            let key = r.source + "\u{1}" + symbols.joined(separator: "\u{1}")
            if plans[key] == nil { plans[key] = BatchParsePlan(kind: spec.kind, symbols: symbols) }
            plan = plans[key]
        }
        let vr = VenueResponse(status: r.status, headers: r.headers, body: r.body, receivedAtMs: r.wallMs)
        let (result, _) = PollService.parse(isBatch: r.batch, symbols: symbols, parsePlan: plan, spec: spec, response: vr)
        return r.targets.map { t in
            let res = result(t.symbol)
                ?? .failure(VenueError(.other, "\(spec.kind.rawValue): no result for '\(t.symbol)' (internal: symbol not in the request)"))
            return (t.pair, SourceSample(result: res, receivedAtMs: r.wallMs, responseSeq: 0))
        }
    }

    private mutating func cycle(_ c: TapeCycle) -> Cycle {
        for (r, samples) in held {
            responseSeq &+= 1
            for (pair, received) in samples {
                var sample = received
                sample.responseSeq = responseSeq
                _ = engine.ingest(pair: pair, source: r.source, sample: sample)
            }
        }
        held.removeAll(keepingCapacity: true)
        let all = engine.cycle(nowMs: c.wallMs)
        let marks = engine.pairOrder.compactMap { all[$0] }
        stats.count(cycle: c, marks: marks)
        let surfaces = vol.cycle(nowMs: c.wallMs)
        stats.count(vol: surfaces)
        var notices: [Notice] = []
        if evaluator != nil { notices = trigger(all, marks: marks, rebuilt: surfaces, cycle: c) }
        stats.count(notices)
        return Cycle(atMs: c.wallMs, marks: marks, notices: notices, vol: surfaces)
    }

    /// `MarginDesk.onVolatility` for the surfaces rebuilt at this cycle, then `MarginDesk.onMarks`,
    /// then `TriggerService`'s sweep-or-deadline step, on tape time.
    private mutating func trigger(_ all: [String: Mark], marks: [Mark], rebuilt: [VolSurface], cycle c: TapeCycle) -> [Notice] {
        guard var e = evaluator else { return [] }
        var notices: [Notice] = []
        if !rebuilt.isEmpty {
            e.risk = risk
            notices += Self.installVolatility(vol.volatility, rebuilt: rebuilt, underlyingByPair: vol.underlyingByPair,
                                              into: &e, nowMs: c.wallMs)
        }
        var newSlot = false
        for mark in marks {
            let old = e.marks[mark.pair]
            if MarginModel.isPriceable(mark), let p = mark.price, old?.seq != mark.seq {
                if recordHistory(pair: mark.pair, price: p, atMs: mark.updatedAtMs ?? c.wallMs) { newSlot = true }
            }
        }
        if newSlot { refreshRisk(accounts: e.accounts, universe: e.universe) }
        e.risk = risk
        notices += e.marksUpdated(all, nowMs: c.wallMs).notices
        let last = lastSweepMono ?? c.monoMs
        if lastSweepMono == nil { lastSweepMono = c.monoMs }
        if c.monoMs - last >= sweepIntervalMs {
            lastSweepMono = c.monoMs
            notices += e.sweepTick(nowMs: c.wallMs).actions.notices
        } else {
            notices += e.deadlineTick(nowMs: c.wallMs).notices
        }
        evaluator = e
        return notices.sorted { ($0.account, $0.id) < ($1.account, $1.id) }
    }

    /// `MarginDesk.onVolatility` without the desk: option valuation uses the latest surfaces from
    /// now on, and every account holding an option on a rebuilt underlying's pairs is valued on them
    /// at once (a volatility spike with prices unchanged is a margin event, live and replayed).
    static func installVolatility(_ volatility: SurfaceVolatility, rebuilt: [VolSurface], underlyingByPair: [String: String],
                                  into evaluator: inout MarginEvaluator, nowMs: Int64) -> [Notice] {
        evaluator.volatility = volatility
        let names = Set(rebuilt.map(\.underlying))
        let pairs = Set(underlyingByPair.filter { names.contains($0.value) }.keys)
        return evaluator.volatilityUpdated(pairs: pairs, nowMs: nowMs).notices
    }

    /// `MarginDesk.recordHistory` without the store: the first mark of each `history_interval` slot.
    private mutating func recordHistory(pair: String, price: Double, atMs: Int64) -> Bool {
        let slot = atMs / history.intervalMs
        guard lastHistorySlot[pair] != slot else { return false }
        lastHistorySlot[pair] = slot
        history.record(pair: pair, price: price, atMs: atMs)
        return true
    }

    /// `MarginDesk.refreshRisk`: per-pair volatility (both models) and, under the portfolio model,
    /// one snapshot per distinct pair set of the accounts.
    private mutating func refreshRisk(accounts: [String: Account]? = nil, universe: MarginUniverse? = nil) {
        guard let universe = universe ?? evaluator?.universe else { return }
        let policy = universe.policy
        var sets = Set<[String]>()
        if policy.model == .portfolio {
            let model = MarginModel(universe: universe)
            for a in (accounts ?? evaluator?.accounts ?? [:]).values { sets.insert(model.riskPairs(a)) }
        }
        risk = RiskBook(history: history, policy: policy, pairSets: sets, pairs: universe.pairs.keys.sorted())
    }
}

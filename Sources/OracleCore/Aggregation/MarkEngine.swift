/// Turns the newest response of every (pair, source) into one robust `Mark` per pair per cycle.
///
/// Pure and clock-free: the caller records responses with `ingest` and drives `cycle(nowMs:)`
/// with its own clock, so a 30 s staleness window or a 2 min hold is tested by passing numbers.
/// Pairs are aggregated in dependency order (computed here, never assumed), so a source with
/// `convert = "USDT-USD"` is multiplied by USDT-USD's mark from the same cycle, which must be
/// `ok` or `degraded` (else that source is an `error` naming the convert pair). The convert
/// pair's confidence is not propagated: the converted value is treated as exact, which keeps
/// the filter simple and is negligible for stablecoin-like rates.
///
/// Per source the verdict is `used`, `outlier`, `stale`, `frozen` or `error`, each non-`used`
/// one with a reason; per pair the status is `ok`, `degraded` (below quorum, or kept sources
/// too far apart), `stale` (no usable source: the last fresh price is held, with its own time,
/// for `maxHoldMs`) or `unavailable`. A fresh status is only ever reported from fresh sources.
/// See `RobustFilter` for the outlier rule and the confidence, `SourceValue` for value sanity,
/// `FrozenTracker` for frozen detection.
///
/// `seq` increments every cycle that computes a price from fresh quotes (`ok` or `degraded`);
/// a held or unavailable mark keeps the previous `seq`.
public struct MarkEngine: Sendable {
    /// Pairs in dependency order.
    private var pairs: [PairAggregator]
    private var indexBySymbol: [String: Int]
    /// This cycle's outcome per pair (same order as `pairs`), read by converting sources.
    private var rates: [CycleRate]
    /// The latest mark per pair. Every pair has an entry from its first cycle on, updated in place.
    private var latest: [String: Mark] = [:]
    /// Where each pair's mark sits in `latest` (same order as `pairs`); empty until the first cycle.
    private var markSlots: [Dictionary<String, Mark>.Index] = []

    /// Builds the engine; throws on duplicate pairs or sources, a pair without sources, a
    /// `convert` naming an unknown pair, a convert cycle, or an unusable policy.
    public init(pairs specs: [PairSpec]) throws(MarkEngineError) {
        for spec in specs { try Self.validate(spec) }
        let order = try PairOrder.dependencyOrder(specs)
        var position: [String: Int] = [:]
        for (pos, i) in order.enumerated() { position[specs[i].symbol] = pos }
        self.pairs = order.map { i in
            PairAggregator(spec: specs[i], convertIndex: { position[$0] ?? -1 })
        }
        self.indexBySymbol = position
        self.rates = [CycleRate](repeating: .unavailable, count: order.count)
    }

    /// Records the newest response for (pair, source), replacing the previous one. Returns
    /// false, and ignores the sample, when the pair or the source is not configured.
    public mutating func ingest(pair: String, source: String, sample: SourceSample) -> Bool {
        guard let i = indexBySymbol[pair] else { return false }
        return pairs[i].ingest(source: source, sample: sample)
    }

    /// Runs one aggregation cycle at `nowMs` (Unix ms) for every pair, in dependency order,
    /// and returns the new marks keyed by pair symbol (also available as `marks`).
    ///
    /// The marks are updated in place inside the engine's dictionary, so a cycle costs no
    /// allocation as long as the caller has let go of the previous cycle's dictionary (or only
    /// kept marks it copied out); a caller that keeps it simply gets its own copy on the next
    /// cycle (value semantics: what it holds never changes under it).
    @discardableResult
    public mutating func cycle(nowMs: Int64) -> [String: Mark] {
        if markSlots.count != pairs.count { prepareMarks() }
        // Taken out of `self` so the loop can hand pairs a pointer to it while mutating `pairs`.
        var cycleRates = rates
        rates = []
        let slots = markSlots
        cycleRates.withUnsafeMutableBufferPointer { r in
            for i in r.indices { r[i] = .unavailable }
            pairs.withUnsafeMutableBufferPointer { pairs in
                for i in pairs.indices {
                    r[i] = pairs[i].cycle(nowMs: nowMs, rates: UnsafeBufferPointer(r), into: &latest.values[slots[i]])
                }
            }
        }
        rates = cycleRates
        return latest
    }

    /// Before the first cycle after `init`/`reconfigure`: gives every pair a mark of its shape in
    /// `latest` (keeping a mark adopted across a reload when its sources still match) and records
    /// where each sits. From then on the key set never changes, so the indices stay valid.
    private mutating func prepareMarks() {
        for p in pairs {
            if let kept = latest[p.symbol], p.fits(kept) { continue }
            latest[p.symbol] = p.blankMark()
        }
        var slots = [Dictionary<String, Mark>.Index](repeating: latest.startIndex, count: pairs.count)
        for index in latest.indices {
            if let i = indexBySymbol[latest.keys[index]] { slots[i] = index }
        }
        markSlots = slots
    }

    /// The marks of the latest cycle (or kept across `reconfigure`), keyed by pair symbol.
    public var marks: [String: Mark] { latest }

    /// Pair symbols in the order each cycle aggregates them (convert pairs first).
    public var pairOrder: [String] { pairs.map(\.symbol) }

    /// Rebuilds for a new configuration (SIGHUP). Pairs that still exist keep their last mark,
    /// held price, `seq` and frozen state; sources that still exist under the same venue symbol
    /// keep their latest sample. On error nothing changes.
    public mutating func reconfigure(pairs specs: [PairSpec]) throws(MarkEngineError) {
        var next = try MarkEngine(pairs: specs)
        for j in next.pairs.indices {
            let symbol = next.pairs[j].symbol
            guard let i = indexBySymbol[symbol] else { continue }
            next.pairs[j].adopt(pairs[i])
            if let mark = latest[symbol] { next.latest[symbol] = mark }
        }
        self = next
    }

    /// Rejects settings that would make the filter or the windows meaningless.
    private static func validate(_ spec: PairSpec) throws(MarkEngineError) {
        let p = spec.policy
        func bad(_ key: String, _ value: String, _ fix: String) -> MarkEngineError {
            MarkEngineError(.invalidPolicy, "pair \(spec.symbol): \(key) = \(value) is invalid; \(fix)")
        }
        if spec.sources.isEmpty {
            throw MarkEngineError(.noSources, "pair \(spec.symbol) has no sources; list at least one in sources = [...]")
        }
        var seen = Set<String>()
        for s in spec.sources where !seen.insert(s.source).inserted {
            throw MarkEngineError(.duplicateSource,
                "pair \(spec.symbol) lists source \(s.source) twice; keep one entry per source")
        }
        if p.minSources < 1 { throw bad("min_sources", "\(p.minSources)", "use 1 or more") }
        if p.maxAgeMs <= 0 { throw bad("max_age", "\(p.maxAgeMs) ms", "use a positive duration") }
        if p.maxHoldMs < 0 { throw bad("max_hold", "\(p.maxHoldMs) ms", "use 0 or a positive duration") }
        if p.maxFutureSkewMs < 0 { throw bad("max_future_skew", "\(p.maxFutureSkewMs) ms", "use 0 or a positive duration") }
        // Below 1 the cut can fall under the MAD and drop every value.
        if !(p.madK >= 1) || !p.madK.isFinite { throw bad("mad_k", "\(p.madK)", "use a finite value of at least 1") }
        if !(p.madFloorBps >= 0) || !p.madFloorBps.isFinite { throw bad("mad_floor_bps", "\(p.madFloorBps)", "use a finite value of at least 0") }
        if !(p.dispersionBps >= 0) { throw bad("dispersion_bps", "\(p.dispersionBps)", "use a value of at least 0") }
        if !(p.maxSpreadBps >= 0) { throw bad("max_spread_bps", "\(p.maxSpreadBps)", "use a value of at least 0") }
        if p.frozenCycles < 0 { throw bad("frozen_cycles", "\(p.frozenCycles)", "use 0 (off) or a positive count") }
    }
}

/// One pair's state and its aggregation cycle: verdict per source, robust filter, status, hold.
///
/// The verdict order per source is: no response / venue error → rejected value → venue
/// timestamp in the future → stale (venue time, then receipt time) → convert rate missing →
/// frozen → outlier. The first that applies is reported, so a reason always names the most
/// basic problem. The cycle rewrites the pair's previous `Mark` in place, so a healthy cycle
/// allocates nothing (unless a caller still holds the previous marks, when copy-on-write gives
/// it its own copy); values and scratch live in stack buffers, and reason strings are only built
/// for sources that are not `used`.
struct PairAggregator: Sendable {
    let symbol: String
    var policy: AggregationPolicy
    var slots: [SourceSlot]
    var held: HeldPrice?
    var seq: UInt64 = 0
    /// Value changes seen across all sources (see `FrozenTracker`).
    var pairChanges: UInt64 = 0

    init(spec: PairSpec, convertIndex: (String) -> Int) {
        self.symbol = spec.symbol
        self.policy = spec.policy
        self.slots = spec.sources.map { s in
            SourceSlot(spec: s, convertIndex: s.convert.map(convertIndex) ?? -1)
        }
    }

    mutating func ingest(source: String, sample: SourceSample) -> Bool {
        for k in slots.indices where slots[k].name == source {
            slots[k].latest = Observation(sample)
            if case .failure(let error) = sample.result {
                slots[k].latestError = error.description
            } else if slots[k].latestError != nil {
                slots[k].latestError = nil
            }
            return true
        }
        return false
    }

    /// Carries samples, hold state and counters over from the same pair before a reload.
    mutating func adopt(_ old: PairAggregator) {
        held = old.held
        seq = old.seq
        pairChanges = old.pairChanges
        for k in slots.indices {
            if let o = old.slots.first(where: { $0.name == slots[k].name && $0.venueSymbol == slots[k].venueSymbol }) {
                slots[k].latest = o.latest
                slots[k].latestError = o.latestError
                slots[k].frozen = o.frozen
            }
        }
    }

    /// A mark shaped for this pair (one report per slot, in slot order) before any cycle has
    /// filled it; `cycle(nowMs:rates:into:)` overwrites every field but the names.
    func blankMark() -> Mark {
        Mark(pair: symbol, price: nil, confidence: nil, status: .unavailable, sourcesUsed: 0,
             sourcesTotal: slots.count, updatedAtMs: nil, seq: seq, statusReason: nil,
             sources: slots.map { SourceReport(source: $0.name, value: nil, timeMs: nil, verdict: .error, reason: "") })
    }

    /// Whether `mark` can be updated in place: this pair's symbol and one report per slot with
    /// the slot's name, in order. A mark kept across a reload whose sources changed does not fit.
    func fits(_ mark: Mark) -> Bool {
        guard mark.pair == symbol, mark.sources.count == slots.count else { return false }
        for k in slots.indices where mark.sources[k].source != slots[k].name { return false }
        return true
    }

    /// Runs the cycle, rewriting `mark` in place (it must `fit`): every field but the pair and
    /// source names is overwritten, so nothing of the previous cycle leaks through. Updating in
    /// place reuses the report storage when the caller holds no copy of it, which keeps a healthy
    /// cycle free of heap allocation and reference counting. Returns the rate converting pairs see.
    mutating func cycle(nowMs: Int64, rates: UnsafeBufferPointer<CycleRate>, into mark: inout Mark) -> CycleRate {
        let n = slots.count
        let policy = self.policy
        var pairChanges = self.pairChanges
        // Slots and reports are walked through buffer pointers (one uniqueness check each per
        // cycle instead of one per access); the per-source helpers are static so nothing else
        // of `self` is touched meanwhile.
        let summary = slots.withUnsafeMutableBufferPointer { slots in
            mark.sources.withUnsafeMutableBufferPointer { reports -> RobustFilter.Summary? in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * n) { doubles in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { candidateSlot in
                        withUnsafeTemporaryAllocation(of: Bool.self, capacity: n) { keptFlags in
                            // Pass 1: raw value, venue error, sanity and time checks; frozen bookkeeping.
                            // The change count lives in a local here (a register, not the captured
                            // variable), so the sources do not queue behind each other's store.
                            var changes = pairChanges
                            var c = 0
                            for k in 0..<n {
                                guard let raw = Self.assess(&slots[k], policy: policy, nowMs: nowMs,
                                                            pairChanges: &changes, into: &reports[k]) else { continue }
                                doubles[c] = raw
                                candidateSlot[c] = k
                                c += 1
                            }
                            pairChanges = changes
                            // Pass 2 (after every source has been observed, so `pairChanges` is
                            // final): cross rate, frozen; the usable values are compacted in place.
                            var u = 0
                            for i in 0..<c {
                                let k = candidateSlot[i]
                                let raw = doubles[i]
                                var value = raw
                                let convertIndex = slots[k].convertIndex
                                if convertIndex >= 0 {
                                    let rate = rates[convertIndex]
                                    let convertSymbol = slots[k].convertSymbol ?? "?"
                                    guard rate.isFresh else {
                                        reports[k].value = nil
                                        reports[k].verdict = .error
                                        reports[k].reason = "convert pair \(convertSymbol) is \(rate.status.rawValue)"
                                        continue
                                    }
                                    value = raw * rate.price
                                    reports[k].value = value
                                    if let p = SourceValue.problem(value, field: "converted value") {
                                        reports[k].verdict = .error
                                        reports[k].reason = "\(p) (× \(convertSymbol) \(ReasonFormat.number(rate.price)))"
                                        continue
                                    }
                                }
                                if slots[k].frozen.isFrozen(threshold: policy.frozenCycles, pairChanges: pairChanges) {
                                    reports[k].verdict = .frozen
                                    reports[k].reason = "value \(ReasonFormat.number(raw)) and venue timestamp unchanged for "
                                        + "\(slots[k].frozen.repeats) responses while other sources moved"
                                    continue
                                }
                                doubles[u] = value
                                candidateSlot[u] = k
                                u += 1
                            }
                            guard u > 0 else { return RobustFilter.Summary?.none }

                            // Pass 3: robust filter over the usable values.
                            let s = RobustFilter.run(
                                values: UnsafeBufferPointer(rebasing: doubles[0..<u]),
                                scratch: UnsafeMutableBufferPointer(rebasing: doubles[u..<(3 * u)]),
                                kept: UnsafeMutableBufferPointer(rebasing: keptFlags[0..<u]),
                                madK: policy.madK, madFloorBps: policy.madFloorBps)
                            for i in 0..<u where !keptFlags[i] {
                                let k = candidateSlot[i]
                                let distanceBps = abs(doubles[i] - s.median) / s.median * 10_000
                                reports[k].verdict = .outlier
                                reports[k].reason = "\(ReasonFormat.bps(distanceBps)) bps from median "
                                    + "\(ReasonFormat.number(s.median)) (cut \(ReasonFormat.bps(s.cut / s.median * 10_000)) bps)"
                            }
                            return s
                        }
                    }
                }
            }
        }
        self.pairChanges = pairChanges
        guard let summary, summary.keptCount > 0 else {
            holdMark(nowMs: nowMs, into: &mark)
            return CycleRate(price: mark.price ?? .nan, status: mark.status)
        }
        freshMark(nowMs: nowMs, summary: summary, into: &mark)
        return CycleRate(price: summary.price, status: mark.status)
    }

    /// Pass-1 verdict for one source, written into its report: returns the raw (unconverted)
    /// value when the source is `used` so far, else nil with the reason in the report.
    @inline(__always)
    private static func assess(_ slot: inout SourceSlot, policy: AggregationPolicy, nowMs: Int64,
                               pairChanges: inout UInt64, into r: inout SourceReport) -> Double? {
        guard let obs = slot.latest else {
            r.update(value: nil, timeMs: nil, verdict: .error, reason: "no response yet")
            return nil
        }
        if obs.isError {
            slot.frozen.observe(responseSeq: obs.responseSeq, value: nil, venueTimestampMs: nil,
                                pairChanges: &pairChanges)
            r.update(value: nil, timeMs: obs.receivedAtMs, verdict: .error, reason: slot.latestError ?? "venue error")
            return nil
        }
        let venueTs = obs.venueTimestampMs
        let timeMs = venueTs ?? obs.receivedAtMs
        let raw: Double
        switch SourceValue.extract(bid: obs.bid, ask: obs.ask, last: obs.last, maxSpreadBps: policy.maxSpreadBps) {
        case .rejected(let why):
            slot.frozen.observe(responseSeq: obs.responseSeq, value: nil, venueTimestampMs: nil,
                                pairChanges: &pairChanges)
            r.update(value: nil, timeMs: timeMs, verdict: .error, reason: why)
            return nil
        case .value(let v):
            raw = v
        }
        slot.frozen.observe(responseSeq: obs.responseSeq, value: raw, venueTimestampMs: venueTs,
                            pairChanges: &pairChanges)
        if let ts = venueTs {
            let ahead = Self.span(ts, nowMs)
            if ahead > policy.maxFutureSkewMs {
                r.update(value: raw, timeMs: timeMs, verdict: .error, reason: "timestamp \(ahead) ms in the future")
                return nil
            }
            let age = Self.span(nowMs, ts)
            if age > policy.maxAgeMs {
                r.update(value: raw, timeMs: timeMs, verdict: .stale,
                         reason: "venue timestamp \(age) ms old (max \(policy.maxAgeMs) ms)")
                return nil
            }
        }
        let receiptAge = Self.span(nowMs, obs.receivedAtMs)
        if receiptAge > policy.maxAgeMs {
            r.update(value: raw, timeMs: timeMs, verdict: .stale,
                     reason: "received \(receiptAge) ms ago (max \(policy.maxAgeMs) ms)")
            return nil
        }
        r.update(value: raw, timeMs: timeMs, verdict: .used, reason: "")
        return raw
    }

    private mutating func freshMark(nowMs: Int64, summary s: RobustFilter.Summary, into mark: inout Mark) {
        var status = Mark.Status.ok
        var reason: String?
        if s.keptCount < policy.minSources {
            status = .degraded
            reason = "quorum \(s.keptCount)/\(policy.minSources)"
        }
        let dispersionBps = (s.keptMax - s.keptMin) / s.price * 10_000
        if dispersionBps > policy.dispersionBps {
            status = .degraded
            let d = "dispersion \(ReasonFormat.bps(dispersionBps)) bps > \(ReasonFormat.bps(policy.dispersionBps))"
            reason = reason.map { "\($0); \(d)" } ?? d
        }
        seq &+= 1
        held = HeldPrice(price: s.price, confidence: s.confidence, updatedAtMs: nowMs)
        mark.update(price: s.price, confidence: s.confidence, status: status, sourcesUsed: s.keptCount,
                    sourcesTotal: slots.count, updatedAtMs: nowMs, seq: seq, statusReason: reason)
    }

    /// No usable source: hold the last fresh price as `stale` for `maxHoldMs`, then `unavailable`.
    private func holdMark(nowMs: Int64, into mark: inout Mark) {
        let why = Self.noSourceSummary(mark.sources)
        if let held {
            let age = Self.span(nowMs, held.updatedAtMs)
            if age <= policy.maxHoldMs {
                mark.update(price: held.price, confidence: held.confidence, status: .stale,
                            sourcesUsed: 0, sourcesTotal: slots.count, updatedAtMs: held.updatedAtMs, seq: seq,
                            statusReason: "\(why); holding last price from \(age) ms ago (max hold \(policy.maxHoldMs) ms)")
                return
            }
            mark.update(price: nil, confidence: nil, status: .unavailable,
                        sourcesUsed: 0, sourcesTotal: slots.count, updatedAtMs: nil, seq: seq,
                        statusReason: "\(why); last price \(age) ms old exceeds max hold \(policy.maxHoldMs) ms")
            return
        }
        mark.update(price: nil, confidence: nil, status: .unavailable,
                    sourcesUsed: 0, sourcesTotal: slots.count, updatedAtMs: nil, seq: seq,
                    statusReason: "\(why); no price computed yet")
    }

    /// "no usable source (2 error, 1 stale)".
    private static func noSourceSummary(_ reports: [SourceReport]) -> String {
        var parts: [String] = []
        for verdict in SourceReport.Verdict.allCases where verdict != .used {
            let count = reports.reduce(0) { $0 + ($1.verdict == verdict ? 1 : 0) }
            if count > 0 { parts.append("\(count) \(verdict.rawValue)") }
        }
        return parts.isEmpty ? "no usable source" : "no usable source (\(parts.joined(separator: ", ")))"
    }

    /// a − b in milliseconds, saturating instead of trapping on absurd venue timestamps.
    @inline(__always)
    static func span(_ a: Int64, _ b: Int64) -> Int64 {
        let (d, overflow) = a.subtractingReportingOverflow(b)
        if overflow { return a > b ? .max : .min }
        return d
    }
}

extension SourceReport {
    /// Rewrites everything but the source name. An empty reason is only stored when the old one
    /// was not empty already, so a `used` source costs no string release.
    @inline(__always)
    mutating func update(value: Double?, timeMs: Int64?, verdict: Verdict, reason: String) {
        self.value = value
        self.timeMs = timeMs
        self.verdict = verdict
        if !(reason.isEmpty && self.reason.isEmpty) { self.reason = reason }
    }
}

extension Mark {
    /// Rewrites everything but the pair and the source reports.
    @inline(__always)
    mutating func update(price: Double?, confidence: Double?, status: Status, sourcesUsed: Int, sourcesTotal: Int,
                         updatedAtMs: Int64?, seq: UInt64, statusReason: String?) {
        self.price = price
        self.confidence = confidence
        self.status = status
        self.sourcesUsed = sourcesUsed
        self.sourcesTotal = sourcesTotal
        self.updatedAtMs = updatedAtMs
        self.seq = seq
        if !(statusReason == nil && self.statusReason == nil) { self.statusReason = statusReason }
    }
}

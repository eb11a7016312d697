import CBench
import OracleCore

/// Aggregation cost per pair per cycle: `MarkEngine.cycle` (7 sources) against a straightforward
/// C implementation of the same per-pair work.
///
/// 1000 pairs × 7 sources; each cycle every (pair, source) gets a new response (new
/// `responseSeq`, fresh receipt time, slightly different bid/ask/last from a rotating set of 8
/// prebuilt quotes, so nothing is frozen and nothing is an outlier), then one cycle. Inputs are
/// prepared outside the timed region on both sides (Swift: the `ingest` calls; C: the input
/// array and its receipt times); every mark's price and used count are summed after each cycle,
/// outside the timed region, so neither side's output can be optimised away.
/// Reported separately:
/// - `aggregate_ns_per_pair`: `cycle(nowMs:)` time / pairs — the engine's whole per-pair work
///   (verdicts with frozen and cross-rate checks, filter, status, hold, the `Mark` with its
///   `SourceReport`s, updated in place), with the caller dropping each cycle's dictionary before
///   the next, as `PollService` does once it has published it;
/// - `aggregate_retained_ns_per_pair`: the same, but the caller keeps the previous cycle's
///   dictionary alive across the next cycle, so copy-on-write must give each mark new storage
///   (the cost when someone still holds the last marks);
/// - `aggregate_c_ns_per_pair`: `cbench_aggregate_pair`, the same per-pair work in plain C
///   (value choice, sanity, skew, staleness, frozen detection, median/MAD, output per source,
///   mark with status and hold), minus reason strings and cross rates, which it does not have;
/// - `aggregate_ingest_ns_per_pair`: the 7 `ingest` calls of one pair (dictionary lookup + store);
/// - `aggregate_filter_ns_per_pair` / `aggregate_filter_c_ns_per_pair`: Swift `RobustFilter` and
///   C `cbench_aggregate` alone on the same 7 mids per pair (Swift also computes the confidence).
/// Each figure is the best of 5 runs, to keep scheduler noise on a shared machine out.
func runAggregateBench() -> [(name: String, value: Double, unit: String)] {
    let pairCount = 1_000
    let sourceCount = 7
    let variants = 8
    let cycles = 100
    let runs = 5
    let t0: Int64 = 1_700_000_000_000
    let policy = AggregationPolicy()

    let pairNames = (0..<pairCount).map { "P\($0)-USD" }
    let sourceNames = (0..<sourceCount).map { "venue\($0)" }
    let specs = pairNames.map { name in
        PairSpec(symbol: name, sources: sourceNames.map { PairSourceSpec(source: $0, symbol: name) },
                 policy: policy)
    }

    // quotes[v][p * 7 + s], the same numbers as C inputs, and the mids the engine will compute.
    var quotes: [[Quote]] = []
    var inputs: [[cbench_source_in]] = []
    var mids: [[Double]] = []
    for v in 0..<variants {
        var q: [Quote] = []
        var ci: [cbench_source_in] = []
        var m: [Double] = []
        q.reserveCapacity(pairCount * sourceCount)
        for p in 0..<pairCount {
            let base = 100 + Double(p) * 7.25
            for s in 0..<sourceCount {
                let wiggle = Double((v * 7 + s * 3) % 11 - 5) * 1e-4
                let value = base * (1 + wiggle)
                let bid = value * (1 - 5e-5)
                let ask = value * (1 + 5e-5)
                q.append(Quote(bid: VenueNumber(text: "\(bid)", value: bid),
                               ask: VenueNumber(text: "\(ask)", value: ask),
                               last: VenueNumber(text: "\(value)", value: value)))
                ci.append(cbench_source_in(bid: bid, ask: ask, last: value, venue_ts_ms: Int64.min,
                                           received_ms: 0, response_seq: 0, is_error: 0))
                m.append(bid + (ask - bid) / 2)
            }
        }
        quotes.append(q)
        inputs.append(ci)
        mids.append(m)
    }

    let clock = ContinuousClock()
    func nanoseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
    }

    // Swift engine; `retain` keeps the previous cycle's marks alive across the next cycle.
    var bestIngest = Double.infinity
    var sinkSwift = 0.0
    func engineRun(retain: Bool) -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            guard var engine = try? MarkEngine(pairs: specs) else { return .nan }
            var cycleNs = 0.0
            var ingestNs = 0.0
            var previous: [String: Mark] = [:]
            for c in 0..<cycles {
                let now = t0 + Int64(c) * 1_000
                let batch = quotes[c % variants]
                let startIngest = clock.now
                for p in 0..<pairCount {
                    let pair = pairNames[p]
                    for s in 0..<sourceCount {
                        let sample = SourceSample(result: .success(batch[p * sourceCount + s]),
                                                  receivedAtMs: now - 50, responseSeq: UInt64(c + 1))
                        _ = engine.ingest(pair: pair, source: sourceNames[s], sample: sample)
                    }
                }
                let startCycle = clock.now
                let marks = engine.cycle(nowMs: now)
                let end = clock.now
                ingestNs += nanoseconds(startCycle - startIngest)
                cycleNs += nanoseconds(end - startCycle)
                for mark in marks.values { sinkSwift += (mark.price ?? 0) + Double(mark.sourcesUsed) }
                if retain {
                    // What the caller keeps must not change under it.
                    if let old = previous[pairNames[0]], old == marks[pairNames[0]] { print("aggregate: kept mark changed") }
                    previous = marks
                }
            }
            best = min(best, cycleNs / Double(cycles * pairCount))
            bestIngest = min(bestIngest, ingestNs / Double(cycles * pairCount))
        }
        return best
    }
    let bestCycle = engineRun(retain: false)
    let bestRetained = engineRun(retain: true)

    // C: the same per-pair work; outputs and marks persist across cycles like the engine's state.
    var cPolicy = cbench_policy(min_sources: Int32(policy.minSources), frozen_cycles: Int32(policy.frozenCycles),
                                max_age_ms: policy.maxAgeMs,
                                max_hold_ms: policy.maxHoldMs, max_future_skew_ms: policy.maxFutureSkewMs,
                                mad_k: policy.madK, mad_floor_bps: policy.madFloorBps,
                                dispersion_bps: policy.dispersionBps, max_spread_bps: policy.maxSpreadBps)
    var bestC = Double.infinity
    var sinkC = 0.0
    for _ in 0..<runs {
        var outs = [cbench_source_out](repeating: cbench_source_out(), count: pairCount * sourceCount)
        var states = [cbench_source_state](repeating: cbench_source_state(), count: pairCount * sourceCount)
        var cMarks = [cbench_mark](repeating: cbench_mark(price: .nan, confidence: .nan, updated_ms: Int64.min,
                                                          seq: 0, status: CBENCH_UNAVAILABLE, used: 0, total: 0,
                                                          pair_changes: 0),
                                   count: pairCount)
        var total = 0.0
        for c in 0..<cycles {
            let now = t0 + Int64(c) * 1_000
            for i in inputs[c % variants].indices {
                inputs[c % variants][i].received_ms = now - 50
                inputs[c % variants][i].response_seq = UInt64(c + 1)
            }
            let start = clock.now
            inputs[c % variants].withUnsafeBufferPointer { inBuf in
                outs.withUnsafeMutableBufferPointer { outBuf in
                    states.withUnsafeMutableBufferPointer { stateBuf in
                        cMarks.withUnsafeMutableBufferPointer { markBuf in
                            guard let inBase = inBuf.baseAddress, let outBase = outBuf.baseAddress,
                                  let stateBase = stateBuf.baseAddress, let markBase = markBuf.baseAddress else { return }
                            for p in 0..<pairCount {
                                cbench_aggregate_pair(inBase + p * sourceCount, Int32(sourceCount), &cPolicy, now,
                                                      stateBase + p * sourceCount, outBase + p * sourceCount, markBase + p)
                            }
                        }
                    }
                }
            }
            total += nanoseconds(clock.now - start)
            for m in cMarks { sinkC += (m.price.isNaN ? 0 : m.price) + Double(m.used) }
        }
        bestC = min(bestC, total / Double(cycles * pairCount))
        if outs.contains(where: { $0.verdict != CBENCH_USED }) { print("C baseline: unexpected verdict") }
    }

    // The filter alone, C and Swift, on the same values.
    var bestFilterC = Double.infinity
    var sinkFilterC = 0.0
    for _ in 0..<runs {
        var total = 0.0
        for c in 0..<cycles {
            let start = clock.now
            mids[c % variants].withUnsafeBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                var kept: Int32 = 0
                for p in 0..<pairCount {
                    sinkFilterC += cbench_aggregate(base + p * sourceCount, Int32(sourceCount), 5, 50, &kept)
                }
            }
            total += nanoseconds(clock.now - start)
        }
        bestFilterC = min(bestFilterC, total / Double(cycles * pairCount))
    }

    var bestFilter = Double.infinity
    var sinkFilter = 0.0
    var scratch = [Double](repeating: 0, count: 2 * sourceCount)
    var kept = [Bool](repeating: false, count: sourceCount)
    for _ in 0..<runs {
        var total = 0.0
        for c in 0..<cycles {
            let start = clock.now
            mids[c % variants].withUnsafeBufferPointer { buf in
                scratch.withUnsafeMutableBufferPointer { sc in
                    kept.withUnsafeMutableBufferPointer { kp in
                        for p in 0..<pairCount {
                            let values = UnsafeBufferPointer(rebasing: buf[(p * sourceCount)..<((p + 1) * sourceCount)])
                            sinkFilter += RobustFilter.filter(values: values, scratch: sc, kept: kp,
                                                              madK: 5, madFloorBps: 50)?.price ?? 0
                        }
                    }
                }
            }
            total += nanoseconds(clock.now - start)
        }
        bestFilter = min(bestFilter, total / Double(cycles * pairCount))
    }

    // The sinks keep the optimiser from deleting the work; they are never this small. Both full
    // implementations must also agree on what they computed.
    if sinkSwift < 0 || sinkC < 0 || sinkFilter < 0 || sinkFilterC < 0 {
        print("impossible sink", sinkSwift, sinkC, sinkFilter, sinkFilterC)
    }
    if abs(sinkSwift / 2 - sinkC) > 1e-6 * sinkC {
        print("aggregate: Swift and C disagree", sinkSwift / 2, sinkC)
    }
    return [
        ("aggregate_ns_per_pair", bestCycle, "ns"),
        ("aggregate_retained_ns_per_pair", bestRetained, "ns"),
        ("aggregate_c_ns_per_pair", bestC, "ns"),
        ("aggregate_ingest_ns_per_pair", bestIngest, "ns"),
        ("aggregate_filter_ns_per_pair", bestFilter, "ns"),
        ("aggregate_filter_c_ns_per_pair", bestFilterC, "ns"),
    ]
}

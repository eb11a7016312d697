import OracleCore
import Testing

/// Builders for aggregation tests (namespaced so they cannot clash with other suites' helpers).
enum AggregationFixtures {
    static func number(_ v: Double) -> VenueNumber { VenueNumber(text: "\(v)", value: v) }

    static func quote(last: Double? = nil, bid: Double? = nil, ask: Double? = nil, venueMs: Int64? = nil) -> Quote {
        Quote(bid: bid.map(number), ask: ask.map(number), last: last.map(number), exchangeTimestampMs: venueMs)
    }

    static func policy(minSources: Int = 3, maxAgeMs: Int64 = 30_000, maxHoldMs: Int64 = 120_000,
                       frozenCycles: Int = 3, dispersionBps: Double = 200) -> AggregationPolicy {
        AggregationPolicy(minSources: minSources, maxAgeMs: maxAgeMs, maxHoldMs: maxHoldMs, maxFutureSkewMs: 5_000,
                          madK: 5, madFloorBps: 50, dispersionBps: dispersionBps, frozenCycles: frozenCycles,
                          maxSpreadBps: 500)
    }

    static func pair(_ symbol: String, sources: [String], policy: AggregationPolicy = policy()) -> PairSpec {
        PairSpec(symbol: symbol, sources: sources.map { PairSourceSpec(source: $0, symbol: $0 + ":" + symbol) },
                 policy: policy)
    }

    /// The report for one source of a mark.
    static func report(_ mark: Mark?, _ source: String) -> SourceReport? {
        mark?.sources.first { $0.source == source }
    }

    /// Feeds quotes to an engine with increasing response sequence numbers per call.
    struct Feeder {
        var engine: MarkEngine
        var seq: UInt64 = 0

        mutating func feed(_ pair: String, _ source: String, _ quote: Quote, receivedAtMs: Int64) {
            seq += 1
            let ok = engine.ingest(pair: pair, source: source,
                                   sample: SourceSample(result: .success(quote), receivedAtMs: receivedAtMs, responseSeq: seq))
            #expect(ok, "fixture fed an unknown pair/source \(pair)/\(source)")
        }

        mutating func fail(_ pair: String, _ source: String, _ error: VenueError, receivedAtMs: Int64) {
            seq += 1
            let ok = engine.ingest(pair: pair, source: source,
                                   sample: SourceSample(result: .failure(error), receivedAtMs: receivedAtMs, responseSeq: seq))
            #expect(ok, "fixture fed an unknown pair/source \(pair)/\(source)")
        }

        /// Feeds `last` prices to the named sources of `pair`, all received at `now`.
        mutating func feedLasts(_ pair: String, _ values: [String: Double], now: Int64) {
            for (source, v) in values.sorted(by: { $0.key < $1.key }) {
                feed(pair, source, AggregationFixtures.quote(last: v), receivedAtMs: now)
            }
        }

        mutating func cycle(_ now: Int64) -> [String: Mark] { engine.cycle(nowMs: now) }
    }
}

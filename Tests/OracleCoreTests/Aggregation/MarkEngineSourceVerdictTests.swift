import Testing
import OracleCore

private typealias F = AggregationFixtures

@Suite("MarkEngine: per-source verdicts")
struct MarkEngineSourceVerdictTests {
    let t0: Int64 = 1_700_000_000_000

    private func engine(_ pairs: [PairSpec]) throws -> F.Feeder {
        F.Feeder(engine: try MarkEngine(pairs: pairs))
    }

    @Test func flashCrashIsAnOutlierAndTheMarkStaysPut() throws {
        var f = try engine([F.pair("BTC-USD", sources: ["a", "b", "c", "d", "e"])])
        f.feedLasts("BTC-USD", ["a": 67000, "b": 67010, "c": 66990, "d": 67005, "e": 67000 * 0.2], now: t0)
        let mark = try #require(f.cycle(t0)["BTC-USD"])
        let crashed = try #require(F.report(mark, "e"))
        #expect(crashed.verdict == .outlier)
        // median 67000, MAD 10, cut max(74.13, 335) = 335 = 50 bps; distance 53600 = 8000 bps
        #expect(crashed.reason == "8000 bps from median 67000 (cut 50 bps)")
        let others = try #require(RobustFilter.median([67000, 67010, 66990, 67005]))
        let price = try #require(mark.price)
        #expect(abs(price - others) / others < 0.001)
        #expect(price == 67002.5)
        #expect(mark.confidence == 10)
        #expect(mark.status == .ok && mark.statusReason == nil)
        #expect(mark.sourcesUsed == 4 && mark.sourcesTotal == 5)
        #expect(mark.sources.filter { $0.verdict == .used }.allSatisfy { $0.reason.isEmpty })
    }

    @Test func staleByVenueTimestampAndByReceiptTime() throws {
        var f = try engine([F.pair("X-USD", sources: ["venue", "receipt", "fresh"], policy: F.policy(minSources: 1))])
        f.feed("X-USD", "venue", F.quote(last: 100, venueMs: t0 - 40_000), receivedAtMs: t0)
        f.feed("X-USD", "receipt", F.quote(last: 100), receivedAtMs: t0 - 31_000)
        f.feed("X-USD", "fresh", F.quote(last: 100, venueMs: t0 - 29_000), receivedAtMs: t0 - 1_000)
        let mark = try #require(f.cycle(t0)["X-USD"])
        let venue = try #require(F.report(mark, "venue"))
        #expect(venue.verdict == .stale)
        #expect(venue.reason == "venue timestamp 40000 ms old (max 30000 ms)")
        #expect(venue.timeMs == t0 - 40_000)
        #expect(venue.value == 100)
        let receipt = try #require(F.report(mark, "receipt"))
        #expect(receipt.verdict == .stale)
        #expect(receipt.reason == "received 31000 ms ago (max 30000 ms)")
        #expect(receipt.timeMs == t0 - 31_000)
        #expect(F.report(mark, "fresh")?.verdict == .used)
        #expect(mark.sourcesUsed == 1)
    }

    @Test func maxAgeIsPerPair() throws {
        var f = try engine([
            F.pair("FAST-USD", sources: ["a", "b", "c"], policy: F.policy(maxAgeMs: 5_000)),
            F.pair("SLOW-USD", sources: ["a", "b", "c"], policy: F.policy(maxAgeMs: 30_000)),
        ])
        for pair in ["FAST-USD", "SLOW-USD"] {
            f.feedLasts(pair, ["a": 10, "b": 10.01, "c": 9.99], now: t0 - 10_000)
        }
        let marks = f.cycle(t0)
        #expect(marks["FAST-USD"]?.status == .unavailable)
        #expect(marks["FAST-USD"]?.sources.allSatisfy { $0.verdict == .stale } == true)
        #expect(marks["SLOW-USD"]?.status == .ok)
        #expect(marks["SLOW-USD"]?.price == 10)
    }

    @Test func futureTimestampIsRejectedBeyondTheSkew() throws {
        var f = try engine([F.pair("X-USD", sources: ["ahead", "skewed", "ok"], policy: F.policy(minSources: 1))])
        f.feed("X-USD", "ahead", F.quote(last: 100, venueMs: t0 + 10_000), receivedAtMs: t0)
        f.feed("X-USD", "skewed", F.quote(last: 100, venueMs: t0 + 4_000), receivedAtMs: t0)
        f.feed("X-USD", "ok", F.quote(last: 100, venueMs: t0), receivedAtMs: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(F.report(mark, "ahead")?.verdict == .error)
        #expect(F.report(mark, "ahead")?.reason == "timestamp 10000 ms in the future")
        #expect(F.report(mark, "skewed")?.verdict == .used)
        #expect(mark.sourcesUsed == 2)
    }

    @Test func frozenOnlyWhileOthersMoveAndCountedByResponses() throws {
        var f = try engine([F.pair("X-USD", sources: ["stuck", "b", "c"], policy: F.policy(frozenCycles: 3))])
        var now = t0
        func respond(_ r: Int) -> Mark? {
            now += 1_000
            f.feedLasts("X-USD", ["stuck": 100, "b": 100 + Double(r) * 0.01, "c": 100 - Double(r) * 0.01], now: now)
            return f.cycle(now)["X-USD"]
        }
        _ = respond(0)                         // first observation
        #expect(F.report(respond(1), "stuck")?.verdict == .used)   // 1 repeat
        // Cycles with no new response do not count as repeats.
        for _ in 0..<5 {
            now += 1_000
            #expect(F.report(f.cycle(now)["X-USD"], "stuck")?.verdict == .used)
        }
        #expect(F.report(respond(2), "stuck")?.verdict == .used)   // 2 repeats
        let frozen = try #require(respond(3))                       // 3 repeats while b, c moved
        #expect(F.report(frozen, "stuck")?.verdict == .frozen)
        #expect(F.report(frozen, "stuck")?.reason.contains("unchanged for 3 responses") == true)
        #expect(frozen.status == .degraded && frozen.statusReason == "quorum 2/3")
        // It recovers as soon as its value moves.
        now += 1_000
        f.feedLasts("X-USD", ["stuck": 100.02, "b": 100.05, "c": 99.95], now: now)
        #expect(F.report(f.cycle(now)["X-USD"], "stuck")?.verdict == .used)
    }

    @Test func flatMarketIsNotFrozen() throws {
        var f = try engine([F.pair("X-USD", sources: ["a", "b", "c"], policy: F.policy(frozenCycles: 3))])
        var mark: Mark?
        for r in 0..<10 {
            let now = t0 + Int64(r) * 1_000
            f.feedLasts("X-USD", ["a": 1, "b": 1, "c": 1], now: now)
            mark = f.cycle(now)["X-USD"]
        }
        #expect(mark?.status == .ok)
        #expect(mark?.sources.allSatisfy { $0.verdict == .used } == true)
    }

    @Test func crossedOrTooWideBookFallsBackToLastOrIsRejected() throws {
        var f = try engine([F.pair("X-USD", sources: ["crossed", "crossedNoLast", "wide", "book"],
                                   policy: F.policy(minSources: 1))])
        f.feed("X-USD", "crossed", F.quote(last: 100.5, bid: 101, ask: 100), receivedAtMs: t0)
        f.feed("X-USD", "crossedNoLast", F.quote(bid: 101, ask: 100), receivedAtMs: t0)
        f.feed("X-USD", "wide", F.quote(last: 100.2, bid: 90, ask: 110), receivedAtMs: t0)
        f.feed("X-USD", "book", F.quote(last: 50, bid: 99.9, ask: 100.1), receivedAtMs: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(F.report(mark, "crossed")?.verdict == .used)
        #expect(F.report(mark, "crossed")?.value == 100.5)
        #expect(F.report(mark, "crossedNoLast")?.verdict == .error)
        #expect(F.report(mark, "crossedNoLast")?.reason == "crossed book: bid 101 > ask 100 and no last price")
        #expect(F.report(mark, "wide")?.value == 100.2)
        #expect(F.report(mark, "book")?.value == 100)   // mid, not the stale last
    }

    @Test(arguments: [
        (0.0, "last is zero"),
        (-5.0, "last -5 is negative"),
        (Double.nan, "last NaN is not finite"),
        (Double.infinity, "last inf is not finite"),
        (1e308, "last 1e+308 is absurd (above 1e12)"),
        (1e-15, "last 1e-15 is absurd (below 1e-12)"),
    ])
    func absurdValuesAreRejected(value: Double, reason: String) throws {
        var f = try engine([F.pair("X-USD", sources: ["bad", "good"], policy: F.policy(minSources: 1))])
        f.feed("X-USD", "bad", F.quote(last: value), receivedAtMs: t0)
        f.feed("X-USD", "good", F.quote(last: 100), receivedAtMs: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        let bad = try #require(F.report(mark, "bad"))
        #expect(bad.verdict == .error)
        #expect(bad.reason == reason)
        #expect(bad.value == nil)
        #expect(mark.price == 100 && mark.sourcesUsed == 1)
    }

    @Test func badBookSideIsRejectedWithoutLast() throws {
        var f = try engine([F.pair("X-USD", sources: ["a", "b"], policy: F.policy(minSources: 1))])
        f.feed("X-USD", "a", F.quote(bid: 0, ask: 100), receivedAtMs: t0)
        f.feed("X-USD", "b", F.quote(bid: 99), receivedAtMs: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(F.report(mark, "a")?.reason == "bid is zero and no last price")
        #expect(F.report(mark, "b")?.reason == "one-sided book (bid without ask) and no last price")
        #expect(mark.status == .unavailable && mark.price == nil)
    }

    @Test func venueErrorCarriesItsMessageAndMissingSourcesSaySo() throws {
        var f = try engine([F.pair("X-USD", sources: ["a", "b", "silent"], policy: F.policy(minSources: 1))])
        f.fail("X-USD", "a", VenueError(.rateLimited, "HTTP 429 too many requests"), receivedAtMs: t0)
        f.feed("X-USD", "b", F.quote(last: 5), receivedAtMs: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(F.report(mark, "a")?.verdict == .error)
        #expect(F.report(mark, "a")?.reason == "rate_limited: HTTP 429 too many requests")
        #expect(F.report(mark, "silent")?.reason == "no response yet")
        #expect(mark.sourcesUsed == 1 && mark.sourcesTotal == 3)
    }

    @Test func unknownPairOrSourceIsIgnored() throws {
        var engine = try MarkEngine(pairs: [F.pair("X-USD", sources: ["a"])])
        let sample = SourceSample(result: .success(F.quote(last: 1)), receivedAtMs: t0, responseSeq: 1)
        #expect(engine.ingest(pair: "Y-USD", source: "a", sample: sample) == false)
        #expect(engine.ingest(pair: "X-USD", source: "zz", sample: sample) == false)
        #expect(engine.ingest(pair: "X-USD", source: "a", sample: sample) == true)
    }
}

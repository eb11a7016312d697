import Testing
import OracleCore

private typealias F = AggregationFixtures

/// The engine rewrites each pair's previous `Mark` in place to avoid per-cycle allocation;
/// these pin down that nothing of an earlier cycle leaks through and that callers keep value
/// semantics, plus the compact per-source storage (presence flags instead of `Optional`s).
@Suite("MarkEngine: in-place marks and compact source state")
struct MarkEngineInPlaceTests {
    let t0: Int64 = 1_700_000_000_000

    @Test func marksAHolderKeepsNeverChangeUnderIt() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["a", "b", "c", "d"])]))
        f.feedLasts("X-USD", ["a": 100, "b": 100.1, "c": 99.9, "d": 20], now: t0)
        let first = f.cycle(t0)
        let firstMark = try #require(first["X-USD"])
        #expect(F.report(firstMark, "d")?.verdict == .outlier)

        f.feedLasts("X-USD", ["a": 200, "b": 200.1, "c": 199.9, "d": 200], now: t0 + 1_000)
        let second = try #require(f.cycle(t0 + 1_000)["X-USD"])
        #expect(second.price == 200 && second.seq == 2)
        // The dictionary returned by the first cycle is untouched by the second.
        #expect(first["X-USD"] == firstMark)
        #expect(first["X-USD"]?.price == 100 && first["X-USD"]?.seq == 1)
        #expect(F.report(first["X-USD"], "d")?.verdict == .outlier)
        #expect(F.report(first["X-USD"], "d")?.value == 20)
    }

    @Test func reasonsAndStatusReasonsDoNotLeakIntoLaterCycles() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["a", "b", "c", "d"])]))
        f.feedLasts("X-USD", ["a": 100, "b": 100.1, "c": 99.9, "d": 20], now: t0)
        let outlier = try #require(f.cycle(t0)["X-USD"])
        #expect(F.report(outlier, "d")?.reason.isEmpty == false)

        // d back in line: used, with an empty reason and its new value.
        f.feedLasts("X-USD", ["a": 100, "b": 100.1, "c": 99.9, "d": 100.05], now: t0 + 1_000)
        let healed = try #require(f.cycle(t0 + 1_000)["X-USD"])
        #expect(healed.sources.allSatisfy { $0.verdict == .used && $0.reason.isEmpty })
        #expect(F.report(healed, "d")?.value == 100.05)
        #expect(healed.status == .ok && healed.statusReason == nil && healed.sourcesUsed == 4)

        // Everything stale: held, with a status reason and stale verdicts…
        let held = try #require(f.cycle(t0 + 40_000)["X-USD"])
        #expect(held.status == .stale && held.statusReason != nil)
        #expect(held.sources.allSatisfy { $0.verdict == .stale && !$0.reason.isEmpty })

        // …and back to ok without any of it.
        f.feedLasts("X-USD", ["a": 101, "b": 101.1, "c": 100.9, "d": 101], now: t0 + 41_000)
        let back = try #require(f.cycle(t0 + 41_000)["X-USD"])
        #expect(back.status == .ok && back.statusReason == nil)
        #expect(back.sources.allSatisfy { $0.verdict == .used && $0.reason.isEmpty })
        #expect(back.updatedAtMs == t0 + 41_000)
    }

    @Test func cycleReturnsExactlyTheEnginesMarks() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [
            F.pair("A-USD", sources: ["a", "b", "c"]),
            F.pair("B-USD", sources: ["a", "b", "c"]),
        ]))
        #expect(f.engine.marks.isEmpty)
        f.feedLasts("A-USD", ["a": 1, "b": 1, "c": 1], now: t0)
        let marks = f.cycle(t0)
        #expect(marks == f.engine.marks)
        #expect(Set(marks.keys) == ["A-USD", "B-USD"])
        #expect(marks["A-USD"]?.pair == "A-USD" && marks["B-USD"]?.pair == "B-USD")
        #expect(marks["B-USD"]?.status == .unavailable)
    }

    @Test func reloadThatReordersSourcesReshapesTheMark() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["a", "b", "c"])]))
        f.feedLasts("X-USD", ["a": 10, "b": 10.01, "c": 9.99], now: t0)
        _ = f.cycle(t0)
        try f.engine.reconfigure(pairs: [F.pair("X-USD", sources: ["c", "a"])])
        let mark = try #require(f.cycle(t0 + 1_000)["X-USD"])
        #expect(mark.sources.map(\.source) == ["c", "a"])
        #expect(mark.sourcesTotal == 2 && mark.sourcesUsed == 2)
        #expect(F.report(mark, "c")?.value == 9.99)
        #expect(mark.seq == 2)
    }

    @Test func presentNaNBookSideIsNotTreatedAsMissing() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["nan", "absent", "both"],
                                                               policy: F.policy(minSources: 1))]))
        f.feed("X-USD", "nan", F.quote(bid: .nan, ask: 100), receivedAtMs: t0)
        f.feed("X-USD", "absent", F.quote(ask: 100), receivedAtMs: t0)
        f.feed("X-USD", "both", F.quote(last: 7, bid: 6.99, ask: 7.01, venueMs: t0 - 5), receivedAtMs: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(F.report(mark, "nan")?.reason == "bid NaN is not finite and no last price")
        #expect(F.report(mark, "absent")?.reason == "one-sided book (ask without bid) and no last price")
        #expect(F.report(mark, "both")?.value == 7)
        #expect(F.report(mark, "both")?.timeMs == t0 - 5)   // venue time, not receipt
    }

    @Test func repeatedValueWithAdvancingVenueTimeIsNotFrozen() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["ticking", "stuck", "b", "c"],
                                                               policy: F.policy(frozenCycles: 2))]))
        var mark: Mark?
        for r in 0..<5 {
            let now = t0 + Int64(r) * 1_000
            // Same price each time; "ticking" reports a new venue time, "stuck" the same one.
            f.feed("X-USD", "ticking", F.quote(last: 100, venueMs: now - 10), receivedAtMs: now)
            f.feed("X-USD", "stuck", F.quote(last: 100, venueMs: t0 - 10), receivedAtMs: now)
            f.feed("X-USD", "b", F.quote(last: 100 + Double(r) * 0.01), receivedAtMs: now)
            f.feed("X-USD", "c", F.quote(last: 100 - Double(r) * 0.01), receivedAtMs: now)
            mark = f.cycle(now)["X-USD"]
        }
        #expect(F.report(mark, "ticking")?.verdict == .used)
        #expect(F.report(mark, "stuck")?.verdict == .frozen)
    }
}

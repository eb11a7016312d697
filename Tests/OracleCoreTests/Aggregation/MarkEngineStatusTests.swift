import Testing
import OracleCore

private typealias F = AggregationFixtures

@Suite("MarkEngine: quorum, dispersion, hold and seq")
struct MarkEngineStatusTests {
    let t0: Int64 = 1_700_000_000_000

    @Test func quorumLossDegradesAndRecoveryRestoresOk() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("ETH-USD", sources: ["a", "b", "c"])]))
        f.feedLasts("ETH-USD", ["a": 3000, "b": 3001, "c": 2999], now: t0)
        let first = try #require(f.cycle(t0)["ETH-USD"])
        #expect(first.status == .ok && first.seq == 1 && first.price == 3000)

        f.feedLasts("ETH-USD", ["a": 3002, "b": 3003], now: t0 + 1_000)
        f.fail("ETH-USD", "c", VenueError(.unavailable, "HTTP 503"), receivedAtMs: t0 + 1_000)
        let degraded = try #require(f.cycle(t0 + 1_000)["ETH-USD"])
        #expect(degraded.status == .degraded)
        #expect(degraded.statusReason == "quorum 2/3")
        #expect(degraded.price == 3002.5)
        #expect(degraded.sourcesUsed == 2 && degraded.sourcesTotal == 3)
        #expect(degraded.updatedAtMs == t0 + 1_000 && degraded.seq == 2)

        f.feedLasts("ETH-USD", ["a": 3004, "b": 3005, "c": 3006], now: t0 + 2_000)
        let recovered = try #require(f.cycle(t0 + 2_000)["ETH-USD"])
        #expect(recovered.status == .ok && recovered.statusReason == nil)
        #expect(recovered.price == 3005 && recovered.seq == 3)
    }

    @Test func allSourcesGoneHoldsTheLastPriceAsStaleThenUnavailable() throws {
        let policy = F.policy(maxAgeMs: 30_000, maxHoldMs: 120_000)
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("SOL-USD", sources: ["a", "b", "c"], policy: policy)]))
        f.feedLasts("SOL-USD", ["a": 150, "b": 150.1, "c": 149.9], now: t0)
        let good = try #require(f.cycle(t0)["SOL-USD"])
        #expect(good.status == .ok && good.price == 150)

        // 31 s later nothing new arrived: every source is stale, the price is held with its own time.
        let held = try #require(f.cycle(t0 + 31_000)["SOL-USD"])
        #expect(held.status == .stale)
        #expect(held.price == 150)
        #expect(held.confidence == good.confidence)
        #expect(held.updatedAtMs == t0)
        #expect(held.seq == good.seq)
        #expect(held.sourcesUsed == 0)
        #expect(held.sources.allSatisfy { $0.verdict == .stale })
        #expect(held.statusReason == "no usable source (3 stale); holding last price from 31000 ms ago (max hold 120000 ms)")

        // Still held exactly at the hold limit…
        #expect(f.cycle(t0 + 120_000)["SOL-USD"]?.status == .stale)
        // …and gone one millisecond later.
        let gone = try #require(f.cycle(t0 + 120_001)["SOL-USD"])
        #expect(gone.status == .unavailable)
        #expect(gone.price == nil && gone.confidence == nil && gone.updatedAtMs == nil)
        #expect(gone.statusReason?.contains("exceeds max hold 120000 ms") == true)

        // Fresh quotes bring it back with a new seq.
        f.feedLasts("SOL-USD", ["a": 160, "b": 160, "c": 160], now: t0 + 200_000)
        let back = try #require(f.cycle(t0 + 200_000)["SOL-USD"])
        #expect(back.status == .ok && back.price == 160 && back.seq == good.seq + 1)
    }

    @Test func neverAPriceBeforeTheFirstFreshQuote() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["a"])]))
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(mark.status == .unavailable && mark.price == nil && mark.seq == 0)
        #expect(mark.statusReason == "no usable source (1 error); no price computed yet")
    }

    @Test func twoSourcesAreBothKeptAndDispersionDecides() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [
            F.pair("X-USD", sources: ["a", "b"], policy: F.policy(minSources: 2, dispersionBps: 200)),
        ]))
        f.feedLasts("X-USD", ["a": 100, "b": 103], now: t0)
        let wide = try #require(f.cycle(t0)["X-USD"])
        #expect(wide.sources.allSatisfy { $0.verdict == .used })
        #expect(wide.status == .degraded)
        #expect(wide.statusReason == "dispersion 295.6 bps > 200")   // 3 / 101.5
        #expect(wide.price == 101.5)

        f.feedLasts("X-USD", ["a": 100, "b": 100.5], now: t0 + 1_000)
        let close = try #require(f.cycle(t0 + 1_000)["X-USD"])
        #expect(close.status == .ok && close.sourcesUsed == 2)
    }

    @Test func quorumAndDispersionReasonsCombine() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["a", "b", "c"])]))
        f.feedLasts("X-USD", ["a": 100, "b": 110], now: t0)
        let mark = try #require(f.cycle(t0)["X-USD"])
        #expect(mark.status == .degraded)
        #expect(mark.statusReason == "quorum 2/3; dispersion 952.4 bps > 200")
    }

    @Test func seqCountsFreshComputationsOnly() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [F.pair("X-USD", sources: ["a"], policy: F.policy(minSources: 1))]))
        f.feedLasts("X-USD", ["a": 1], now: t0)
        #expect(f.cycle(t0)["X-USD"]?.seq == 1)
        #expect(f.cycle(t0 + 1_000)["X-USD"]?.seq == 2)
        #expect(f.cycle(t0 + 60_000)["X-USD"]?.seq == 2)   // held: no new price
        #expect(f.engine.marks["X-USD"]?.seq == 2)
    }
}

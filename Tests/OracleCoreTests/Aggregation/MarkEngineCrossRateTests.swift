import Testing
import OracleCore

private typealias F = AggregationFixtures

@Suite("MarkEngine: cross rates, dependency order and reconfiguration")
struct MarkEngineCrossRateTests {
    let t0: Int64 = 1_700_000_000_000

    /// BTC-USD is listed first although it depends on USDT-USD.
    private func specs() -> [PairSpec] {
        [
            PairSpec(symbol: "BTC-USD", sources: [
                PairSourceSpec(source: "coinbase", symbol: "BTC-USD"),
                PairSourceSpec(source: "kraken", symbol: "XBTUSD"),
                PairSourceSpec(source: "binance", symbol: "BTCUSDT", convert: "USDT-USD"),
            ], policy: F.policy()),
            F.pair("USDT-USD", sources: ["kraken", "bitstamp", "coinbase"]),
        ]
    }

    @Test func crossRateUsesThisCyclesConvertMark() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: specs()))
        #expect(f.engine.pairOrder == ["USDT-USD", "BTC-USD"])

        f.feedLasts("USDT-USD", ["kraken": 0.999, "bitstamp": 0.999, "coinbase": 0.999], now: t0)
        f.feedLasts("BTC-USD", ["coinbase": 67000, "kraken": 66990, "binance": 67050], now: t0)
        let first = f.cycle(t0)
        let binance = try #require(F.report(first["BTC-USD"], "binance"))
        #expect(binance.verdict == .used)
        #expect(binance.value == 67050 * 0.999)

        // The rate moves; the same raw BTCUSDT quote is converted at the new rate in the same cycle.
        f.feedLasts("USDT-USD", ["kraken": 1.001, "bitstamp": 1.001, "coinbase": 1.001], now: t0 + 1_000)
        f.feedLasts("BTC-USD", ["coinbase": 67000, "kraken": 66990, "binance": 67050], now: t0 + 1_000)
        let second = f.cycle(t0 + 1_000)
        #expect(F.report(second["BTC-USD"], "binance")?.value == 67050 * 1.001)
        #expect(second["BTC-USD"]?.price == 67000)
    }

    @Test func unusableConvertPairMakesTheSourceAnError() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: specs()))
        f.feedLasts("USDT-USD", ["kraken": 1, "bitstamp": 1, "coinbase": 1], now: t0)
        f.feedLasts("BTC-USD", ["coinbase": 67000, "kraken": 66990, "binance": 67050], now: t0)
        _ = f.cycle(t0)

        // USDT-USD sources fail: its mark is held (stale), which must not price a fresh BTC quote.
        for s in ["kraken", "bitstamp", "coinbase"] {
            f.fail("USDT-USD", s, VenueError(.unavailable, "HTTP 502"), receivedAtMs: t0 + 1_000)
        }
        f.feedLasts("BTC-USD", ["coinbase": 67000, "kraken": 66990, "binance": 67050], now: t0 + 1_000)
        let marks = f.cycle(t0 + 1_000)
        #expect(marks["USDT-USD"]?.status == .stale)
        let binance = try #require(F.report(marks["BTC-USD"], "binance"))
        #expect(binance.verdict == .error)
        #expect(binance.reason == "convert pair USDT-USD is stale")
        #expect(binance.value == nil)
        #expect(marks["BTC-USD"]?.status == .degraded)

        // With no convert price at all it says unavailable.
        var cold = F.Feeder(engine: try MarkEngine(pairs: specs()))
        cold.feedLasts("BTC-USD", ["binance": 67050], now: t0)
        #expect(F.report(cold.cycle(t0)["BTC-USD"], "binance")?.reason == "convert pair USDT-USD is unavailable")
    }

    @Test func badConfigurationsAreRejectedAtInit() {
        let cycle = [
            PairSpec(symbol: "A-B", sources: [PairSourceSpec(source: "x", symbol: "AB", convert: "B-A")], policy: F.policy()),
            PairSpec(symbol: "B-A", sources: [PairSourceSpec(source: "x", symbol: "BA", convert: "A-B")], policy: F.policy()),
        ]
        #expect { try MarkEngine(pairs: cycle) } throws: { ($0 as? MarkEngineError)?.code == .convertCycle }
        do {
            _ = try MarkEngine(pairs: cycle)
        } catch {
            #expect(error.message.contains("A-B → B-A → A-B"))
        }

        let selfLoop = [PairSpec(symbol: "A-B", sources: [PairSourceSpec(source: "x", symbol: "AB", convert: "A-B")],
                                 policy: F.policy())]
        #expect { try MarkEngine(pairs: selfLoop) } throws: { ($0 as? MarkEngineError)?.code == .convertCycle }

        let unknown = [PairSpec(symbol: "A-B", sources: [PairSourceSpec(source: "x", symbol: "AB", convert: "Q-R")],
                                policy: F.policy())]
        #expect { try MarkEngine(pairs: unknown) } throws: {
            ($0 as? MarkEngineError)?.code == .unknownConvertPair && "\($0)".contains("Q-R")
        }

        #expect { try MarkEngine(pairs: [F.pair("A-B", sources: ["x"]), F.pair("A-B", sources: ["y"])]) } throws: {
            ($0 as? MarkEngineError)?.code == .duplicatePair
        }
        #expect { try MarkEngine(pairs: [F.pair("A-B", sources: ["x", "x"])]) } throws: {
            ($0 as? MarkEngineError)?.code == .duplicateSource
        }
        #expect { try MarkEngine(pairs: [F.pair("A-B", sources: [])]) } throws: {
            ($0 as? MarkEngineError)?.code == .noSources
        }
        var lowK = F.policy()
        lowK.madK = 0.5
        #expect { try MarkEngine(pairs: [F.pair("A-B", sources: ["x"], policy: lowK)]) } throws: {
            ($0 as? MarkEngineError)?.code == .invalidPolicy && "\($0)".contains("mad_k")
        }
    }

    @Test func longConvertChainsAreOrdered() throws {
        // D converts through C, C through B, B through A; listed backwards.
        let specs = ["D", "C", "B"].enumerated().map { i, s in
            PairSpec(symbol: "\(s)-USD", sources: [PairSourceSpec(source: "x", symbol: s, convert: "\(["C", "B", "A"][i])-USD")],
                     policy: F.policy(minSources: 1))
        } + [F.pair("A-USD", sources: ["x"], policy: F.policy(minSources: 1))]
        var f = F.Feeder(engine: try MarkEngine(pairs: specs))
        #expect(f.engine.pairOrder == ["A-USD", "B-USD", "C-USD", "D-USD"])
        for s in ["A", "B", "C", "D"] { f.feedLasts("\(s)-USD", ["x": 2], now: t0) }
        #expect(f.cycle(t0)["D-USD"]?.price == 16)
    }

    @Test func reconfigureKeepsMarksHeldStateAndMatchingSamples() throws {
        var f = F.Feeder(engine: try MarkEngine(pairs: [
            F.pair("BTC-USD", sources: ["a", "b", "c"]),
            F.pair("ETH-USD", sources: ["a", "b", "c"]),
        ]))
        f.feedLasts("BTC-USD", ["a": 67000, "b": 67010, "c": 66990], now: t0)
        f.feedLasts("ETH-USD", ["a": 3000, "b": 3000, "c": 3000], now: t0)
        let before = try #require(f.cycle(t0)["BTC-USD"])

        // A bad config changes nothing.
        let broken = [PairSpec(symbol: "BTC-USD", sources: [PairSourceSpec(source: "a", symbol: "a", convert: "NOPE")],
                               policy: F.policy())]
        #expect(throws: MarkEngineError.self) { try f.engine.reconfigure(pairs: broken) }
        #expect(f.engine.pairOrder == ["BTC-USD", "ETH-USD"])

        // BTC-USD gains a source and c changes venue symbol; ETH-USD goes away; SOL-USD arrives.
        var btc = F.pair("BTC-USD", sources: ["a", "b", "c", "d"])
        btc.sources[2].symbol = "renamed"
        try f.engine.reconfigure(pairs: [btc, F.pair("SOL-USD", sources: ["a"])])
        #expect(f.engine.marks["BTC-USD"] == before)
        #expect(f.engine.marks["ETH-USD"] == nil)

        let after = try #require(f.cycle(t0 + 1_000)["BTC-USD"])
        #expect(after.sourcesTotal == 4)
        #expect(F.report(after, "a")?.verdict == .used)
        #expect(F.report(after, "c")?.reason == "no response yet")    // sample was for another symbol
        #expect(F.report(after, "d")?.reason == "no response yet")
        #expect(after.seq == before.seq + 1)
        #expect(after.status == .degraded && after.price == 67005)

        // The held price survives a reload too.
        let held = try #require(f.cycle(t0 + 40_000)["BTC-USD"])
        #expect(held.status == .stale && held.price == 67005 && held.updatedAtMs == t0 + 1_000)
    }
}

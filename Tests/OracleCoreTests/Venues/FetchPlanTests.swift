import OracleCore
import Testing

/// The request planner: which requests a cycle may start and which (pair, source) slots each feeds.
@Suite struct FetchPlanTests {
    private func pair(_ symbol: String, _ sources: [(String, String)]) -> PairSpec {
        PairSpec(symbol: symbol, sources: sources.map { PairSourceSpec(source: $0.0, symbol: $0.1) }, policy: AggregationPolicy())
    }

    private let sources = [
        SourceSpec(name: "bin", kind: .binance, baseURL: "http://b", maxBodyBytes: 1000),
        SourceSpec(name: "cb", kind: .coinbase, baseURL: "http://c"),
        SourceSpec(name: "krk", kind: .kraken, baseURL: "http://k"),
    ]

    @Test func batchSourceIsOneRequestFanningOutToEveryPair() {
        let pairs = [
            pair("BTC-USD", [("bin", "BTCUSDT"), ("cb", "BTC-USD"), ("krk", "XBTUSD")]),
            pair("ETH-USD", [("bin", "ETHUSDT"), ("cb", "ETH-USD")]),
            pair("BTC-USDT", [("bin", "BTCUSDT")]),   // shares a symbol: one entry, two slots
        ]
        let plan = FetchPlan(pairs: pairs, sources: sources)
        let bin = plan.batchUnits.flatMap { $0 }.filter { $0.source == "bin" }
        #expect(bin.count == 1)
        #expect(bin.first?.url == "http://b/api/v3/ticker/bookTicker")
        #expect(bin.first?.symbols == ["BTCUSDT", "ETHUSDT"])
        #expect(bin.first?.isBatch == true)
        #expect(bin.first?.maxBodyBytes == BatchLimits.minBodyBytes)
        #expect(Set(bin.first?.targets ?? []) == [
            .init(pair: "BTC-USD", source: "bin", symbol: "BTCUSDT"), .init(pair: "ETH-USD", source: "bin", symbol: "ETHUSDT"),
            .init(pair: "BTC-USDT", source: "bin", symbol: "BTCUSDT"),
        ])
        // Coinbase has no batch endpoint; Kraken has one but a single symbol stays on the ticker endpoint.
        let single = plan.pairUnits.flatMap { $0 }
        #expect(single.map(\.source).sorted() == ["cb", "cb", "krk"])
        #expect(single.allSatisfy { !$0.isBatch && $0.targets.count == 1 && $0.symbols.count == 1 })
        #expect(single.first { $0.source == "krk" }?.url == "http://k/0/public/Ticker?pair=XBTUSD")
        #expect(plan.requestCount == 4)
    }

    @Test func rotationServesEveryRequestFirstInTurn() {
        let pairs = (1...3).map { pair("P\($0)-USD", [("cb", "P\($0)-USD"), ("bin", "P\($0)USDT")]) }
        let plan = FetchPlan(pairs: pairs, sources: sources)
        let firstSingles = (0..<3).map { r in plan.order(rotation: r).first { !$0.isBatch }!.targets[0].pair }
        #expect(Set(firstSingles) == ["P1-USD", "P2-USD", "P3-USD"])
        // Every unit appears exactly once per cycle, whatever the rotation (a wrapped counter included).
        for r in [0, 1, 7, Int.max, Int.min] {
            let keys = plan.order(rotation: r).map(\.key)
            #expect(keys.count == plan.requestCount && Set(keys).count == keys.count)
        }
    }

    @Test func splitBatchesRotateAndKeysAreStableAcrossRebuilds() {
        let pairs = (1...450).map { pair("S\($0)-USD", [("krk", "S\($0)USD")]) }
        let plan = FetchPlan(pairs: pairs, sources: sources)
        #expect(plan.batchUnits.first?.count == 3)
        #expect(plan.order(rotation: 0).first?.key != plan.order(rotation: 1).first?.key)
        let again = FetchPlan(pairs: pairs, sources: sources)
        #expect(again == plan)
        #expect(plan.batchUnits.flatMap { $0 }.reduce(0) { $0 + $1.targets.count } == 450)
    }

    @Test func pairsOnUnknownSourcesAreSkipped() {
        let plan = FetchPlan(pairs: [pair("X-USD", [("nope", "X"), ("cb", "X-USD")])], sources: sources)
        #expect(plan.requestCount == 1)
    }
}

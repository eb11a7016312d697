import OracleCore
import Testing

/// A `BatchParsePlan` is built once per (source, symbol list) and reused for every answer: it
/// must give exactly what the one-shot `parseBatch(kind, symbols:…)` gives, body after body, and
/// the byte-level name matching (Kraken's legacy prefixes, Pyth's feed ids) must accept what the
/// String-based matching accepted.
@Suite struct BatchParsePlanTests {
    private func lastText(_ r: Result<Quote, VenueError>?) -> String? {
        if case .success(let q)? = r { return q.last?.text }
        return nil
    }

    @Test(arguments: BatchBodies.kinds)
    func aReusedPlanGivesTheOneShotAnswerForEveryBody(kind: VenueKind) {
        let symbols = [2, 5, 2, 9].map { BatchBodies.symbol(kind, $0) }   // 2 twice: duplicates dropped
        let plan = BatchParsePlan(kind: kind, symbols: symbols)
        #expect(plan.symbols == [2, 5, 9].map { BatchBodies.symbol(kind, $0) })
        for round in 0..<3 {
            // A different body each time: other prices, symbol 9 missing, one malformed entry.
            var entries = (1...8).map { i in
                BatchBodies.Entry(i: i, bid: "\(100 + i + round).25", ask: "\(100 + i + round).75", last: "\(100 + i + round).50")
            }
            if round == 2 { entries[4].malformed = true }
            let response = BatchBodies.response(kind, entries)
            let planned = VenueAdapters.parseBatchAnswer(plan, response: response)
            let oneShot = VenueAdapters.parseBatchAnswer(kind, symbols: symbols, response: response)
            #expect(planned.results == oneShot.results, "\(kind) round \(round)")
            #expect(planned.bodyError == oneShot.bodyError, "\(kind) round \(round)")
            #expect(planned.results.count == 3, "\(kind)")
            // The poll loop reads outcomes by the plan's index: they must be in the plan's order.
            #expect(planned.symbols == plan.symbols, "\(kind)")
            for symbol in symbols {
                #expect(plan.index(of: symbol).map { planned.outcomes[$0] } == oneShot.results[symbol], "\(kind) \(symbol)")
            }
            #expect(plan.index(of: BatchBodies.symbol(kind, 3)) == nil)
            if case .failure(let e)? = planned.results[BatchBodies.symbol(kind, 9)] {
                #expect(e.errorClass == .unknownSymbol, "\(kind): \(e)")
            } else {
                Issue.record("\(kind): symbol 9 is not in the body and must fail")
            }
        }
        // A failed body gives every planned symbol that one error.
        let failed = VenueAdapters.parseBatchAnswer(plan, response: VenueResponse(status: 503, body: Array("<html>busy</html>".utf8)))
        #expect(failed.bodyError != nil && failed.results.count == 3, "\(kind)")
        #expect(failed.outcomes.count == 3 && failed.outcomes.allSatisfy { $0 == .failure(failed.bodyError!) }, "\(kind)")
    }

    @Test func venuesWithoutABatchEndpointKeepThePlansOrder() {
        let body = #"{"ask":"101","bid":"99","price":"100","time":"2024-03-25T08:45:00.117Z","trade_id":1,"volume":"1"}"#
        let plan = BatchParsePlan(kind: .coinbase, symbols: ["BTC-USD", "ETH-USD"])
        let answer = VenueAdapters.parseBatchAnswer(plan, response: VenueResponse(status: 200, body: Array(body.utf8), receivedAtMs: 1_711_356_300_500))
        #expect(answer.symbols == ["BTC-USD", "ETH-USD"])
        #expect(answer.outcomes.count == 2)
        #expect(answer.results == VenueAdapters.parseBatchAnswer(.coinbase, symbols: ["BTC-USD", "ETH-USD"], response: VenueResponse(status: 200, body: Array(body.utf8), receivedAtMs: 1_711_356_300_500)).results)
    }

    @Test func plansCompareByVenueAndSymbols() {
        #expect(BatchParsePlan(kind: .binance, symbols: ["A", "B", "A"]) == BatchParsePlan(kind: .binance, symbols: ["A", "B"]))
        #expect(BatchParsePlan(kind: .binance, symbols: ["A", "B"]) != BatchParsePlan(kind: .bybit, symbols: ["A", "B"]))
        #expect(BatchParsePlan(kind: .binance, symbols: ["A", "B"]) != BatchParsePlan(kind: .binance, symbols: ["B", "A"]))
    }

    /// Kraken keys in other spellings than its usual upper case: the legacy-prefix retry folds
    /// the key's bytes in place; an escaped key goes the String way. Both must still match.
    @Test func krakenLegacyKeysMatchInAnySpellingAndWithEscapes() {
        func ticker(_ last: String) -> String { #"{"a":["3","1","1"],"b":["1","1","1"],"c":["\#(last)","1"]}"# }
        let body = #"{"error":[],"result":{"xxbt-zusd":\#(ticker("2")),"\u0055SDTZUSD":\#(ticker("1.000")),"XETHXXBT":\#(ticker("0.055")),"ZUSDZEUR":\#(ticker("0.9")),"SOLZGBP":\#(ticker("120")),"ADAUSD":\#(ticker("0.4"))}}"#
        let symbols = ["XBTUSD", "USDTUSD", "ETHXBT", "USDEUR", "SOLGBP", "DOTUSD"]
        let plan = BatchParsePlan(kind: .kraken, symbols: symbols)
        let out = VenueAdapters.parseBatchAnswer(plan, response: VenueResponse(status: 200, body: Array(body.utf8))).results
        #expect(lastText(out["XBTUSD"]) == "2")
        #expect(lastText(out["USDTUSD"]) == "1.000")
        #expect(lastText(out["ETHXBT"]) == "0.055")
        #expect(lastText(out["USDEUR"]) == "0.9")
        #expect(lastText(out["SOLGBP"]) == "120")
        if case .failure(let e)? = out["DOTUSD"] { #expect(e.errorClass == .unknownSymbol) } else { Issue.record("DOTUSD is not in the body") }
    }

    /// Hermes writes lower-case ids without `0x` (matched on the bytes in place); an answer with
    /// upper case or a `0x` prefix goes through the normalisation and still matches.
    @Test func pythIdsMatchWithAndWithoutNormalisation() {
        let a = String(repeating: "ab", count: 32), b = String(repeating: "cd", count: 32), c = String(repeating: "ef", count: 32)
        func entry(_ id: String, _ price: String) -> String {
            #"{"id":"\#(id)","price":{"price":"\#(price)","conf":"5","expo":-2,"publish_time":1711356300}}"#
        }
        let body = #"{"binary":{"encoding":"hex","data":[]},"parsed":[\#(entry(a, "101")),\#(entry("0x" + b.uppercased(), "202")),\#(entry("0x" + c, "303"))]}"#
        let plan = BatchParsePlan(kind: .pyth, symbols: ["0x" + a, b, c.uppercased()])
        let out = VenueAdapters.parseBatchAnswer(plan, response: VenueResponse(status: 200, body: Array(body.utf8))).results
        func price(_ r: Result<Quote, VenueError>?) -> String? {
            if case .success(let q)? = r { return q.last?.text ?? q.bid?.text }
            return nil
        }
        #expect(out.count == 3)
        for (symbol, want) in [("0x" + a, "1.01"), (b, "2.02"), (c.uppercased(), "3.03")] {
            #expect(price(out[symbol]) == want, "\(symbol): \(String(describing: out[symbol]))")
        }
    }

    @Test func fetchPlanBatchUnitsCarryTheirParsePlan() {
        let source = SourceSpec(name: "bin", kind: .binance, baseURL: "https://api.binance.com")
        let pairs = (1...3).map { i in
            PairSpec(symbol: "S\(i)-USD", sources: [PairSourceSpec(source: "bin", symbol: "S\(i)USD")], policy: AggregationPolicy())
        }
        let plan = FetchPlan(pairs: pairs, sources: [source])
        let unit = plan.batchUnits.first?.first
        #expect(unit?.isBatch == true)
        #expect(unit?.parsePlan == BatchParsePlan(kind: .binance, symbols: ["S1USD", "S2USD", "S3USD"]))
        #expect(plan.pairUnits.flatMap { $0 }.allSatisfy { $0.parsePlan == nil })
    }
}

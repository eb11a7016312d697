import Foundation
import OracleCore
import Testing

/// Batch parsers: only configured symbols are read, one bad entry spoils only itself, a missing
/// symbol is named, whole-body failures keep the single-ticker triage, and an entry gives the same
/// quote through the batch parser as through the single-ticker one.
@Suite struct BatchParserTests {
    private func parse(_ kind: VenueKind, _ symbols: [String], _ response: VenueResponse) -> [String: Result<Quote, VenueError>] {
        VenueAdapters.parseBatch(kind, symbols: symbols, response: response)
    }

    private func quote(_ r: Result<Quote, VenueError>?) -> Quote? {
        if case .success(let q)? = r { return q }
        return nil
    }

    private func error(_ r: Result<Quote, VenueError>?) -> VenueError? {
        if case .failure(let e)? = r { return e }
        return nil
    }

    // MARK: - Hand-written bodies, every venue

    @Test(arguments: BatchBodies.kinds)
    func readsEveryWantedSymbolAndNothingElse(kind: VenueKind) {
        let entries = (1...6).map { i in
            BatchBodies.Entry(i: i, bid: "\(100 + i).25", ask: "\(100 + i).75", last: "\(100 + i).50")
        }
        let wanted = [2, 5].map { BatchBodies.symbol(kind, $0) }
        let out = parse(kind, wanted, BatchBodies.response(kind, entries))
        #expect(out.count == 2)
        for (n, symbol) in zip([2, 5], wanted) {
            let q = quote(out[symbol])
            #expect(q != nil, "\(kind) \(symbol): \(String(describing: out[symbol]))")
            if BatchBodies.hasBook(kind) {
                #expect(q?.bid?.text == "\(100 + n).25" && q?.ask?.text == "\(100 + n).75", "\(kind) \(symbol)")
                #expect(q?.bid?.value == Double(100 + n) + 0.25)
            } else {
                #expect(q?.bid == nil && q?.ask == nil, "\(kind): no book in this batch shape")
            }
            if BatchBodies.hasLast(kind) { #expect(q?.last?.text == "\(100 + n).50", "\(kind) \(symbol)") }
        }
    }

    @Test(arguments: BatchBodies.kinds)
    func oneMalformedEntrySpoilsOnlyItsOwnQuote(kind: VenueKind) {
        var entries = (1...3).map { BatchBodies.Entry(i: $0) }
        entries[1].malformed = true
        let symbols = (1...3).map { BatchBodies.symbol(kind, $0) }
        let answer = VenueAdapters.parseBatchAnswer(kind, symbols: symbols, response: BatchBodies.response(kind, entries))
        #expect(answer.bodyError == nil, "\(kind): the body as a whole is fine")
        #expect(quote(answer.results[symbols[0]]) != nil, "\(kind)")
        #expect(quote(answer.results[symbols[2]]) != nil, "\(kind)")
        let e = error(answer.results[symbols[1]])
        #expect(e?.errorClass == .other, "\(kind): \(String(describing: e))")
        #expect(e?.message.contains(symbols[1]) == true, "\(kind): the error names the entry: \(e?.message ?? "")")
    }

    @Test(arguments: BatchBodies.kinds)
    func aSymbolMissingFromTheAnswerIsNamed(kind: VenueKind) {
        let symbols = [BatchBodies.symbol(kind, 1), BatchBodies.symbol(kind, 9)]
        let out = parse(kind, symbols, BatchBodies.response(kind, [BatchBodies.Entry(i: 1), BatchBodies.Entry(i: 2)]))
        #expect(quote(out[symbols[0]]) != nil, "\(kind): \(String(describing: out[symbols[0]]))")
        let e = error(out[symbols[1]])
        #expect(e?.errorClass == .unknownSymbol, "\(kind)")
        #expect(e?.message.contains("symbol '\(symbols[1])' not in the venue's batch answer") == true, "\(kind): \(e?.message ?? "")")
    }

    @Test(arguments: BatchBodies.kinds.filter { $0 != .kraken && $0 != .coingecko })   // JSON object keys: a duplicate is not representable there
    func aDuplicatedEntryIsRefusedAsAmbiguous(kind: VenueKind) {
        let body = [BatchBodies.Entry(i: 1), BatchBodies.Entry(i: 2, last: "200.50"), BatchBodies.Entry(i: 2, last: "300.50")]
        let symbols = [BatchBodies.symbol(kind, 1), BatchBodies.symbol(kind, 2), BatchBodies.symbol(kind, 2)]
        let out = parse(kind, symbols, BatchBodies.response(kind, body))
        #expect(out.count == 2, "\(kind): a symbol asked twice is answered once")
        #expect(quote(out[symbols[0]]) != nil)
        #expect(error(out[symbols[1]])?.message.contains("appears 2 times") == true, "\(kind): \(String(describing: out[symbols[1]]))")
    }

    @Test(arguments: BatchBodies.kinds)
    func aHugeWholeMarketBodyYieldsJustTheWantedQuotes(kind: VenueKind) {
        let entries = (1...5000).map { BatchBodies.Entry(i: $0, bid: "\($0).10", ask: "\($0).30", last: "\($0).20") }
        let wanted = [1, 2500, 5000].map { BatchBodies.symbol(kind, $0) }
        let response = BatchBodies.response(kind, entries)
        #expect(response.body.count > 250_000)
        let out = parse(kind, wanted, response)
        for (n, s) in zip([1, 2500, 5000], wanted) {
            let q = quote(out[s])
            if BatchBodies.hasLast(kind) { #expect(q?.last?.text == "\(n).20", "\(kind) \(s)") }
            else { #expect(q?.bid?.text == "\(n).10", "\(kind) \(s)") }
        }
    }

    // MARK: - Whole-body failures keep the single-ticker triage

    @Test func httpAndEnvelopeFailuresApplyToEverySymbol() {
        let symbols = ["S1USD", "S2USD"]
        let rate = VenueResponse(status: 429, headers: [("Retry-After", "7")], body: Array(#"{"code":-1003,"msg":"Too many requests"}"#.utf8))
        let answer = VenueAdapters.parseBatchAnswer(.binance, symbols: symbols, response: rate)
        #expect(answer.bodyError?.errorClass == .rateLimited && answer.bodyError?.retryAfterSeconds == 7)
        #expect(symbols.allSatisfy { error(answer.results[$0]) == answer.bodyError })

        let html = VenueResponse(status: 502, body: Array("<html><title>502 Bad Gateway</title></html>".utf8))
        #expect(VenueAdapters.parseBatchAnswer(.kucoin, symbols: ["A-USD"], response: html).bodyError?.errorClass == .unavailable)
        let html200 = VenueResponse(status: 200, body: Array("<!DOCTYPE html><html>Maintenance</html>".utf8))
        #expect(VenueAdapters.parseBatchAnswer(.gemini, symbols: ["btcusd"], response: html200).bodyError?.errorClass == .other)

        let envelopes: [(VenueKind, Int, String, VenueError.Class)] = [
            (.okx, 429, #"{"code":"50011","msg":"Rate limit reached","data":[]}"#, .rateLimited),
            (.bybit, 200, #"{"retCode":10006,"retMsg":"Too many visits!","result":{},"time":1}"#, .rateLimited),
            (.kucoin, 429, #"{"code":"429000","msg":"Too Many Requests"}"#, .rateLimited),
            (.htx, 200, #"{"status":"error","err-code":"gateway-internal-error","err-msg":"busy","data":null}"#, .unavailable),
            (.kraken, 200, #"{"error":["EQuery:Unknown asset pair"]}"#, .unknownSymbol),
            (.cryptocom, 429, #"{"id":-1,"code":42901,"message":"TOO_MANY_REQUESTS"}"#, .rateLimited),
            (.bitfinex, 500, #"["error",11010,"ratelimit: error"]"#, .rateLimited),
            (.gemini, 429, #"{"result":"error","reason":"RateLimit","message":"slow down"}"#, .rateLimited),
            (.pyth, 429, "Too Many Requests", .rateLimited),
            (.coingecko, 429, #"{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit"}}"#, .rateLimited),
            (.bitstamp, 200, #"{"status":"error","reason":"Rate limit exceeded","code":"API0000"}"#, .rateLimited),
        ]
        for (kind, status, body, cls) in envelopes {
            let symbols = [BatchBodies.symbol(kind, 1), BatchBodies.symbol(kind, 2)]
            let answer = VenueAdapters.parseBatchAnswer(kind, symbols: symbols, response: VenueResponse(status: status, body: Array(body.utf8)))
            #expect(answer.bodyError?.errorClass == cls, "\(kind): \(String(describing: answer.bodyError))")
            #expect(symbols.allSatisfy { error(answer.results[$0])?.errorClass == cls }, "\(kind)")
        }
    }

    @Test func aBodyOfTheWrongShapeFailsAsAWhole() {
        // A single ticker where a batch was expected (a misrouted request, a proxy cache).
        let single = VenueResponse(status: 200, body: Array(#"{"symbol":"BTCUSDT","bidPrice":"1","askPrice":"2"}"#.utf8))
        let answer = VenueAdapters.parseBatchAnswer(.binance, symbols: ["BTCUSDT"], response: single)
        #expect(answer.bodyError?.errorClass == .other)
        #expect(answer.bodyError?.message.contains("expected an array") == true)
    }

    @Test func nonBatchVenuesParseTheBodyAsOneTicker() {
        let body = Array(#"{"ask":"2","bid":"1","price":"1.5","time":"2024-03-25T08:45:00.123456Z"}"#.utf8)
        let out = parse(.coinbase, ["BTC-USD"], VenueResponse(status: 200, body: body))
        #expect(quote(out["BTC-USD"])?.last?.text == "1.5")
    }

    // MARK: - Kraken's own pair keys

    @Test func krakenLegacyKeysMatchTheRequestedPairs() {
        let body = #"{"error":[],"result":{"XXBTZUSD":{"a":["3","1","1"],"b":["1","1","1"],"c":["2","1"]},"USDTZUSD":{"a":["1.001","1","1"],"b":["0.999","1","1"],"c":["1.000","1"]},"XETHXXBT":{"a":["0.06","1","1"],"b":["0.05","1","1"],"c":["0.055","1"]},"SOLUSD":{"a":["151","1","1"],"b":["149","1","1"],"c":["150","1"]}}}"#
        let symbols = ["XBTUSD", "USDTUSD", "ETHXBT", "SOLUSD", "BTCUSD"]
        let out = parse(.kraken, symbols, VenueResponse(status: 200, body: Array(body.utf8)))
        #expect(quote(out["XBTUSD"])?.last?.text == "2")
        #expect(quote(out["USDTUSD"])?.last?.text == "1.000")
        #expect(quote(out["ETHXBT"])?.last?.text == "0.055")
        #expect(quote(out["SOLUSD"])?.last?.text == "150")
        // BTCUSD is Kraken's alias of XBTUSD: the same entry, which XBTUSD already took.
        #expect(error(out["BTCUSD"]) != nil)
    }

    // MARK: - The same quote both ways, on the recorded fixtures

    /// The text of the bracketed value (`[…]` or `{…}`) that follows `key` in `text`.
    private func bracketed(_ text: String, after key: String, open: Character) -> String {
        let close: Character = open == "[" ? "]" : "}"
        let start = text.range(of: "\"\(key)\"")!.upperBound
        let from = text[start...].firstIndex(of: open)!
        var depth = 0
        var i = from
        while true {
            if text[i] == open { depth += 1 }
            if text[i] == close { depth -= 1; if depth == 0 { break } }
            i = text.index(after: i)
        }
        return String(text[from...i])
    }

    private func inner(_ s: String) -> String { String(s.dropFirst().dropLast()) }

    private func text(_ venue: String, _ file: String) throws -> String {
        try String(contentsOf: VenueFixtures.directory.appendingPathComponent("\(venue)/\(file)"), encoding: .utf8)
    }

    private func single(_ kind: VenueKind, _ symbol: String, _ body: String) throws -> Quote {
        try VenueAdapters.parse(kind, symbol: symbol, response: VenueResponse(status: 200, body: Array(body.utf8), receivedAtMs: 1))
    }

    @Test func fixtureEntriesGiveTheSameQuoteThroughBothParsers() throws {
        // (venue, symbols of ok_btc/ok_eth, batch body from the fixtures, single bodies)
        var cases: [(VenueKind, [String], String, [String])] = []
        func add(_ kind: VenueKind, _ symbols: [String], _ make: ([String]) throws -> (batch: String, singles: [String])) throws {
            let raw = try ["ok_btc.json", "ok_eth.json"].map { try text(kind.rawValue, $0) }
            let (batch, singles) = try make(raw)
            cases.append((kind, symbols, batch, singles))
        }
        try add(.binance, ["BTCUSDT", "ETHBTC"]) { ("[" + $0.joined(separator: ",") + "]", $0) }
        try add(.bitstamp, ["btcusd", "ethusd"]) { ("[" + $0.joined(separator: ",") + "]", $0) }
        try add(.okx, ["BTC-USDT", "ETH-BTC"]) { raw in
            (#"{"code":"0","msg":"","data":["# + raw.map { inner(bracketed($0, after: "data", open: "[")) }.joined(separator: ",") + "]}", raw)
        }
        try add(.cryptocom, ["BTC_USD", "ETH_USDT"]) { raw in
            (#"{"code":0,"result":{"data":["# + raw.map { inner(bracketed($0, after: "data", open: "[")) }.joined(separator: ",") + "]}}", raw)
        }
        try add(.pyth, ["e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43", "0xFF61491A931112DDF1BD8147CD1B641375F79F5825126D665480874634FD0ACE"]) { raw in
            (#"{"parsed":["# + raw.map { inner(bracketed($0, after: "parsed", open: "[")) }.joined(separator: ",") + "]}", raw)
        }
        try add(.kraken, ["XBTUSD", "ETHUSD"]) { raw in
            (#"{"error":[],"result":{"# + raw.map { inner(bracketed($0, after: "result", open: "{")) }.joined(separator: ",") + "}}", raw)
        }
        try add(.coingecko, ["bitcoin/usd", "ethereum"]) { raw in ("{" + raw.map { inner($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.joined(separator: ",") + "}", raw) }
        try add(.bitfinex, ["tBTCUSD", "tETHUSD"]) { raw in
            ("[" + zip(["tBTCUSD", "tETHUSD"], raw).map { "[\"\($0)\"," + inner($1.trimmingCharacters(in: .whitespacesAndNewlines)) + "]" }.joined(separator: ",") + "]", raw)
        }
        for (kind, symbols, batch, singles) in cases {
            let out = parse(kind, symbols, VenueResponse(status: 200, body: Array(batch.utf8), receivedAtMs: 1))
            for (symbol, body) in zip(symbols, singles) {
                let expected = try single(kind, symbol, body)
                #expect(quote(out[symbol]) == expected, "\(kind) \(symbol): \(String(describing: out[symbol])) vs \(expected)")
            }
        }

        // Envelope-stamped venues: each fixture's entries in a batch carrying that fixture's time.
        for (kind, symbols) in [(VenueKind.bybit, ["BTCUSDT", "ETHUSDT"]), (.htx, ["btcusdt", "ethusdt"]), (.kucoin, ["BTC-USDT", "ETH-USDT"])] {
            let raw = try ["ok_btc.json", "ok_eth.json"].map { try text(kind.rawValue, $0) }
            for (n, body) in raw.enumerated() {
                let batch: String
                switch kind {
                case .bybit:
                    let time = bracketedNumber(body, "time")
                    let list = raw.map { inner(bracketed($0, after: "list", open: "[")) }.joined(separator: ",")
                    batch = #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":["# + list + #"]},"time":"# + time + "}"
                case .htx:
                    let ts = bracketedNumber(body, "ts")
                    let list = zip(symbols, raw).map { #"{"symbol":""# + $0 + #"","# + inner(bracketed($1, after: "tick", open: "{")) + "}" }
                    batch = #"{"status":"ok","ts":"# + ts + #","data":["# + list.joined(separator: ",") + "]}"
                default:   // kucoin: level1 fields renamed to allTickers' buy/sell/last
                    let time = bracketedNumber(body, "time")
                    let list = zip(symbols, raw).map { s, r in
                        let d = inner(bracketed(r, after: "data", open: "{"))
                            .replacingOccurrences(of: "\"bestBid\"", with: "\"buy\"").replacingOccurrences(of: "\"bestAsk\"", with: "\"sell\"")
                            .replacingOccurrences(of: "\"price\"", with: "\"last\"").replacingOccurrences(of: "\"time\"", with: "\"entryTime\"")
                        return #"{"symbol":""# + s + #"","# + d + "}"
                    }
                    batch = #"{"code":"200000","data":{"time":"# + time + #","ticker":["# + list.joined(separator: ",") + "]}}"
                }
                let out = parse(kind, symbols, VenueResponse(status: 200, body: Array(batch.utf8), receivedAtMs: 1))
                let expected = try single(kind, symbols[n], body)
                #expect(quote(out[symbols[n]]) == expected, "\(kind) \(symbols[n]): \(String(describing: out[symbols[n]])) vs \(expected)")
            }
        }

        // Gemini's pricefeed has only the last price: the batch quote is `last` alone, and it is
        // the pubticker's `last` when the feed carries the same trade.
        let gemini = try text("gemini", "ok_btc.json")
        let last = try single(.gemini, "btcusd", gemini).last!.text
        let feed = #"[{"pair":"BTCUSD","price":""# + last + #"","percentChange24h":"-0.0081"}]"#
        #expect(quote(parse(.gemini, ["btcusd"], VenueResponse(status: 200, body: Array(feed.utf8)))["btcusd"]) == Quote(last: VenueNumber(last)))
    }

    /// The digits after `"key":` (a JSON number).
    private func bracketedNumber(_ text: String, _ key: String) -> String {
        let start = text.range(of: "\"\(key)\"")!.upperBound
        return String(text[start...].drop { !$0.isNumber }.prefix { $0.isNumber })
    }
}

import OracleCore
import Testing

/// Each venue's documented error signalling beyond the recorded fixtures, and the general
/// HTTP rules every adapter shares.
@Suite struct VenueErrorTests {
    private func cls(_ kind: VenueKind, _ symbol: String, _ body: String, status: Int = 200,
                     headers: [(name: String, value: String)] = []) -> VenueError.Class? {
        venueOutcome(kind, symbol, venueResponse(body, status: status, headers: headers)).errorClass
    }

    // MARK: - Shared HTTP rules

    static let html502 = """
        <!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>
        <body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>
        """

    @Test(arguments: VenueKind.allCases.filter { $0 != .generic })
    func htmlErrorPagesAndEmptyBodiesAreClassifiedByStatus(_ kind: VenueKind) throws {
        let e502 = try #require(venueOutcome(kind, "BTCUSDT", venueResponse(Self.html502, status: 502)).error)
        #expect(e502.errorClass == .unavailable)
        #expect(e502.message.contains("502 Bad Gateway"), "message: \(e502.message)")
        #expect(cls(kind, "BTCUSDT", "", status: 503) == .unavailable)
        #expect(cls(kind, "BTCUSDT", "", status: 404) == .unknownSymbol)
        #expect(cls(kind, "BTCUSDT", "", status: 200) == .other)
        #expect(cls(kind, "BTCUSDT", Self.html502, status: 200) == .other)
        #expect(cls(kind, "BTCUSDT", "<html>blocked</html>", status: 451) == .other)
        #expect(cls(kind, "BTCUSDT", "", status: 301) == .other)
        #expect(cls(kind, "BTCUSDT", "nope", status: 401) == .badRequest)
        #expect(cls(kind, "BTCUSDT", "{}", status: 429) == .rateLimited)
        #expect(cls(kind, "BTCUSDT", "", status: 418) == .rateLimited)
    }

    @Test func forbiddenIsBlockedExceptOnBybitWhereItIsTheIPLimit() throws {
        let e = try #require(venueOutcome(.binance, "BTCUSDT", venueResponse("", status: 403)).error)
        #expect(e.errorClass == .other)
        #expect(e.message.contains("blocked"))
        #expect(cls(.bybit, "BTCUSDT", "", status: 403) == .rateLimited)
        let geo = try #require(venueOutcome(.binance, "BTCUSDT", venueResponse(#"{"code":0,"msg":"Service unavailable from a restricted location"}"#, status: 451)).error)
        #expect(geo.errorClass == .other)
        #expect(geo.message.contains("geo-restricted"))
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDates() throws {
        let received: Int64 = 1_700_000_000_000   // 2023-11-14T22:13:20Z
        func retry(_ value: String, status: Int = 429) -> Int? {
            venueOutcome(.binance, "BTCUSDT", venueResponse("", status: status, headers: [("retry-after", value)], receivedAtMs: received)).error?.retryAfterSeconds
        }
        #expect(retry("7") == 7)
        #expect(retry(" 120 ") == 120)
        #expect(retry("Tue, 14 Nov 2023 22:14:20 GMT") == 60)
        #expect(retry("Tuesday, 14-Nov-23 22:13:50 GMT") == 30)
        #expect(retry("Tue Nov 14 22:13:21 2023") == 1)
        #expect(retry("Tue, 14 Nov 2023 22:00:00 GMT") == 0)
        #expect(retry("soon") == nil)
        #expect(retry("99999999999999999999") == nil)
        #expect(retry("30", status: 503) == 30)
        #expect(retry("30", status: 404) == nil)
    }

    // MARK: - Per venue

    @Test func binanceCodes() {
        #expect(cls(.binance, "BTCUSDT", #"{"code":-1100,"msg":"Illegal characters found in parameter 'symbol'"}"#, status: 400) == .badRequest)
        #expect(cls(.binance, "BTCUSDT", #"{"code":-1121,"msg":"Invalid symbol."}"#, status: 400) == .unknownSymbol)
        #expect(cls(.binance, "BTCUSDT", #"{"code":-1003,"msg":"Too many requests"}"#, status: 400) == .rateLimited)
        #expect(cls(.binance, "BTCUSDT", #"{"code":-1001,"msg":"Internal error; unable to process your request."}"#, status: 500) == .unavailable)
        #expect(cls(.binance, "BTCUSDT", #"{"code":-1008,"msg":"Server is currently overloaded"}"#, status: 200) == .unavailable)
    }

    @Test func binanceWrongPairIsRefused() throws {
        let e = try #require(venueOutcome(.binance, "BTCUSDT", venueResponse(#"{"symbol":"ETHUSDT","bidPrice":"1","askPrice":"2"}"#)).error)
        #expect(e.errorClass == .other)
        #expect(e.message.contains("ETHUSDT") && e.message.contains("BTCUSDT"))
        // Case and separators are not a different pair.
        #expect(venueOutcome(.binance, "btcusdt", venueResponse(#"{"symbol":"BTCUSDT","bidPrice":"1","askPrice":"2"}"#)).quote != nil)
    }

    @Test func coinbaseMessages() {
        #expect(cls(.coinbase, "BTC-USD", #"{"message":"Public rate limit exceeded"}"#, status: 429) == .rateLimited)
        #expect(cls(.coinbase, "BTC-USDX", #"{"message":"Invalid product_id"}"#, status: 400) == .unknownSymbol)
        #expect(cls(.coinbase, "BTC-USD", #"{"message":"Internal server error"}"#, status: 500) == .unavailable)
        #expect(cls(.coinbase, "BTC-USD", #"{"message":"NotFound"}"#, status: 404) == .unknownSymbol)
    }

    @Test func coinbaseTimeIsTruncatedToMillisecondsAndZonesApply() throws {
        func ts(_ time: String) -> Int64? {
            venueOutcome(.coinbase, "BTC-USD", venueResponse(#"{"price":"1","bid":"1","ask":"2","time":"\#(time)"}"#)).quote?.exchangeTimestampMs
        }
        #expect(ts("2015-11-14T20:46:03.511999Z") == 1_447_533_963_511)
        #expect(ts("2015-11-14T20:46:03Z") == 1_447_533_963_000)
        #expect(ts("2015-11-14T21:46:03.5+01:00") == 1_447_533_963_500)
        #expect(ts("2024-02-29T00:00:00.000Z") == 1_709_164_800_000)
        #expect(cls(.coinbase, "BTC-USD", #"{"price":"1","time":"2023-02-29T00:00:00Z"}"#) == .other)
        #expect(cls(.coinbase, "BTC-USD", #"{"price":"1","time":"yesterday"}"#) == .other)
    }

    @Test func krakenErrorStrings() {
        #expect(cls(.kraken, "XBTUSD", #"{"error":["EAPI:Rate limit exceeded"]}"#) == .rateLimited)
        #expect(cls(.kraken, "XBTUSD", #"{"error":["EService:Unavailable"]}"#) == .unavailable)
        #expect(cls(.kraken, "XBTUSD", #"{"error":["EService:Busy"]}"#) == .unavailable)
        #expect(cls(.kraken, "XBTUSD", #"{"error":["EGeneral:Invalid arguments"]}"#) == .badRequest)
        #expect(cls(.kraken, "XBTUSD", #"{"error":["EQuery:Unknown asset pair"]}"#) == .unknownSymbol)
        #expect(cls(.kraken, "XBTUSD", #"{"error":[],"result":{}}"#) == .unknownSymbol)
    }

    @Test func krakenWarningsDoNotFailAndSeveralPairsPickTheRequestedOne() throws {
        let warn = #"{"error":["WGeneral:Deprecated"],"result":{"XXBTZUSD":{"a":["2","1","1"],"b":["1","1","1"],"c":["1.5","1"]}}}"#
        #expect(venueOutcome(.kraken, "XBTUSD", venueResponse(warn)).quote?.last?.text == "1.5")
        let two = #"{"error":[],"result":{"XETHZUSD":{"a":["9"],"b":["8"],"c":["8.5"]},"XBTUSD":{"a":["2"],"b":["1"],"c":["1.5"]}}}"#
        #expect(venueOutcome(.kraken, "XBTUSD", venueResponse(two)).quote?.bid?.text == "1")
        #expect(cls(.kraken, "SOLUSD", two) == .other)
    }

    @Test func bitstampErrorsAndWrongPair() {
        #expect(cls(.bitstamp, "btcusd", #"{"status":"error","reason":"Internal error","code":"API0002"}"#, status: 500) == .unavailable)
        #expect(cls(.bitstamp, "btcusd", #"{"error":"Rate limit exceeded"}"#, status: 400) == .rateLimited)
        #expect(cls(.bitstamp, "btcusd", #"{"timestamp":"1686068944","last":"1","bid":"1","ask":"2","pair":"ETH/USD"}"#) == .other)
        #expect(venueOutcome(.bitstamp, "BTC_USD", venueResponse(#"{"timestamp":1686068944,"last":"1","bid":"1","ask":"2","pair":"BTC/USD"}"#)).quote?.exchangeTimestampMs == 1_686_068_944_000)
    }

    @Test func geminiReasonsAndStringTimestamp() {
        #expect(cls(.gemini, "btcusd", #"{"result":"error","reason":"Maintenance","message":"down"}"#, status: 503) == .unavailable)
        #expect(cls(.gemini, "btcusd", #"{"result":"error","reason":"RateLimited","message":"slow down"}"#, status: 200) == .rateLimited)
        #expect(cls(.gemini, "btcusd", #"{"result":"error","reason":"InvalidSymbol","message":"x"}"#, status: 200) == .unknownSymbol)
        let q = venueOutcome(.gemini, "btcusd", venueResponse(#"{"bid":"1","ask":"2","last":"1.5","volume":{"BTC":"1","USD":"1","timestamp":"1594982700000"}}"#)).quote
        #expect(q?.exchangeTimestampMs == 1_594_982_700_000)
    }

    @Test func okxCodesEmptySidesAndWrongInstrument() throws {
        #expect(cls(.okx, "BTC-USDT", #"{"code":"50011","msg":"Too Many Requests","data":[]}"#) == .rateLimited)
        #expect(cls(.okx, "BTC-USDT", #"{"code":"50001","msg":"Service temporarily unavailable","data":[]}"#) == .unavailable)
        #expect(cls(.okx, "BTC-USDT", #"{"code":"50004","msg":"Endpoint request timeout","data":[]}"#) == .unavailable)
        #expect(cls(.okx, "BTC-USDT", #"{"code":"50013","msg":"Systems are busy","data":[]}"#) == .unavailable)
        #expect(cls(.okx, "BTC-USDT", #"{"code":"51000","msg":"Parameter instId error","data":[]}"#, status: 400) == .badRequest)
        #expect(cls(.okx, "BTC-USDT", #"{"code":"0","msg":"","data":[]}"#) == .unknownSymbol)
        let q = try #require(venueOutcome(.okx, "BTC-USDT", venueResponse(#"{"code":"0","msg":"","data":[{"instId":"BTC-USDT","last":"5","bidPx":"","askPx":"","ts":"1711356300117"}]}"#)).quote)
        #expect(q.bid == nil && q.ask == nil && q.last?.text == "5")
        #expect(cls(.okx, "BTC-USDT", #"{"code":"0","msg":"","data":[{"instId":"ETH-USDT","last":"5","ts":"1"}]}"#) == .other)
        #expect(cls(.okx, "BTC-USDT", #"{"code":"0","msg":"","data":[{"instId":"BTC-USDT","last":"","bidPx":"","askPx":""}]}"#) == .other)
    }

    @Test func bybitRetCodes() {
        let env = { (code: Int, msg: String) in #"{"retCode":\#(code),"retMsg":"\#(msg)","result":{},"retExtInfo":{},"time":1}"# }
        #expect(cls(.bybit, "BTCUSDT", env(10016, "Server error")) == .unavailable)
        #expect(cls(.bybit, "BTCUSDT", env(10006, "Too many visits!")) == .rateLimited)
        #expect(cls(.bybit, "BTCUSDT", env(10001, "params error: category is invalid")) == .badRequest)
        #expect(cls(.bybit, "BTCUSDT", env(10001, "Not supported symbols")) == .unknownSymbol)
        #expect(cls(.bybit, "BTCUSDT", #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[]},"time":1}"#) == .unknownSymbol)
        #expect(cls(.bybit, "BTCUSDT", #"{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"ETHUSDT","bid1Price":"1","ask1Price":"2","lastPrice":"1"}]},"time":1}"#) == .other)
    }

    @Test func bitfinexShapes() throws {
        #expect(cls(.bitfinex, "tBTCUSD", "[]") == .unknownSymbol)
        #expect(cls(.bitfinex, "tBTCUSD", #"["error",11010,"ratelimit: error"]"#, status: 500) == .rateLimited)
        #expect(cls(.bitfinex, "tBTCUSD", #"["error",10000,"unknown error"]"#, status: 500) == .unavailable)
        #expect(cls(.bitfinex, "tBTCUSD", #"{"error":"ERR_RATE_LIMIT"}"#, status: 429) == .rateLimited)
        #expect(cls(.bitfinex, "tBTCUSD", "[1,2,3]") == .other)
        let q = try #require(venueOutcome(.bitfinex, "tSHIBUSD", venueResponse("[1.2345e-05,1,1.2346E-5,1,0,0,1.2e-5,1,1,1]")).quote)
        #expect(q.bid?.text == "1.2345e-05" && q.ask?.text == "1.2346E-5" && q.last?.text == "1.2e-5")
        #expect(q.bid?.value == 1.2345e-05)
        let f = try #require(venueOutcome(.bitfinex, "fUSD", venueResponse("[0.0001,0.0002,30,100,0.0003,2,50,0,0,0.00025,1000,0,0,null,null,5]")).quote)
        #expect(f.bid?.text == "0.0002" && f.ask?.text == "0.0003" && f.last?.text == "0.00025")
    }

    @Test func kucoinCodes() throws {
        #expect(cls(.kucoin, "BTC-USDT", #"{"code":"429000","msg":"Too Many Requests"}"#) == .rateLimited)
        #expect(cls(.kucoin, "BTC-USDT", #"{"code":"400100","msg":"Parameter error"}"#, status: 400) == .badRequest)
        #expect(cls(.kucoin, "BTC-USDT", #"{"code":"900001","msg":"symbol not exists"}"#, status: 200) == .unknownSymbol)
        #expect(cls(.kucoin, "BTC-USDT", #"{"code":"200000"}"#) == .unknownSymbol)
        let e = try #require(venueOutcome(.kucoin, "BTC-USDT", venueResponse(#"{"code":"429000","msg":"x"}"#, status: 429, headers: [("GW-RateLimit-Reset", "1500"), ("Retry-After", "2")])).error)
        #expect(e.resetHintMs == 1500 && e.retryAfterSeconds == 2)
    }

    @Test func htxErrorsAndChannelGuard() {
        #expect(cls(.htx, "btcusdt", #"{"status":"error","err-code":"bad-request","err-msg":"invalid period"}"#) == .badRequest)
        #expect(cls(.htx, "btcusdt", #"{"status":"error","err-code":"base-symbol-error","err-msg":"The symbol is invalid"}"#) == .unknownSymbol)
        #expect(cls(.htx, "btcusdt", #"{"ch":"market.ethusdt.detail.merged","status":"ok","ts":1,"tick":{"close":1,"bid":[1,1],"ask":[2,1]}}"#) == .other)
        // Key order varies: tick before ch.
        let q = venueOutcome(.htx, "BTCUSDT", venueResponse(#"{"tick":{"ask":[2.5,1],"bid":[2,1],"close":2.25},"ts":1629788763750,"status":"ok","ch":"market.btcusdt.detail.merged"}"#)).quote
        #expect(q?.ask?.text == "2.5" && q?.last?.text == "2.25" && q?.exchangeTimestampMs == 1_629_788_763_750)
    }

    @Test func cryptocomCodesNullSidesAndWrongInstrument() throws {
        #expect(cls(.cryptocom, "BTC_USDT", #"{"id":-1,"method":"public/get-tickers","code":42901,"message":"TOO_MANY_REQUESTS"}"#) == .rateLimited)
        #expect(cls(.cryptocom, "BTC_USDT", #"{"id":-1,"code":40004,"message":"Invalid instrument_name"}"#) == .unknownSymbol)
        #expect(cls(.cryptocom, "BTC_USDT", #"{"code":0,"result":{"data":[]}}"#) == .unknownSymbol)
        #expect(cls(.cryptocom, "BTC_USDT", #"{"code":0,"result":{"data":[{"i":"ETH_USDT","a":"1","b":"1","k":"2","t":1}]}}"#) == .other)
        let q = try #require(venueOutcome(.cryptocom, "BTC_USDT", venueResponse(#"{"code":0,"result":{"data":[{"i":"ETH_USDT","a":"9"},{"i":"BTC_USDT","a":"30446.00","b":null,"k":null,"c":"0.05","t":1687403045415}]}}"#)).quote)
        #expect(q.bid == nil && q.ask == nil && q.last?.text == "30446.00")
    }

    // MARK: - Pyth

    private func pythBody(id: String, price: String, conf: String = "10", expo: String = "-8", time: String = "1711356300") -> String {
        #"{"binary":{"encoding":"hex","data":["00"]},"parsed":[{"id":"\#(id)","price":{"price":"\#(price)","conf":"\#(conf)","expo":\#(expo),"publish_time":\#(time)}}]}"#
    }
    private let feed = "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43"

    @Test(arguments: [
        ("6784312500000", "-8", "67843.12500000"),
        ("5", "-3", "0.005"),
        ("-5", "-3", "-0.005"),
        ("123", "0", "123"),
        ("123", "2", "12300"),
        ("0", "-2", "0.00"),
        ("000123", "-2", "1.23"),
        ("100000000", "-8", "1.00000000"),
        ("12345678901234567890", "-10", "1234567890.1234567890"),
    ])
    func pythScalesOnTheDigits(_ mantissa: String, _ expo: String, _ expected: String) throws {
        let q = try #require(venueOutcome(.pyth, "0x" + feed, venueResponse(pythBody(id: feed, price: mantissa, expo: expo))).quote)
        #expect(q.last?.text == expected)
        #expect(q.last?.value == Double(expected))
    }

    @Test func pythFeedIdMatchingAndErrors() throws {
        #expect(venueOutcome(.pyth, feed.uppercased(), venueResponse(pythBody(id: feed, price: "1"))).quote != nil)
        #expect(venueOutcome(.pyth, "0X" + feed, venueResponse(pythBody(id: "0x" + feed, price: "1"))).quote != nil)
        let wrong = try #require(venueOutcome(.pyth, "0x" + feed, venueResponse(pythBody(id: String(repeating: "ab", count: 32), price: "1"))).error)
        #expect(wrong.errorClass == .other && wrong.message.contains("abab"))
        #expect(cls(.pyth, feed, #"{"binary":{},"parsed":[]}"#) == .unknownSymbol)
        #expect(cls(.pyth, feed, pythBody(id: feed, price: "12.5")) == .other)
        #expect(cls(.pyth, feed, pythBody(id: feed, price: "1", expo: "1000")) == .other)
        #expect(cls(.pyth, feed, pythBody(id: feed, price: "NaN")) == .other)
        #expect(cls(.pyth, feed, "Failed to deserialize query string: ids[]: Odd number of digits", status: 400) == .unknownSymbol)
        #expect(cls(.pyth, feed, "Price ids not found: \(feed)", status: 404) == .unknownSymbol)
        #expect(cls(.pyth, feed, "Too Many Requests", status: 429) == .rateLimited)
    }

    // MARK: - CoinGecko

    @Test func coingeckoShapes() throws {
        #expect(cls(.coingecko, "bitcoin/usd", #"{"bitcoin":{}}"#) == .unknownSymbol)
        #expect(cls(.coingecko, "bitcoin/eur", #"{"bitcoin":{"usd":1,"last_updated_at":1}}"#) == .unknownSymbol)
        #expect(cls(.coingecko, "bitcoin/usd", #"{"bitcoin":{"usd":null}}"#) == .unknownSymbol)
        #expect(cls(.coingecko, "bitcoin/usd", #"{"status":{"error_code":10002,"error_message":"API Key Missing"}}"#, status: 401) == .badRequest)
        #expect(cls(.coingecko, "bitcoin/usd", #"{"error":"coin not found"}"#, status: 200) == .unknownSymbol)
        let q = try #require(venueOutcome(.coingecko, "shiba-inu/USD", venueResponse(#"{"shiba-inu":{"usd":2.851e-05,"last_updated_at":1711356300}}"#)).quote)
        #expect(q.last?.text == "2.851e-05" && q.exchangeTimestampMs == 1_711_356_300_000)
        #expect(venueOutcome(.coingecko, "bitcoin", venueResponse(#"{"bitcoin":{"usd":5}}"#)).quote?.last?.text == "5")
    }

    // MARK: - Numbers that are not numbers

    @Test func nonNumericPricesAreOtherNotZero() {
        #expect(cls(.binance, "BTCUSDT", #"{"symbol":"BTCUSDT","bidPrice":"NaN","askPrice":"1"}"#) == .other)
        #expect(cls(.binance, "BTCUSDT", #"{"symbol":"BTCUSDT","bidPrice":"Infinity","askPrice":"1"}"#) == .other)
        #expect(cls(.binance, "BTCUSDT", #"{"symbol":"BTCUSDT","bidPrice":"0x1p3","askPrice":"1"}"#) == .other)
        #expect(cls(.binance, "BTCUSDT", #"{"symbol":"BTCUSDT","bidPrice":true,"askPrice":"1"}"#) == .other)
        #expect(cls(.bitfinex, "tBTCUSD", "[NaN,1,Infinity,1,0,0,1,1,1,1]") == .other)
        #expect(cls(.htx, "btcusdt", #"{"status":"ok","ts":1,"tick":{"close":-Infinity}}"#) == .other)
        // Zero, negative and huge values pass through: the aggregation judges them.
        let q = venueOutcome(.binance, "BTCUSDT", venueResponse(#"{"symbol":"BTCUSDT","bidPrice":"0","askPrice":"-1"}"#)).quote
        #expect(q?.bid?.text == "0" && q?.ask?.text == "-1")
        #expect(venueOutcome(.bitfinex, "tBTCUSD", venueResponse("[1e308,1,1,1,0,0,1,1,1,1]")).quote?.bid?.text == "1e308")
    }

    @Test func decimalValuesMatchTheStandardLibrary() throws {
        let texts = ["0.07946700", "23980.49000000", "100000.00000000", "3809.10000", "0.1", "-0.3", "123456789012345",
                     "1234567890123456789", "9007199254740993", "0.000000000000000000001", "5.985618685709001E8"]
        for t in texts {
            let q = try #require(venueOutcome(.binance, "BTCUSDT", venueResponse(#"{"bidPrice":"\#(t)"}"#)).quote)
            #expect(q.bid?.text == t)
            #expect(q.bid?.value == Double(t), "\(t)")
        }
    }
}

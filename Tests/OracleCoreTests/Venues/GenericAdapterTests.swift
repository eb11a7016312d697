import OracleCore
import Testing

/// `kind = "generic"`: dotted paths, units, error paths.
@Suite struct GenericAdapterTests {
    private let body = #"""
    {"ok":true,"error":null,"data":[{"market":"BTC-USD","quote":{"bid":"100.5","ask":101.25,"px":"101"},
     "t_s":1711356300,"t_frac":"1711356300.123","t_ms":"1711356300117","t_us":1711356300117999,
     "t_ns":"1711356300117999999","t_iso":"2024-03-25T08:45:00.117Z"}]}
    """#

    private func spec(price: String? = "data.0.quote.px", bid: String? = "data.0.quote.bid", ask: String? = "data.0.quote.ask",
                      ts: String? = nil, unit: GenericAdapterSpec.TimestampUnit = .ms, error: String? = nil) -> GenericAdapterSpec {
        GenericAdapterSpec(urlTemplate: "/api/ticker?market={symbol}", pricePath: price, bidPath: bid, askPath: ask,
                           timestampPath: ts, timestampUnit: unit, errorPath: error)
    }

    @Test func nestedPathsAndArrayIndices() throws {
        let q = try #require(venueOutcome(.generic, "BTC-USD", venueResponse(body), generic: spec()).quote)
        #expect(q.bid?.text == "100.5")
        #expect(q.ask?.text == "101.25")
        #expect(q.last?.text == "101")
        #expect(q.exchangeTimestampMs == nil)
    }

    @Test(arguments: [
        ("data.0.t_s", GenericAdapterSpec.TimestampUnit.s, Int64(1_711_356_300_000)),
        ("data.0.t_frac", .s, 1_711_356_300_123),
        ("data.0.t_ms", .ms, 1_711_356_300_117),
        ("data.0.t_us", .us, 1_711_356_300_117),
        ("data.0.t_ns", .ns, 1_711_356_300_117),
        ("data.0.t_iso", .iso8601, 1_711_356_300_117),
    ])
    func timestampUnits(_ path: String, _ unit: GenericAdapterSpec.TimestampUnit, _ expected: Int64) throws {
        let q = try #require(venueOutcome(.generic, "BTC-USD", venueResponse(body), generic: spec(ts: path, unit: unit)).quote)
        #expect(q.exchangeTimestampMs == expected)
    }

    @Test func badTimestampIsAnError() {
        #expect(venueOutcome(.generic, "BTC-USD", venueResponse(body), generic: spec(ts: "data.0.market", unit: .ms)).errorClass == .other)
        #expect(venueOutcome(.generic, "BTC-USD", venueResponse(body), generic: spec(ts: "data.0.t_ms", unit: .iso8601)).errorClass == .other)
    }

    @Test func errorPathFalsyValuesAreNotErrors() throws {
        for falsy in ["null", "false", "0", "\"\"", "[]", "{}"] {
            let b = #"{"err":\#(falsy),"p":"1"}"#
            #expect(venueOutcome(.generic, "X", venueResponse(b), generic: spec(price: "p", bid: nil, ask: nil, error: "err")).quote != nil, "\(falsy)")
        }
    }

    @Test func errorPathTruthyValuesAreClassified() {
        func c(_ err: String) -> VenueError.Class? {
            venueOutcome(.generic, "X", venueResponse(#"{"err":\#(err),"p":"1"}"#), generic: spec(price: "p", bid: nil, ask: nil, error: "err")).errorClass
        }
        #expect(c(#""Unknown symbol X""#) == .unknownSymbol)
        #expect(c(#""rate limit exceeded""#) == .rateLimited)
        #expect(c(#"["service unavailable"]"#) == .unavailable)
        #expect(c("true") == .other)
        #expect(c("42") == .other)
        #expect(c(#"{"code":1}"#) == .other)
    }

    @Test func missingPathsAndSpecAreClearErrors() throws {
        let e = try #require(venueOutcome(.generic, "X", venueResponse(body), generic: spec(price: "nope", bid: "data.5.bid", ask: nil)).error)
        #expect(e.errorClass == .other && e.message.contains("nope"))
        #expect(venueOutcome(.generic, "X", venueResponse(body), generic: nil).errorClass == .badRequest)
        #expect(venueOutcome(.generic, "X", venueResponse(body), generic: spec(price: nil, bid: nil, ask: nil)).errorClass == .badRequest)
        #expect(venueOutcome(.generic, "X", venueResponse(body), generic: spec(price: "data.0.market", bid: nil, ask: nil)).errorClass == .other)
    }

    @Test func statusRulesApplyToo() {
        #expect(venueOutcome(.generic, "X", venueResponse("busy", status: 503), generic: spec()).errorClass == .unavailable)
        #expect(venueOutcome(.generic, "X", venueResponse("", status: 429, headers: [("Retry-After", "5")]), generic: spec()).error?.retryAfterSeconds == 5)
    }
}

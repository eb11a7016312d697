/// Binance spot `GET /api/v3/ticker/bookTicker?symbol=BTCUSDT`.
///
/// Body: `{"symbol","bidPrice","bidQty","askPrice","askQty"}` with 8-decimal strings; no last
/// price and no timestamp (the fetcher's receive time stands in). Errors: HTTP 4xx with
/// `{"code":-1121,"msg":"Invalid symbol."}`; 429/418 with `Retry-After`; 5xx server side.
enum BinanceParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .binance, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .binance)
            var name: JSONSpan?, bid: JSONSpan?, ask: JSONSpan?
            s.forEachMember(of: root) { k, v in
                if s.string(k, equals: "bidPrice") { bid = v }
                else if s.string(k, equals: "askPrice") { ask = v }
                else if s.string(k, equals: "symbol") { name = v }
                return name == nil || bid == nil || ask == nil
            }
            try InstrumentGuard.check(.binance, requested: symbol, answered: name, in: s)
            return try quote(s, bid: bid, ask: ask)
        }
    }

    /// The quote from a ticker's fields; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "bidPrice", .binance),
                  ask: s.decimal(ask, "askPrice", .binance)).requiringPrice(.binance)
    }

    /// `{"code": <negative int>, "msg": ...}`; codes from Binance's errors.md.
    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        // The success field comes second in a ticker, so checking it first keeps the happy path cheap.
        guard root.kind == .object, s.member("bidPrice", of: root) == nil,
              let code = s.codeText(s.member("code", of: root)) else { return nil }
        let msg = s.stringText(s.member("msg", of: root)) ?? ""
        let cls: VenueError.Class
        switch Int(code) ?? 0 {
        case -1121, -1122: cls = .unknownSymbol            // BAD_SYMBOL, INVALID_SYMBOLSTATUS
        case -1003, -1015: cls = .rateLimited              // TOO_MANY_REQUESTS, TOO_MANY_ORDERS
        case -1000, -1001, -1006, -1007, -1008: cls = .unavailable  // UNKNOWN, DISCONNECTED, UNEXPECTED_RESP, TIMEOUT, SERVER_BUSY
        case -1199 ... -1100: cls = .badRequest            // request parameter errors
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

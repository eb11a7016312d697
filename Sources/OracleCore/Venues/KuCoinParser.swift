/// KuCoin `GET /api/v1/market/orderbook/level1?symbol=BTC-USDT`.
///
/// Body: `{"code":"200000","data":{bestBid,bestAsk,price,time(ms int),…}}`; the success code
/// is the string "200000". An unknown symbol answers the success code with `data: null`.
/// Errors: other codes ("429000" with HTTP 429; `gw-ratelimit-reset` says when, in ms).
enum KuCoinParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .kucoin, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .kucoin)
            let data = try s.requireObject(s.member("data", of: root), "data", .kucoin)
            var bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, time: JSONSpan?
            s.forEachMember(of: data) { k, v in
                if s.string(k, equals: "bestBid") { bid = v }
                else if s.string(k, equals: "bestAsk") { ask = v }
                else if s.string(k, equals: "price") { last = v }
                else if s.string(k, equals: "time") { time = v }
                return bid == nil || ask == nil || last == nil || time == nil
            }
            return try quote(s, bid: (bid, "bestBid"), ask: (ask, "bestAsk"), last: (last, "price"), time: time)
        }
    }

    /// The quote from a ticker's fields (named as the endpoint names them: `bestBid` in level1,
    /// `buy` in allTickers); the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: (JSONSpan?, StaticString), ask: (JSONSpan?, StaticString),
                      last: (JSONSpan?, StaticString), time: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid.0, bid.1, .kucoin),
                  ask: s.decimal(ask.0, ask.1, .kucoin),
                  last: s.decimal(last.0, last.1, .kucoin),
                  exchangeTimestampMs: s.timestamp(time, "time", unit: .ms, .kucoin)).requiringPrice(.kucoin)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, let code = s.codeText(s.member("code", of: root)) else { return nil }
        if code == "200000" {
            let data = s.member("data", of: root)
            if data == nil || data?.kind == .null {
                return BodyVerdict(.unknownSymbol, "200000 with data null: the symbol is not listed")
            }
            return nil
        }
        let msg = s.stringText(s.member("msg", of: root)) ?? ""
        let cls: VenueError.Class
        switch code {
        case "429000": cls = .rateLimited
        case "900001": cls = .unknownSymbol                 // symbol not exists
        case "400100":                                       // parameter error: the text tells which
            cls = ErrorText.classify(msg) == .unknownSymbol ? .unknownSymbol : .badRequest
        case "500000", "503000": cls = .unavailable
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

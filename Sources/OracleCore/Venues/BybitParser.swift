/// Bybit v5 `GET /v5/market/tickers?category=spot&symbol=BTCUSDT`.
///
/// Body: `{"retCode":0,"result":{"list":[{symbol,bid1Price,ask1Price,lastPrice,…}]},"time":ms}`;
/// the ticker has no timestamp of its own, so the envelope `time` is used. Errors: `retCode`
/// ≠ 0 inside HTTP 200 (10001 bad parameter — the text says whether it was the symbol,
/// 10006 rate limit, 10016 server error), with `result` as `{}`; HTTP 403 is the IP limit.
enum BybitParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .bybit, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .bybit)
            let (result, time, _, _, _) = s.members(of: root, wanted: 2, "result", "time")
            let list = try s.requireArray(s.member("list", of: try s.requireObject(result, "result", .bybit)), "result.list", .bybit)
            guard let first = s.firstElement(of: list) else {
                throw VenueError(.unknownSymbol, "bybit: result.list is empty for symbol '\(symbol)'")
            }
            let ticker = try s.requireObject(first, "result.list[0]", .bybit)
            let (bid, ask, last, name, _) = s.members(of: ticker, wanted: 4, "bid1Price", "ask1Price", "lastPrice", "symbol")
            try InstrumentGuard.check(.bybit, requested: symbol, answered: name, in: s)
            return try quote(s, bid: bid, ask: ask, last: last, time: time)
        }
    }

    /// The quote from a ticker's fields and the envelope `time`; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, time: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "bid1Price", .bybit),
                  ask: s.decimal(ask, "ask1Price", .bybit),
                  last: s.decimal(last, "lastPrice", .bybit),
                  exchangeTimestampMs: s.timestamp(time, "time", unit: .ms, .bybit)).requiringPrice(.bybit)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        // The success code is checked on the bytes: no String is built on the normal path.
        guard root.kind == .object, let codeSpan = s.member("retCode", of: root), !s.rawText(codeSpan, is: "0"),
              let code = s.codeText(codeSpan), code != "0" else { return nil }
        let msg = s.stringText(s.member("retMsg", of: root)) ?? ""
        let cls: VenueError.Class
        switch code {
        case "10001":                                   // generic parameter error: the text tells which
            let byText = ErrorText.classify(msg)
            cls = byText == .unknownSymbol ? .unknownSymbol : .badRequest
        case "10006", "10018", "10429": cls = .rateLimited      // too many visits, IP limit, system frequency protection
        case "10000", "10016": cls = .unavailable               // server timeout, server error
        case "170121", "110023": cls = .unknownSymbol           // invalid symbol
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

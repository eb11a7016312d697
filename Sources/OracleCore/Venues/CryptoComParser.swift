/// Crypto.com Exchange v1 `GET /exchange/v1/public/get-tickers?instrument_name=BTC_USDT`.
///
/// Body: `{"code":0,"result":{"data":[{i,b(bid),k(ask),a(last),t(ms int),c,…}]}}`; `c` is the
/// 24 h change ratio, not a price; `b`/`k` may be null. Errors: numeric `code` ≠ 0
/// (40004 bad/missing argument — the instrument, 42901 too many requests).
enum CryptoComParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .cryptocom, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .cryptocom)
            let result = try s.requireObject(s.member("result", of: root), "result", .cryptocom)
            let data = try s.requireArray(s.member("data", of: result), "result.data", .cryptocom)
            // One entry when instrument_name is given; pick the matching one if a venue sends more.
            var first: JSONSpan?, matching: JSONSpan?
            s.forEachElement(of: data) { i, e in
                if i == 0 { first = e }
                if let name = s.member("i", of: e), name.kind == .string, !name.hasEscapes,
                   InstrumentGuard.sameInstrument(symbol, s.rawBytes(of: name)) {
                    matching = e
                    return false
                }
                return true
            }
            guard let chosen = matching ?? first else {
                throw VenueError(.unknownSymbol, "cryptocom: result.data is empty for instrument '\(symbol)'")
            }
            let ticker = try s.requireObject(chosen, "result.data[0]", .cryptocom)
            var name: JSONSpan?, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, t: JSONSpan?
            s.forEachMember(of: ticker) { k, v in
                if s.string(k, equals: "b") { bid = v }
                else if s.string(k, equals: "k") { ask = v }
                else if s.string(k, equals: "a") { last = v }
                else if s.string(k, equals: "t") { t = v }
                else if s.string(k, equals: "i") { name = v }
                return name == nil || bid == nil || ask == nil || last == nil || t == nil
            }
            try InstrumentGuard.check(.cryptocom, requested: symbol, answered: name, in: s)
            return try quote(s, bid: bid, ask: ask, last: last, t: t)
        }
    }

    /// The quote from a ticker's fields; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, t: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "b", .cryptocom),
                  ask: s.decimal(ask, "k", .cryptocom),
                  last: s.decimal(last, "a", .cryptocom),
                  exchangeTimestampMs: s.timestamp(t, "t", unit: .ms, .cryptocom)).requiringPrice(.cryptocom)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, let code = s.codeText(s.member("code", of: root)), code != "0" else { return nil }
        let msg = s.stringText(s.member("message", of: root)) ?? s.stringText(s.member("msg", of: root)) ?? ""
        let cls: VenueError.Class
        switch code {
        case "40004": cls = .unknownSymbol      // MISSING_OR_INVALID_ARGUMENT: instrument_name is the only one
        case "42901": cls = .rateLimited        // TOO_MANY_REQUESTS
        case "40001", "40002", "40003", "40005", "40006", "10004": cls = .badRequest
        case "10001", "50001": cls = .unavailable   // SYS_ERROR, ERR_INTERNAL
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

/// Bitstamp `GET /api/v2/ticker/btcusd/`.
///
/// Body: `bid`, `ask`, `last` (strings, possibly without decimals), `timestamp` (Unix seconds
/// as a string), `pair` ("BTC/USD", checked against the request). Errors: HTTP 4xx/5xx, with
/// the v2 envelope `{"status":"error","reason":…,"code":…}` or the older `{"error": …}`.
enum BitstampParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .bitstamp, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .bitstamp)
            var bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, ts: JSONSpan?, pair: JSONSpan?
            s.forEachMember(of: root) { k, v in
                if s.string(k, equals: "bid") { bid = v }
                else if s.string(k, equals: "ask") { ask = v }
                else if s.string(k, equals: "last") { last = v }
                else if s.string(k, equals: "timestamp") { ts = v }
                else if s.string(k, equals: "pair") { pair = v }
                return bid == nil || ask == nil || last == nil || ts == nil || pair == nil
            }
            try InstrumentGuard.check(.bitstamp, requested: symbol, answered: pair, in: s)
            return try quote(s, bid: bid, ask: ask, last: last, ts: ts)
        }
    }

    /// The quote from a ticker's fields; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, ts: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "bid", .bitstamp),
                  ask: s.decimal(ask, "ask", .bitstamp),
                  last: s.decimal(last, "last", .bitstamp),
                  exchangeTimestampMs: s.timestamp(ts, "timestamp", unit: .s, .bitstamp)).requiringPrice(.bitstamp)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, s.member("last", of: root) == nil else { return nil }
        let status = s.stringText(s.member("status", of: root))
        let error = s.member("error", of: root) ?? s.member("errors", of: root)
        guard status == "error" || error != nil else { return nil }
        var parts: [String] = []
        if let code = s.codeText(s.member("code", of: root)) { parts.append(code) }
        if let reason = s.member("reason", of: root) { parts.append(s.text(of: reason)) }
        if let error { parts.append(s.text(of: error)) }
        let message = parts.joined(separator: " ")
        return BodyVerdict(ErrorText.classify(message), message)
    }
}

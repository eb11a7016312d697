/// Gemini `GET /v1/pubticker/btcusd`.
///
/// Body: `bid`, `ask`, `last` strings and `volume.timestamp` in ms — an int in some captures
/// and a string in others; `volume`'s other keys are currency codes. Errors: HTTP 400/429/5xx
/// with `{"result":"error","reason":…,"message":…}`.
enum GeminiParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .gemini, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .gemini)
            var bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, volume: JSONSpan?
            s.forEachMember(of: root) { k, v in
                if s.string(k, equals: "bid") { bid = v }
                else if s.string(k, equals: "ask") { ask = v }
                else if s.string(k, equals: "last") { last = v }
                else if s.string(k, equals: "volume") { volume = v }
                return bid == nil || ask == nil || last == nil || volume == nil
            }
            var ts: JSONSpan?
            if let volume, volume.kind == .object { ts = s.member("timestamp", of: volume) }
            return try quote(s, bid: bid, ask: ask, last: last, ts: ts)
        }
    }

    /// The quote from a ticker's fields; the pricefeed batch passes only `last` (see `parseBatch`).
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, ts: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "bid", .gemini),
                  ask: s.decimal(ask, "ask", .gemini),
                  last: s.decimal(last, "last", .gemini),
                  exchangeTimestampMs: s.timestamp(ts, "volume.timestamp", unit: .ms, .gemini)).requiringPrice(.gemini)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, s.member("bid", of: root) == nil,
              s.stringText(s.member("result", of: root)) == "error" else { return nil }
        let reason = s.stringText(s.member("reason", of: root)) ?? ""
        let message = s.stringText(s.member("message", of: root)) ?? ""
        let cls: VenueError.Class
        switch reason {
        case "InvalidSymbol", "SymbolNotFound": cls = .unknownSymbol
        case "RateLimit", "RateLimited", "TooManyRequests": cls = .rateLimited
        case "Maintenance", "System", "ServiceUnavailable", "MarketNotOpen": cls = .unavailable
        case "MissingParameter", "InvalidParameter", "InvalidJson", "BadRequest", "InvalidQuantity", "InvalidPrice": cls = .badRequest
        default: cls = ErrorText.classify(reason + " " + message)
        }
        return BodyVerdict(cls, "\(reason): \(message)")
    }
}

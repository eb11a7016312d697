/// HTX (Huobi) `GET /market/detail/merged?symbol=btcusdt`.
///
/// Body: `{"ch":"market.btcusdt.detail.merged","status":"ok","ts":ms,"tick":{close,bid:[p,q],ask:[p,q],…}}`;
/// prices are JSON numbers (kept as written), `vol` uses exponent notation and key order
/// varies. Errors: HTTP 200 with `"status":"error"` and `err-code`/`err-msg`.
enum HTXParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .htx, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .htx)
            var ch: JSONSpan?, ts: JSONSpan?, tick: JSONSpan?
            s.forEachMember(of: root) { k, v in
                if s.string(k, equals: "tick") { tick = v }
                else if s.string(k, equals: "ts") { ts = v }
                else if s.string(k, equals: "ch") { ch = v }
                return tick == nil || ts == nil || ch == nil
            }
            if let ch, ch.kind == .string, !ch.hasEscapes {
                // "market.<symbol>.detail.merged": compare the second dot-separated part.
                let raw = s.rawBytes(of: ch)
                if let dot1 = raw.firstIndex(of: UInt8(ascii: ".")) {
                    let rest = UnsafeBufferPointer(rebasing: raw[(dot1 + 1)...])
                    let part = UnsafeBufferPointer(rebasing: rest[..<(rest.firstIndex(of: UInt8(ascii: ".")) ?? rest.endIndex)])
                    if !InstrumentGuard.sameInstrument(symbol, part) {
                        try InstrumentGuard.check(.htx, requested: symbol, answered: String(decoding: part, as: UTF8.self))
                    }
                }
            }
            let t = try s.requireObject(tick, "tick", .htx)
            var bid: JSONSpan?, ask: JSONSpan?, close: JSONSpan?
            s.forEachMember(of: t) { k, v in
                if s.string(k, equals: "bid") { bid = v }
                else if s.string(k, equals: "ask") { ask = v }
                else if s.string(k, equals: "close") { close = v }
                return bid == nil || ask == nil || close == nil
            }
            return try quote(s, bid: bid, ask: ask, close: close, ts: ts)
        }
    }

    /// The quote from a tick's fields and the envelope `ts`; the batch parser uses the same rules
    /// (`/market/tickers` sends bid/ask as bare numbers, which `firstOf` accepts).
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, close: JSONSpan?, ts: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(firstOf(s, bid, "tick.bid"), "tick.bid[0]", .htx),
                  ask: s.decimal(firstOf(s, ask, "tick.ask"), "tick.ask[0]", .htx),
                  last: s.decimal(close, "tick.close", .htx),
                  exchangeTimestampMs: s.timestamp(ts, "ts", unit: .ms, .htx)).requiringPrice(.htx)
    }

    /// `[price, size]` → price; a bare number is accepted as the price too.
    private static func firstOf(_ s: JSONScanner, _ v: JSONSpan?, _ field: StaticString) throws(VenueError) -> JSONSpan? {
        guard let v else { return nil }
        switch v.kind {
        case .array: return s.element(0, of: v)
        case .null, .number, .string: return v
        default: throw VenueError(.other, "htx: field '\(field)' is a JSON \(v.kind), expected [price, size]")
        }
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, s.stringText(s.member("status", of: root)) == "error" else { return nil }
        let code = s.stringText(s.member("err-code", of: root)) ?? ""
        let msg = s.stringText(s.member("err-msg", of: root)) ?? ""
        let cls: VenueError.Class
        switch code {
        case "gateway-internal-error", "internal-error", "system-maintenance", "timeout", "system-busy": cls = .unavailable
        case "base-symbol-error", "base-symbol-trade-disabled", "invalid-symbol", "symbol-not-exist": cls = .unknownSymbol
        case "too-many-requests", "api-rate-limit", "rate-limit": cls = .rateLimited
        case "invalid-parameter", "bad-request":
            cls = ErrorText.classify(msg) == .unknownSymbol ? .unknownSymbol : .badRequest
        default: cls = ErrorText.classify(code + " " + msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

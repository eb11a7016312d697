/// Kraken `GET /0/public/Ticker?pair=XBTUSD`.
///
/// Body: `{"error":[],"result":{"XXBTZUSD":{"a":[ask,…],"b":[bid,…],"c":[last,…],…}}}`. The
/// result key is Kraken's internal name, not the request string, so the (single) entry is
/// taken as it comes. No timestamp. Errors arrive with HTTP 200 as `E<category>:<message>`
/// strings in `error`; entries starting with `W` are warnings and do not fail the response.
enum KrakenParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .kraken, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .kraken)
            let result = try s.requireObject(s.member("result", of: root), "result", .kraken)
            var entries = 0
            var first: JSONSpan?
            s.forEachMember(of: result) { _, v in
                entries += 1
                if first == nil { first = v }
                return true
            }
            var matching: JSONSpan?
            if entries > 1 {
                s.forEachMember(of: result) { k, v in
                    if !k.hasEscapes, InstrumentGuard.sameInstrument(symbol, s.rawBytes(of: k)) { matching = v; return false }
                    return true
                }
            }
            guard let chosen = entries == 1 ? first : matching else {
                if entries == 0 {
                    throw VenueError(.unknownSymbol, "kraken: result is empty for pair '\(symbol)'")
                }
                throw VenueError(.other, "kraken: result holds \(entries) pairs and none is named '\(symbol)'; configure the pair's result name (e.g. XXBTZUSD)")
            }
            return try quote(s, ticker: chosen)
        }
    }

    /// The quote from one `result.<pair>` object; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, ticker: JSONSpan) throws(VenueError) -> Quote {
        let ticker = try s.requireObject(ticker, "result.<pair>", .kraken)
        var a: JSONSpan?, b: JSONSpan?, c: JSONSpan?
        s.forEachMember(of: ticker) { k, v in
            if s.string(k, equals: "a") { a = v }
            else if s.string(k, equals: "b") { b = v }
            else if s.string(k, equals: "c") { c = v }
            return a == nil || b == nil || c == nil
        }
        return try Quote(bid: s.decimal(priceOf(s, b, "b", .kraken), "b[0]", .kraken),
                         ask: s.decimal(priceOf(s, a, "a", .kraken), "a[0]", .kraken),
                         last: s.decimal(priceOf(s, c, "c", .kraken), "c[0]", .kraken)).requiringPrice(.kraken)
    }

    /// Element 0 of a `[price, wholeLotVolume, lotVolume]` array; absent stays absent.
    private static func priceOf(_ s: JSONScanner, _ v: JSONSpan?, _ field: StaticString, _ venue: VenueKind) throws(VenueError) -> JSONSpan? {
        guard let v, v.kind != .null else { return nil }
        return s.element(0, of: try s.requireArray(v, field, venue))
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, let errors = s.member("error", of: root) else { return nil }
        if errors.kind == .string {
            let text = s.text(of: errors)
            return text.isEmpty ? nil : classify(text)
        }
        var found: String?
        s.forEachElement(of: errors) { _, e in
            guard e.kind == .string else { return true }
            let text = s.text(of: e)
            if text.hasPrefix("E") { found = text; return false }
            return true
        }
        return found.map(classify)
    }

    /// Kraken's documented `E<category>:<message>` strings.
    static func classify(_ text: String) -> BodyVerdict {
        let cls: VenueError.Class
        if text.hasPrefix("EQuery:Unknown asset") {
            cls = .unknownSymbol
        } else if text.hasPrefix("EAPI:Rate limit") || text.hasPrefix("EGeneral:Too many requests")
                    || text.hasPrefix("EGeneral:Temporary lockout") {
            cls = .rateLimited
        } else if text.hasPrefix("EService:") || text.hasPrefix("EGeneral:Internal error") {
            cls = .unavailable
        } else if text.hasPrefix("EGeneral:Invalid arguments") || text.hasPrefix("EGeneral:Unknown method") {
            cls = .badRequest
        } else {
            cls = ErrorText.classify(text)
        }
        return BodyVerdict(cls, text)
    }
}

/// Bitfinex v2 `GET /v2/ticker/tBTCUSD`.
///
/// Body: a positional array of JSON numbers (sometimes in exponent form, kept as written).
/// Trading pairs (`t…`): `[BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE,
/// LAST_PRICE, VOLUME, HIGH, LOW]`. Funding currencies (`f…`): `[FRR, BID, BID_PERIOD, BID_SIZE,
/// ASK, ASK_PERIOD, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_PERC, LAST_PRICE, …]`. No symbol, no
/// timestamp. Errors: `["error", code, "msg"]`, usually with HTTP 500 (10020 parameter error —
/// on this endpoint the symbol is the only parameter — and 11010 rate limit); an unknown
/// symbol may instead give `[]` with HTTP 200.
enum BitfinexParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        let funding = symbol.utf8.first == UInt8(ascii: "f")
        let (bidIndex, askIndex, lastIndex, minCount) = funding ? (1, 4, 9, 10) : (0, 2, 6, 7)
        return try ResponseTriage.parse(response, venue: .bitfinex, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let array = try s.requireArray(root, "(root)", .bitfinex)
            var bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?
            var count = 0
            s.forEachElement(of: array) { i, v in
                if i == bidIndex { bid = v } else if i == askIndex { ask = v } else if i == lastIndex { last = v }
                count = i + 1
                return true
            }
            guard count >= minCount else {
                throw VenueError(.other, "bitfinex: ticker array has \(count) fields, expected at least \(minCount) for '\(symbol)'")
            }
            return try quote(s, bid: bid, ask: ask, last: last)
        }
    }

    /// The quote from a ticker's fields; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "[BID]", .bitfinex),
                  ask: s.decimal(ask, "[ASK]", .bitfinex),
                  last: s.decimal(last, "[LAST_PRICE]", .bitfinex)).requiringPrice(.bitfinex)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        if root.kind == .object {
            // Some rate-limit answers come as {"error":"ERR_RATE_LIMIT"}.
            guard let e = s.member("error", of: root) else { return nil }
            let text = s.text(of: e)
            return BodyVerdict(ErrorText.classify(text.replacingUnderscores()), text)
        }
        guard root.kind == .array else { return nil }
        if s.isEmptyContainer(root) {
            return BodyVerdict(.unknownSymbol, "empty ticker array: the symbol is not listed")
        }
        guard let head = s.element(0, of: root), s.string(head, equals: "error") else { return nil }
        let code = s.codeText(s.element(1, of: root)) ?? ""
        let msg = s.stringText(s.element(2, of: root)) ?? ""
        let cls: VenueError.Class
        switch code {
        case "10020": cls = .unknownSymbol     // request parameters error: the symbol is the only one
        case "11010": cls = .rateLimited       // ratelimit
        case "11000", "20060": cls = .unavailable  // not ready / maintenance
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

private extension String {
    func replacingUnderscores() -> String {
        String(map { $0 == "_" ? " " : $0 })
    }
}

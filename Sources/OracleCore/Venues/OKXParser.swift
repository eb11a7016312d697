/// OKX `GET /api/v5/market/ticker?instId=BTC-USDT`.
///
/// Body: `{"code":"0","msg":"","data":[{instId,last,askPx,bidPx,ts,…}]}`; `code` is a string,
/// `ts` is ms as a string, an empty book side is `""`. Errors: `code` ≠ "0" inside HTTP 200
/// (51001 unknown instrument) or with 4xx/5xx (429 + 50011).
enum OKXParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .okx, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .okx)
            let data = try s.requireArray(s.member("data", of: root), "data", .okx)
            guard let first = s.firstElement(of: data) else {
                throw VenueError(.unknownSymbol, "okx: data is empty for instId '\(symbol)'")
            }
            let ticker = try s.requireObject(first, "data[0]", .okx)
            let (bid, ask, last, ts, inst) = s.members(of: ticker, wanted: 5, "bidPx", "askPx", "last", "ts", "instId")
            try InstrumentGuard.check(.okx, requested: symbol, answered: inst, in: s)
            return try quote(s, bid: bid, ask: ask, last: last, ts: ts)
        }
    }

    /// The quote from a ticker's fields; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?, ts: JSONSpan?) throws(VenueError) -> Quote {
        try Quote(bid: s.decimal(bid, "bidPx", .okx),
                  ask: s.decimal(ask, "askPx", .okx),
                  last: s.decimal(last, "last", .okx),
                  exchangeTimestampMs: s.timestamp(ts, "ts", unit: .ms, .okx)).requiringPrice(.okx)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        // The success code is checked on the bytes: no String is built on the normal path.
        guard root.kind == .object, let codeSpan = s.member("code", of: root), !s.rawText(codeSpan, is: "0"),
              let code = s.codeText(codeSpan), code != "0" else { return nil }
        let msg = s.stringText(s.member("msg", of: root)) ?? ""
        let cls: VenueError.Class
        switch code {
        case "51001": cls = .unknownSymbol                                        // Instrument ID does not exist
        case "50011", "50040", "50061": cls = .rateLimited                       // rate limit reached / too frequent
        case "50001", "50004", "50005", "50013", "50026": cls = .unavailable    // unavailable, timeout, offline, busy, system error
        case "50000", "50002", "50006", "50014", "50015", "50016", "50024", "50025", "51000": cls = .badRequest
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

extension PythParser {
    /// `GET /v2/updates/price/latest?ids[]=…&ids[]=…&ignore_invalid_price_ids=true`: one
    /// `parsed[]` entry per feed (`id` in lower-case hex without `0x`), matched on `id`. With
    /// `ignore_invalid_price_ids` Hermes leaves an unknown feed out instead of failing the
    /// whole request with 404, so one retired feed costs only its own quote.
    static func parseBatch(symbols: [String], response: VenueResponse) -> BatchAnswer {
        let wanted = BatchCollector.unique(symbols)
        let lookup = BatchLookup(keys: wanted.map(normalizedFeedID), symbolIndex: Array(wanted.indices))
        return ResponseTriage.parseBatch(response, venue: .pyth, symbols: symbols, bodyVerdict: verdict, textVerdict: textVerdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .pyth)
            let parsed = try s.requireArray(s.member("parsed", of: root), "parsed", .pyth)
            s.forEachElement(of: parsed) { _, e in
                c.sawEntry()
                guard let id = s.member("id", of: e), id.kind == .string else { return true }
                var text = PythParser.normalizedFeedID(s.text(of: id))
                if let i = text.withUTF8({ lookup.symbol(for: $0) }) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, entry: e) }
                }
                return true
            }
        }
    }
}

extension PythParser {
    /// `GET /v2/updates/price/latest?ids[]=…&ids[]=…&ignore_invalid_price_ids=true`: one
    /// `parsed[]` entry per feed (`id` in lower-case hex without `0x`), matched on `id`. With
    /// `ignore_invalid_price_ids` Hermes leaves an unknown feed out instead of failing the
    /// whole request with 404, so one retired feed costs only its own quote.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .pyth, wanted: plan.symbols, bodyVerdict: verdict, textVerdict: textVerdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .pyth)
            let parsed = try s.requireArray(s.member("parsed", of: root), "parsed", .pyth)
            s.forEachElement(of: parsed) { _, e in
                c.sawEntry()
                guard let id = s.member("id", of: e), id.kind == .string else { return true }
                if let i = feedIndex(id, in: s, lookup) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, entry: e) }
                }
                return true
            }
        }
    }

    /// The configured feed an entry's `id` stands for. Hermes writes ids already normalised
    /// (lower-case hex, no `0x`), so such an id is looked up on its bytes in place; anything
    /// else goes through `normalizedFeedID` as before.
    private static func feedIndex(_ id: JSONSpan, in s: JSONScanner, _ lookup: BatchLookup) -> Int? {
        if !id.hasEscapes {
            let raw = s.rawBytes(of: id)
            if isNormalizedFeedID(raw) { return lookup.symbol(for: raw) }
        }
        var text = PythParser.normalizedFeedID(s.text(of: id))
        return text.withUTF8 { lookup.symbol(for: $0) }
    }

    /// True when `normalizedFeedID` would return these bytes unchanged: no blanks, no upper
    /// case, no leading `0x`.
    static func isNormalizedFeedID(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if b.count >= 2, b[0] == UInt8(ascii: "0"), b[1] == UInt8(ascii: "x") { return false }
        for c in b {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { return false }
            if c >= UInt8(ascii: "A"), c <= UInt8(ascii: "Z") { return false }
        }
        return true
    }
}

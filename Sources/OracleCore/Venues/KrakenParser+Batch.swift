extension KrakenParser {
    /// `GET /0/public/Ticker?pair=XBTUSD,ETHUSD`: one `result` member per pair, keyed by Kraken's
    /// own pair name, which is not the request string for the legacy assets: `XBTUSD` answers
    /// as `XXBTZUSD`, `ETHUSD` as `XETHZUSD`, `USDTUSD` as `USDTZUSD`, while newer pairs
    /// (`SOLUSD`) answer as requested.
    ///
    /// A key matches a configured pair when it equals it after folding (case, separators), or
    /// after removing Kraken's legacy asset prefixes (`X`/`Z` before a 3-letter code), with
    /// Kraken's `XBT`/`XDG` standing for `BTC`/`DOGE` either way. A request for one pair whose
    /// answer holds one entry takes it whatever its key, as the single parser does. One pair
    /// Kraken does not know fails the whole request (`EQuery:Unknown asset pair`): that is the
    /// venue's rule, applied to every pair of the request.
    static func parseBatch(symbols: [String], response: VenueResponse) -> BatchAnswer {
        let wanted = BatchCollector.unique(symbols)
        var keys: [String] = [], owners: [Int] = []
        for (i, symbol) in wanted.enumerated() {
            for alias in assetAliases(InstrumentGuard.normalized(symbol)) {
                keys.append(alias)
                owners.append(i)
            }
        }
        let lookup = BatchLookup(keys: keys, symbolIndex: owners)
        return ResponseTriage.parseBatch(response, venue: .kraken, symbols: symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .kraken)
            let result = try s.requireObject(s.member("result", of: root), "result", .kraken)
            var members = 0
            var only: JSONSpan?
            s.forEachMember(of: result) { _, v in
                members += 1
                only = members == 1 ? v : nil
                return members < 2
            }
            if wanted.count == 1, members == 1, let only {
                c.sawEntry()
                c.offer(0) { () throws(VenueError) -> Quote in try quote(s, ticker: only) }
                return
            }
            s.forEachMember(of: result) { k, v in
                c.sawEntry()
                if let i = index(of: k, in: s, lookup) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, ticker: v) }
                }
                return true
            }
        }
    }

    /// The configured pair a result key stands for: as written, or without legacy prefixes.
    private static func index(of key: JSONSpan, in s: JSONScanner, _ lookup: BatchLookup) -> Int? {
        if let i = lookup.symbol(in: s, key) { return i }
        var name = InstrumentGuard.normalized(s.text(of: key))
        let stripped = withoutLegacyPrefixes(name)
        guard stripped != name else { return nil }
        name = stripped
        return name.withUTF8 { lookup.symbol(for: $0) }
    }

    /// `XXBTZUSD` → `XBTUSD`, `USDTZUSD` → `USDTUSD`, `XETHXXBT` → `ETHXBT`: Kraken's legacy asset
    /// codes are four letters, an `X` (crypto) or `Z` (fiat) before a three-letter code.
    static func withoutLegacyPrefixes(_ key: String) -> String {
        var b = Array(key.utf8)
        let fiat: Set<String> = ["USD", "EUR", "GBP", "JPY", "CAD", "CHF", "AUD"]
        if b.count == 8, b[0] == UInt8(ascii: "X") || b[0] == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "X") || b[4] == UInt8(ascii: "Z") {
            return String(decoding: b[1..<4] + b[5..<8], as: UTF8.self)
        }
        if b.count >= 7, b[b.count - 4] == UInt8(ascii: "Z"), fiat.contains(String(decoding: b[(b.count - 3)...], as: UTF8.self)) {
            b.remove(at: b.count - 4)
            return String(decoding: b, as: UTF8.self)
        }
        return key
    }

    /// A folded pair name and its spellings with Kraken's `XBT`/`XDG` for `BTC`/`DOGE` (and back).
    static func assetAliases(_ folded: String) -> [String] {
        var out = [folded]
        for (a, b) in [("BTC", "XBT"), ("DOGE", "XDG")] {
            for s in out {
                if s.contains(a) { out.append(s.replacing(a, with: b)) }
                if s.contains(b) { out.append(s.replacing(b, with: a)) }
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}

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
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let wanted = plan.symbols
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .kraken, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
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

    /// The lookup of every configured pair under each of its `assetAliases` (built once per
    /// symbol list, see `BatchParsePlan`).
    static func batchLookup(_ wanted: [String]) -> BatchLookup {
        var keys: [String] = [], owners: [Int] = []
        for (i, symbol) in wanted.enumerated() {
            for alias in assetAliases(InstrumentGuard.normalized(symbol)) {
                keys.append(alias)
                owners.append(i)
            }
        }
        return BatchLookup(keys: keys, symbolIndex: owners)
    }

    /// The configured pair a result key stands for: as written, or without legacy prefixes.
    /// Runs for every key of the answer, so the second try works on the folded bytes in a
    /// stack buffer rather than on Strings (same rules as `withoutLegacyPrefixes`).
    private static func index(of key: JSONSpan, in s: JSONScanner, _ lookup: BatchLookup) -> Int? {
        if let i = lookup.symbol(in: s, key) { return i }
        guard key.kind == .string else { return nil }
        if key.hasEscapes {
            let name = InstrumentGuard.normalized(s.text(of: key))
            let stripped = withoutLegacyPrefixes(name)
            guard stripped != name else { return nil }
            var text = stripped
            return text.withUTF8 { lookup.symbol(for: $0) }
        }
        let raw = s.rawBytes(of: key)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, raw.count)) { buffer -> Int? in
            var n = 0
            for c in raw {
                if let u = InstrumentGuard.folded(c) { buffer[n] = u; n += 1 }
            }
            guard let base = buffer.baseAddress else { return nil }
            let folded = UnsafeMutableBufferPointer(start: base, count: n)
            guard let m = strippingLegacyPrefixes(folded) else { return nil }
            return lookup.symbol(for: UnsafeBufferPointer(start: base, count: m))
        }
    }

    /// `withoutLegacyPrefixes` in place on folded bytes: the new length, nil when no rule applies.
    static func strippingLegacyPrefixes(_ b: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        let n = b.count
        let x = UInt8(ascii: "X"), z = UInt8(ascii: "Z")
        if n == 8, b[0] == x || b[0] == z, b[4] == x || b[4] == z {
            b[0] = b[1]; b[1] = b[2]; b[2] = b[3]
            b[3] = b[5]; b[4] = b[6]; b[5] = b[7]
            return 6
        }
        if n >= 7, b[n - 4] == z, isLegacyFiat(b[n - 3], b[n - 2], b[n - 1]) {
            b[n - 4] = b[n - 3]; b[n - 3] = b[n - 2]; b[n - 2] = b[n - 1]
            return n - 1
        }
        return nil
    }

    /// USD, EUR, GBP, JPY, CAD, CHF, AUD (the fiat codes Kraken writes with a `Z`).
    private static func isLegacyFiat(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch (a, b, c) {
        case (0x55, 0x53, 0x44), (0x45, 0x55, 0x52), (0x47, 0x42, 0x50), (0x4A, 0x50, 0x59),
             (0x43, 0x41, 0x44), (0x43, 0x48, 0x46), (0x41, 0x55, 0x44): return true
        default: return false
        }
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

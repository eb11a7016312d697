/// CoinGecko `GET /api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true`.
///
/// The source symbol is "<coin id>/<vs currency>" ("bitcoin/usd"; the currency defaults to
/// usd). Body: `{"bitcoin":{"usd":67187.3358,"last_updated_at":1711356300}}` — the price is a
/// JSON number, possibly in exponent form (`2.851e-05`), kept as written; the time is in
/// seconds. An unknown id answers `{}` with HTTP 200; rate limits are 429 with
/// `{"status":{"error_code":429,…}}`.
enum CoinGeckoParser {
    /// Splits "bitcoin/usd" into the coin id and vs-currency CoinGecko expects (lower case).
    static func split(_ symbol: String) -> (id: String, currency: String) {
        var copy = symbol
        return copy.withUTF8 { b in
            let slash = b.firstIndex(of: UInt8(ascii: "/"))
            let id = lowerTrimmed(UnsafeBufferPointer(rebasing: b[..<(slash ?? b.count)]))
            let currency = slash.map { lowerTrimmed(UnsafeBufferPointer(rebasing: b[($0 + 1)...])) } ?? ""
            return (id, currency.isEmpty ? "usd" : currency)
        }
    }

    /// ASCII lower-case without surrounding blanks (CoinGecko ids and currencies are ASCII).
    private static func lowerTrimmed(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var lo = 0, hi = b.count
        while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
        while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
        return String(unsafeUninitializedCapacity: hi - lo) { out in
            for k in lo..<hi {
                let c = b[k]
                out[k - lo] = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c
            }
            return hi - lo
        }
    }

    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        let (id, currency) = split(symbol)
        return try ResponseTriage.parse(response, venue: .coingecko, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .coingecko)
            guard let coin = s.member(named: id, of: root), coin.kind == .object else {
                throw VenueError(.unknownSymbol, "coingecko: no price for coin id '\(id)'; check the id on coingecko.com (e.g. 'bitcoin', not 'BTC')")
            }
            return try quote(s, coin: coin, id: id, currency: currency)
        }
    }

    /// The quote in `currency` from one coin object; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, coin: JSONSpan, id: String, currency: String) throws(VenueError) -> Quote {
        var price: JSONSpan?, updated: JSONSpan?
        s.forEachMember(of: coin) { k, v in
            if s.string(k, equalsText: currency) { price = v }
            else if s.string(k, equals: "last_updated_at") { updated = v }
            return price == nil || updated == nil
        }
        guard let price, price.kind != .null else {
            throw VenueError(.unknownSymbol, "coingecko: coin '\(id)' has no price in vs currency '\(currency)'")
        }
        return try Quote(last: s.decimal(price, "<id>.<currency>", .coingecko),
                         exchangeTimestampMs: s.timestamp(updated, "last_updated_at", unit: .s, .coingecko)).requiringPrice(.coingecko)
    }

    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object else { return nil }
        var statusSpan: JSONSpan?, errorSpan: JSONSpan?
        s.forEachMember(of: root) { k, v in
            if s.string(k, equals: "status") { statusSpan = v } else if s.string(k, equals: "error") { errorSpan = v }
            return true
        }
        if let status = statusSpan, status.kind == .object,
           let code = s.codeText(s.member("error_code", of: status)) {
            let msg = s.stringText(s.member("error_message", of: status)) ?? ""
            let cls: VenueError.Class
            switch code {
            case "429": cls = .rateLimited
            case "10002", "10005", "10010", "10011": cls = .badRequest   // API key missing, not allowed or invalid
            default: cls = ErrorText.classify(msg)
            }
            return BodyVerdict(cls, "\(code) \(msg)")
        }
        if let error = errorSpan, error.kind == .string {
            let text = s.text(of: error)
            let cls = ErrorText.classify(text)
            return BodyVerdict(cls == .badRequest ? .unknownSymbol : cls, text)
        }
        return nil
    }
}

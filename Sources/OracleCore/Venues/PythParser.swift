/// Pyth Hermes `GET /v2/updates/price/latest?ids[]=0x<feed id>`.
///
/// Body: `{"parsed":[{"id":"<hex, no 0x>","price":{"price":"<int>","conf":"<int>","expo":-8,"publish_time":s}}]}`.
/// Price and confidence are integer strings scaled by 10^expo, turned into exact decimal
/// text on the digits. No bid/ask; `conf` becomes `Quote.confidence`. Errors come as plain
/// text with HTTP 4xx (404 unknown id, 400 malformed id: both `unknown_symbol`) or 429.
enum PythParser {
    /// The feed id as Hermes writes it in responses: lower-case hex without `0x`.
    static func normalizedFeedID(_ symbol: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for c in symbol.utf8 where c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
            out.append(c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c)
        }
        if out.count >= 2, out[0] == UInt8(ascii: "0"), out[1] == UInt8(ascii: "x") { out.removeFirst(2) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares a response id with the configured feed id, ignoring case, surrounding
    /// blanks and a `0x` prefix on either side, without allocating: bytes are compared in
    /// place, eight at a time while they match exactly (Hermes and configs both use lower
    /// case), byte by byte with ASCII case folding otherwise.
    static func sameFeed(_ symbol: String, _ id: UnsafeBufferPointer<UInt8>) -> Bool {
        var symbol = symbol
        return symbol.withUTF8 { wanted in
            let w = strip0x(trimBlanks(wanted))
            let a = strip0x(trimBlanks(id))
            let n = w.count
            guard n == a.count else { return false }
            guard n > 0, let wp = w.baseAddress, let ap = a.baseAddress else { return n == 0 }
            var k = 0
            while k &+ 8 <= n {
                let x = UnsafeRawPointer(wp + k).loadUnaligned(as: UInt64.self)
                let y = UnsafeRawPointer(ap + k).loadUnaligned(as: UInt64.self)
                if x != y { break }
                k &+= 8
            }
            while k < n {
                let c = wp[k], d = ap[k]
                if c != d, c | lowerBit(c) != d | lowerBit(d) { return false }
                k &+= 1
            }
            return true
        }
    }

    @inline(__always)
    private static func lowerBit(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? 0x20 : 0
    }

    @inline(__always)
    private static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    @inline(__always)
    private static func trimBlanks(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = b.count
        while lo < hi, isBlank(b[lo]) { lo += 1 }
        while hi > lo, isBlank(b[hi - 1]) { hi -= 1 }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
    }

    @inline(__always)
    private static func strip0x(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard b.count >= 2, b[0] == UInt8(ascii: "0"), b[1] | 0x20 == UInt8(ascii: "x") else { return b }
        return UnsafeBufferPointer(rebasing: b[2...])
    }

    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        if response.status == 400 {
            // Hermes answers 400 only for a malformed query, and the feed id is the whole query:
            // a configuration error on the symbol, like Bitfinex's 10020 or Crypto.com's 40004.
            let detail = response.body.withUnsafeBufferPointer { ResponseTriage.snippet($0) }
            throw VenueError(.unknownSymbol, "pyth: HTTP 400 for feed id '\(symbol)': \(detail); use the feed's 32-byte hex id")
        }
        return try ResponseTriage.parse(response, venue: .pyth, bodyVerdict: verdict, textVerdict: textVerdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .pyth)
            let parsed = try s.requireArray(s.member("parsed", of: root), "parsed", .pyth)
            var entries = 0
            var chosen: JSONSpan?
            var seen: String?
            s.forEachElement(of: parsed) { _, e in
                entries += 1
                guard let id = s.member("id", of: e), id.kind == .string else { return true }
                if !id.hasEscapes, sameFeed(symbol, s.rawBytes(of: id)) { chosen = e; return false }
                if seen == nil { seen = s.text(of: id) }
                return true
            }
            guard let chosen else {
                if entries == 0 { throw VenueError(.unknownSymbol, "pyth: no parsed price for feed \(symbol)") }
                throw VenueError(.other, "pyth: response carries feed '\(seen ?? "(no id)")' but feed '\(normalizedFeedID(symbol))' was requested; check base_url and the feed id")
            }
            return try quote(s, entry: chosen)
        }
    }

    /// The quote from one `parsed[]` entry; the batch parser uses the same rules.
    static func quote(_ s: JSONScanner, entry: JSONSpan) throws(VenueError) -> Quote {
        let entry = try s.requireObject(entry, "parsed[0]", .pyth)
        let price = try s.requireObject(s.member("price", of: entry), "parsed[0].price", .pyth)
        var mantissa: JSONSpan?, conf: JSONSpan?, expo: JSONSpan?, time: JSONSpan?
        s.forEachMember(of: price) { k, v in
            if s.string(k, equals: "price") { mantissa = v }
            else if s.string(k, equals: "conf") { conf = v }
            else if s.string(k, equals: "expo") { expo = v }
            else if s.string(k, equals: "publish_time") { time = v }
            return mantissa == nil || conf == nil || expo == nil || time == nil
        }
        guard let expoText = s.codeText(expo), let exponent = Int(expoText) else {
            throw VenueError(.other, "pyth: price.expo is missing or not an integer")
        }
        return Quote(last: try scaled(s, mantissa, exponent, "price.price", required: true),
                     exchangeTimestampMs: try s.timestamp(time, "price.publish_time", unit: .s, .pyth),
                     confidence: try scaled(s, conf, exponent, "price.conf", required: false))
    }

    private static func scaled(_ s: JSONScanner, _ v: JSONSpan?, _ exponent: Int, _ field: StaticString,
                               required: Bool) throws(VenueError) -> VenueNumber? {
        guard let v, v.kind != .null, !v.isEmptyString else {
            if required { throw VenueError(.other, "pyth: \(field) is missing") }
            return nil
        }
        if v.kind == .string || v.kind == .number, !v.hasEscapes {
            let mantissa = s.rawBytes(of: v)
            if let size = ScaledDecimalText.capacity(mantissa: mantissa, exponent: exponent) {
                // Digits go to stack memory; `FastDecimal` builds the one String (small, so
                // usually no allocation at all). The slow path keeps `VenueNumber`'s rules.
                let number = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buf -> VenueNumber? in
                    guard let w = ScaledDecimalText.write(mantissa: mantissa, exponent: exponent, into: buf) else { return nil }
                    let digits = UnsafeBufferPointer(rebasing: buf[0..<w])
                    if let number = FastDecimal.number(digits, escaped: false) { return number }
                    if let number = VenueNumber(String(decoding: digits, as: UTF8.self)), number.value.isFinite { return number }
                    return nil
                }
                if let number { return number }
            }
        }
        throw VenueError(.other, "pyth: \(field) '\(s.text(of: v).prefix(40))' with expo \(exponent) is not an integer mantissa")
    }

    /// Hermes may answer JSON errors in a `{"message"|"error": …}` object.
    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, s.member("parsed", of: root) == nil,
              let text = s.stringText(s.member("message", of: root) ?? s.member("error", of: root)) else { return nil }
        return BodyVerdict(ErrorText.classify(text), text)
    }

    /// Plain-text bodies: "Price ids not found: …", "Too Many Requests".
    static func textVerdict(_ text: String) -> BodyVerdict? {
        guard !text.isEmpty else { return nil }
        return BodyVerdict(ErrorText.classify(text), text)
    }
}

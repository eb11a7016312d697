/// Rejects a body that names a different instrument than the one requested.
///
/// A misrouted proxy, a caching layer or a venue bug answering BTC-USDT with ETH-USDT would
/// otherwise feed a wrong price into the mark with full confidence. Spellings are compared
/// after normalising case and separators ("BTC/USD" = "btcusd" = "BTC_USD"), so only a
/// genuinely different pair is refused. The comparison runs on the bytes in place; strings
/// are only built for the error message.
enum InstrumentGuard {
    /// Upper-case ASCII letters and digits only.
    static func normalized(_ symbol: some StringProtocol) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(symbol.utf8.count)
        for c in symbol.utf8 {
            if let u = folded(c) { out.append(u) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The byte upper-cased if it is an ASCII letter or digit, nil for separators and the rest.
    @inline(__always)
    static func folded(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - 32
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return c
        default: return nil
        }
    }

    /// True when both spellings are equal after normalising. A false answer is only a hint:
    /// the string-based `check` then decides (and handles empty spellings).
    static func sameInstrument(_ requested: String, _ answered: UnsafeBufferPointer<UInt8>) -> Bool {
        var requested = requested
        return requested.withUTF8 { r in
            // Venues mostly echo the symbol exactly as requested: one compare, no folding.
            if r.count == answered.count, let rb = r.baseAddress, let ab = answered.baseAddress,
               JSONScanner.sameBytes(rb, ab, r.count) { return true }
            var i = 0, j = 0
            while true {
                var a: UInt8?
                while a == nil, i < answered.count { a = folded(answered[i]); i += 1 }
                var b: UInt8?
                while b == nil, j < r.count { b = folded(r[j]); j += 1 }
                guard a == b else { return false }
                if a == nil { return true }
            }
        }
    }

    /// Throws `other` when the body's instrument (a string value) is a different pair.
    static func check(_ venue: VenueKind, requested: String, answered: JSONSpan?, in s: JSONScanner) throws(VenueError) {
        guard let answered, answered.kind == .string else { return }
        if !answered.hasEscapes, sameInstrument(requested, s.rawBytes(of: answered)) { return }
        try check(venue, requested: requested, answered: s.text(of: answered))
    }

    /// Throws `other` when both spellings are non-empty and differ after normalising.
    static func check(_ venue: VenueKind, requested: String, answered: String) throws(VenueError) {
        let a = normalized(answered)
        let r = normalized(requested)
        guard !a.isEmpty, !r.isEmpty, a != r else { return }
        throw VenueError(.other, "\(venue.rawValue): body is for instrument '\(answered)' but '\(requested)' was requested; the venue or a proxy answered for the wrong pair, check base_url and the symbol")
    }
}

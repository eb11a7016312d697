/// Turns a venue's timestamp text (JSON number or string) into Unix milliseconds.
///
/// Venues disagree on units (Bitstamp and Pyth send seconds, most send milliseconds, some
/// generic feeds micro- or nanoseconds), and on form (`1686068944`, `"1711356300117"`,
/// `1.7113563E12`). Integer text is converted exactly; fractional seconds keep their
/// milliseconds (truncated); exponent forms go through `Double`, which is exact enough for
/// a millisecond clock.
enum TimestampText {
    enum Unit: Sendable {
        case s, ms, us, ns

        /// Milliseconds per unit as a (multiplier, divisor) pair.
        var scale: (mul: Int64, div: Int64) {
            switch self {
            case .s: return (1000, 1)
            case .ms: return (1, 1)
            case .us: return (1, 1000)
            case .ns: return (1, 1_000_000)
            }
        }
    }

    static func millis(_ text: UnsafeBufferPointer<UInt8>, unit: Unit) -> Int64? {
        let n = text.count
        guard n > 0, n <= 40 else { return nil }
        if n <= 18 {
            // Common case: plain digits. 18 digits cannot overflow Int64, so no per-digit checks.
            var v: Int64 = 0
            var k = 0
            while k < n {
                let d = text[k] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                v = v &* 10 &+ Int64(d)
                k &+= 1
            }
            if k == n {
                let (mul, div) = unit.scale
                let (scaled, overflow) = v.multipliedReportingOverflow(by: mul)
                guard !overflow else { return nil }
                return scaled / div
            }
        }
        var i = 0
        var negative = false
        if text[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var whole: Int64 = 0
        var intDigits = 0
        while i < n, text[i] &- UInt8(ascii: "0") < 10 {
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(text[i] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            whole = a
            intDigits += 1
            i += 1
        }
        guard intDigits > 0 else { return nil }
        // Fraction of one unit, as parts per 10^9 (enough for s → ms).
        var fractionNanos: Int64 = 0
        if i < n, text[i] == UInt8(ascii: ".") {
            i += 1
            var place: Int64 = 100_000_000
            var fracDigits = 0
            while i < n, text[i] &- UInt8(ascii: "0") < 10 {
                fractionNanos += Int64(text[i] - UInt8(ascii: "0")) * place
                place /= 10
                fracDigits += 1
                i += 1
            }
            guard fracDigits > 0 else { return nil }
        }
        if i < n {
            // Exponent form, e.g. 1.711356300117E12: fall back to binary floating point.
            guard text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E"),
                  let v = Double(String(decoding: text, as: UTF8.self)) else { return nil }
            let (mul, div) = unit.scale
            let ms = (v * Double(mul) / Double(div)).rounded(.towardZero)
            guard ms.isFinite, abs(ms) < 9.0e18 else { return nil }
            return Int64(ms)
        }
        let (mul, div) = unit.scale
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: mul)
        guard !overflow else { return nil }
        var result = scaled / div
        if mul > 1 { result += fractionNanos * mul / 1_000_000_000 }
        return negative ? -result : result
    }

    static func millis(_ text: String, unit: Unit) -> Int64? {
        var copy = text
        return copy.withUTF8 { millis($0, unit: unit) }
    }
}

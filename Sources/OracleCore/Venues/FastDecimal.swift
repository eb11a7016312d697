/// Builds a `VenueNumber` from plain decimal bytes without going through `strtod`.
///
/// For text of the form `-?digits(.digits)?` with at most 15 significant digits and at most
/// 22 fraction digits, the mantissa and the power of ten are both exact doubles, so one
/// IEEE division gives the correctly rounded value — bit-identical to `Double(text)`
/// (Clinger's fast path). Anything else (exponents, 16+ digits, signs, escapes) returns nil
/// and the caller falls back to `VenueNumber(text)`, so the accepted language is the same.
enum FastDecimal {
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, escaped: Bool) -> VenueNumber? {
        let n = bytes.count
        guard !escaped, n > 0, n <= 40 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var sawDigit = false
        var fractionDigits = 0
        var inFraction = false
        while i < n {
            let c = bytes[i]
            let d = c &- UInt8(ascii: "0")
            if d < 10 {
                sawDigit = true
                if inFraction { fractionDigits += 1 }
                if significant > 0 || d != 0 { significant += 1 }
                guard significant <= 15 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(d)
            } else if c == UInt8(ascii: "."), !inFraction, sawDigit {
                inFraction = true
            } else {
                return nil
            }
            i += 1
        }
        guard sawDigit, fractionDigits <= 22, !inFraction || fractionDigits > 0 else { return nil }
        var value = Double(mantissa) / powersOfTen[fractionDigits]
        if negative { value = -value }
        return VenueNumber(text: String(decoding: bytes, as: UTF8.self), value: value)
    }
}

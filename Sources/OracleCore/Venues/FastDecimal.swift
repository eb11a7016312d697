/// Builds a `VenueNumber` from plain decimal bytes without going through `strtod`.
///
/// For text of the form `-?digits(.digits)?` whose digits, read as an integer, stay at or
/// below 2^53 (at most 19 digits) with at most 22 fraction digits, the mantissa and the
/// power of ten are both exact doubles, so one
/// IEEE division gives the correctly rounded value — bit-identical to `Double(text)`
/// (Clinger's fast path). Anything else (exponents, longer mantissas, "+", escapes) returns nil
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
        // Digits accumulate with wrapping arithmetic; the digit-count guard below discards
        // any wrapped result (19 digits always fit a UInt64).
        var mantissa: UInt64 = 0
        let intStart = i
        while i < n {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        let intDigits = i &- intStart
        guard intDigits > 0 else { return nil }
        var fractionDigits = 0
        if i < n {
            guard bytes[i] == UInt8(ascii: ".") else { return nil }
            i &+= 1
            let fractionStart = i
            while i < n {
                let d = bytes[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
            }
            fractionDigits = i &- fractionStart
            guard fractionDigits > 0 else { return nil }
        }
        // Exact operands: the mantissa below 2^53 and 10^fractionDigits at most 10^22.
        guard intDigits &+ fractionDigits <= 19, fractionDigits <= 22, mantissa <= 1 << 53 else { return nil }
        var value = Double(mantissa) / powersOfTen[fractionDigits]
        if negative { value = -value }
        return VenueNumber(text: asciiText(bytes), value: value)
    }

    /// A String of bytes already known to be ASCII (digits, '.', '-'): copied straight into
    /// the string's storage, which for up to 15 bytes is the inline small form, so no UTF-8
    /// repair pass and no allocation.
    @inline(__always)
    static func asciiText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard let src = bytes.baseAddress else { return "" }
        let n = bytes.count
        return String(unsafeUninitializedCapacity: n) { out in
            guard let dst = out.baseAddress else { return 0 }
            dst.update(from: src, count: n)
            return n
        }
    }
}

/// Exact decimal text for an integer mantissa times a power of ten (Pyth's `price` × 10^`expo`).
///
/// Done on the digits, never through `Double`: "6784312500000" with expo -8 must read
/// "67843.12500000", every digit the publisher sent.
enum ScaledDecimalText {
    /// Largest |expo| accepted; real feeds use -5…-10, and a hostile 10^100000 must not
    /// allocate a 100 kB string.
    static let maxExponent = 64

    /// Returns nil when `mantissa` is not an optionally signed run of ASCII digits or the
    /// exponent is out of range.
    static func text(mantissa: String, exponent: Int) -> String? {
        var m = mantissa
        return m.withUTF8 { bytes(mantissa: $0, exponent: exponent) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The same, as UTF-8 bytes.
    static func bytes(mantissa: UnsafeBufferPointer<UInt8>, exponent: Int) -> [UInt8]? {
        guard let size = capacity(mantissa: mantissa, exponent: exponent) else { return nil }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBufferPointer { write(mantissa: mantissa, exponent: exponent, into: $0) }
        guard let written else { return nil }
        out.removeLast(size - written)
        return out
    }

    /// Bytes `write` needs at most for this mantissa and exponent; nil when the exponent is
    /// out of range.
    @inline(__always)
    static func capacity(mantissa: UnsafeBufferPointer<UInt8>, exponent: Int) -> Int? {
        guard exponent >= -maxExponent, exponent <= maxExponent else { return nil }
        return mantissa.count + (exponent < 0 ? -exponent : exponent) + 3
    }

    /// Writes the scaled text into `out` (at least `capacity(...)` bytes) and returns the
    /// count written, or nil when `mantissa` is not an optionally signed run of ASCII digits,
    /// the exponent is out of range or `out` is too small. The parser's hot path passes stack
    /// memory, so no array is built.
    static func write(mantissa: UnsafeBufferPointer<UInt8>, exponent: Int,
                      into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        guard let need = capacity(mantissa: mantissa, exponent: exponent), out.count >= need,
              let o = out.baseAddress else { return nil }
        var lo = 0
        var negative = false
        let n = mantissa.count
        if n > 0, mantissa[0] == UInt8(ascii: "-") || mantissa[0] == UInt8(ascii: "+") {
            negative = mantissa[0] == UInt8(ascii: "-")
            lo = 1
        }
        guard lo < n else { return nil }
        for k in lo..<n where mantissa[k] &- UInt8(ascii: "0") >= 10 { return nil }
        // Leading zeros carry no information; keep at least one digit.
        while lo < n - 1, mantissa[lo] == UInt8(ascii: "0") { lo += 1 }
        let digits = UnsafeBufferPointer(rebasing: mantissa[lo..<n])
        let count = digits.count
        let isZero = count == 1 && digits[0] == UInt8(ascii: "0")
        var w = 0
        @inline(__always) func put(_ c: UInt8) { o[w] = c; w &+= 1 }
        @inline(__always) func put(_ b: UnsafeBufferPointer<UInt8>) { for c in b { o[w] = c; w &+= 1 } }
        @inline(__always) func zeros(_ k: Int) { for _ in 0..<k { o[w] = UInt8(ascii: "0"); w &+= 1 } }
        if negative { put(UInt8(ascii: "-")) }
        if exponent >= 0 {
            put(digits)
            if !isZero { zeros(exponent) }
        } else {
            let fraction = -exponent
            if count <= fraction {
                put(UInt8(ascii: "0"))
                put(UInt8(ascii: "."))
                zeros(fraction - count)
                put(digits)
            } else {
                let split = count - fraction
                put(UnsafeBufferPointer(rebasing: digits[0..<split]))
                put(UInt8(ascii: "."))
                put(UnsafeBufferPointer(rebasing: digits[split...]))
            }
        }
        return w
    }
}

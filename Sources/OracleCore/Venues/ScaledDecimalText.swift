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

    /// The same, as UTF-8 bytes (the parser's hot path avoids building intermediate strings).
    static func bytes(mantissa: UnsafeBufferPointer<UInt8>, exponent: Int) -> [UInt8]? {
        guard abs(exponent) <= maxExponent else { return nil }
        var lo = 0
        var negative = false
        if let first = mantissa.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            lo = 1
        }
        let n = mantissa.count
        guard lo < n else { return nil }
        for k in lo..<n where mantissa[k] &- UInt8(ascii: "0") >= 10 { return nil }
        // Leading zeros carry no information; keep at least one digit.
        while lo < n - 1, mantissa[lo] == UInt8(ascii: "0") { lo += 1 }
        let digits = UnsafeBufferPointer(rebasing: mantissa[lo..<n])
        let isZero = digits.count == 1 && digits[0] == UInt8(ascii: "0")
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + abs(exponent) + 3)
        if negative { out.append(UInt8(ascii: "-")) }
        if exponent >= 0 {
            out.append(contentsOf: digits)
            if !isZero { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: exponent)) }
        } else {
            let fraction = -exponent
            if digits.count <= fraction {
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: fraction - digits.count))
                out.append(contentsOf: digits)
            } else {
                let split = digits.count - fraction
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<split]))
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[split...]))
            }
        }
        return out
    }
}

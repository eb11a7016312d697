/// Eight-bytes-at-a-time searches for the scanner's inner loops (SIMD within a register).
///
/// Ticker bodies are mostly string content and, when pretty-printed, indentation; testing a
/// 64-bit word per step instead of one byte roughly halves validation time. Each function
/// returns a mask whose lowest set bit marks the first interesting byte: the classic
/// "has zero byte" trick can flag bytes *after* a true match (borrow propagation) but never
/// before it, so only the lowest bit is used.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func zeroBytes(_ v: UInt64) -> UInt64 {
        (v &- ones) & ~v & highs
    }

    /// Bytes that end or interrupt a string while validating: `"`, `\`, or a control character.
    @inline(__always)
    static func stringStops(_ w: UInt64) -> UInt64 {
        zeroBytes(w ^ (0x22 &* ones)) | zeroBytes(w ^ (0x5C &* ones)) | ((w &- 0x20 &* ones) & ~w & highs)
    }

    /// Bytes that end or interrupt a string in an already validated body: `"` or `\`.
    @inline(__always)
    static func quoteOrBackslash(_ w: UInt64) -> UInt64 {
        zeroBytes(w ^ (0x22 &* ones)) | zeroBytes(w ^ (0x5C &* ones))
    }

    /// Bytes that matter when skipping a container: `"`, `[`, `]`, `{`, `}`
    /// (`[`|0x20 is `{` and `]`|0x20 is `}`).
    @inline(__always)
    static func structural(_ w: UInt64) -> UInt64 {
        let folded = w | (0x20 &* ones)
        return zeroBytes(w ^ (0x22 &* ones)) | zeroBytes(folded ^ (0x7B &* ones)) | zeroBytes(folded ^ (0x7D &* ones))
    }

    /// Index of the first byte at or after `from` flagged by `mask`, scanning whole words while
    /// at least eight bytes remain; returns the first index it could not decide by words
    /// (the caller finishes byte by byte). Never reads outside `bytes`.
    @inline(__always)
    static func skip(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, _ mask: (UInt64) -> UInt64) -> Int {
        guard let base = bytes.baseAddress else { return from }
        let n = bytes.count
        var j = from
        while j &+ 8 <= n {
            let w = UInt64(littleEndian: UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
            let m = mask(w)
            if m != 0 { return j &+ (m.trailingZeroBitCount >> 3) }
            j &+= 8
        }
        return j
    }
}

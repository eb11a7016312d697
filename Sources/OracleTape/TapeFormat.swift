/// The byte layout of a tape, version 1 (docs/replay.md has the table).
///
/// ```
/// header   "ORCLTAPE" (8 bytes) · version u16 LE · reserved u16 (0)
/// record   length u32 LE · CRC-32 (IEEE) of the payload u32 LE · payload (length bytes)
/// ```
/// Append-only: a writer only ever adds whole records at the end, so a crash can at worst leave
/// the last record incomplete, which the reader detects (short, or CRC mismatch at the end of
/// the file) and ignores. A bad record followed by more data is corruption, reported with its offset.
public enum TapeFormat {
    public static let magic: [UInt8] = Array("ORCLTAPE".utf8)
    public static let version: UInt16 = 1
    public static let headerSize = 12
    /// Length field + CRC field.
    public static let frameSize = 8
    /// A record longer than this is corrupt, not a big answer: the daemon caps bodies far lower
    /// (`max_body`), and a garbage length must not make the reader allocate gigabytes.
    public static let maxPayload = 256 << 20

    static let kindResponse: UInt8 = 1
    static let kindCycle: UInt8 = 2

    /// The file header.
    public static var header: [UInt8] {
        var o = magic
        o.appendLE(version)
        o.appendLE(UInt16(0))
        return o
    }

    /// The response headers worth keeping: what a schedule or a parser reads (Retry-After, the
    /// venues' rate-limit counters and resets, Date for clock skew, Content-Type). Everything else
    /// (cookies, tracing ids, CDN noise) is dropped: it bloats the tape and may identify the client.
    public static func keptHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        return n == "retry-after" || n == "date" || n == "content-type" || n.hasPrefix("x-ratelimit") || n.hasPrefix("ratelimit")
            || n.hasPrefix("x-mbx-used-weight") || n.hasPrefix("x-rate-limit") || n.hasPrefix("x-bapi-limit")
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        var le = v.littleEndian
        Swift.withUnsafeBytes(of: &le) { append(contentsOf: $0) }
    }
}

/// Record → bytes (pure). See `TapeFormat` for the frame; the payload is:
///
/// ```
/// kind u8 (1 response, 2 cycle) · wall_ms i64 · mono_ms i64
/// response only:
///   flags u8 (bit 0: batch) · source str16 · targets u16 × (pair str16, symbol str16)
///   status u16 (0: no HTTP answer) · latency_us i64 (−1: unknown)
///   transport_error str16 · transport_message str16 · headers u16 × (name str16, value str16)
///   body u32 length + bytes
/// ```
/// `str16` is a u16 LE byte length and UTF-8 bytes; all integers little-endian. Strings longer
/// than 65 535 bytes are cut at that length (no venue header or symbol comes near it).
public enum TapeEncoder {
    /// The framed record (length, CRC, payload), ready to append to a tape.
    public static func frame(_ record: TapeRecord) -> [UInt8] {
        var out: [UInt8] = []
        append(record, to: &out)
        return out
    }

    /// Appends the framed record to `out` (the recorder's buffer), without a temporary copy of the frame.
    public static func append(_ record: TapeRecord, to out: inout [UInt8]) {
        let start = out.count
        out.appendLE(UInt32(0))
        out.appendLE(UInt32(0))
        payload(record, into: &out)
        let length = out.count - start - TapeFormat.frameSize
        let crc = CRC32.checksum(out[(start + TapeFormat.frameSize)...])
        out.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt32(length).littleEndian, toByteOffset: start, as: UInt32.self)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    static func payload(_ record: TapeRecord, into o: inout [UInt8]) {
        switch record {
        case .cycle(let c):
            o.append(TapeFormat.kindCycle)
            o.appendLE(c.wallMs)
            o.appendLE(c.monoMs)
        case .response(let r):
            o.append(TapeFormat.kindResponse)
            o.appendLE(r.wallMs)
            o.appendLE(r.monoMs)
            o.append(r.batch ? 1 : 0)
            str16(r.source, &o)
            o.appendLE(UInt16(clamping: r.targets.count))
            for t in r.targets.prefix(Int(UInt16.max)) {
                str16(t.pair, &o)
                str16(t.symbol, &o)
            }
            o.appendLE(UInt16(clamping: max(0, r.status)))
            o.appendLE(r.latencyUs ?? -1)
            str16(r.transportError ?? "", &o)
            str16(r.transportMessage ?? "", &o)
            let kept = r.headers.prefix(Int(UInt16.max))
            o.appendLE(UInt16(kept.count))
            for h in kept {
                str16(h.name, &o)
                str16(h.value, &o)
            }
            o.appendLE(UInt32(clamping: r.body.count))
            o.append(contentsOf: r.body.prefix(Int(UInt32.max)))
        }
    }

    static func str16(_ s: String, _ o: inout [UInt8]) {
        let bytes = Array(s.utf8.prefix(Int(UInt16.max)))
        o.appendLE(UInt16(bytes.count))
        o.append(contentsOf: bytes)
    }
}

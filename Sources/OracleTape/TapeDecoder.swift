/// Bytes → records (pure; `TapeReader` feeds it from a file). Never traps on bad bytes.
///
/// The torn-tail rule: a record that runs past the end of the file, or that fails its checksum
/// and is the last thing in the file, or a tail of zero bytes (a file system that extended the
/// file before the data reached it) is what a crash during an append leaves; it is reported
/// (`Step.tornTail`) and the tape ends before it. The same defects followed by more data, or a
/// record whose checksum holds but whose payload does not decode, are corruption.
public enum TapeDecoder {
    public enum Step: Sendable, Equatable {
        /// A record and the bytes it took (frame included).
        case record(TapeRecord, size: Int)
        /// The buffer ends inside a record and more of the file follows: read more.
        case needMore
        /// The file ends in an incomplete or garbled record; the tape ends here.
        case tornTail(String)
        case corrupt(String)
    }

    /// Checks the 12-byte header at the start of `bytes` (which may be shorter at end of file).
    public static func checkHeader(_ bytes: ArraySlice<UInt8>, path: String) throws(TapeError) {
        let head = Array(bytes.prefix(TapeFormat.headerSize))
        let magicPart = Array(head.prefix(TapeFormat.magic.count))
        guard magicPart == Array(TapeFormat.magic.prefix(magicPart.count)) else {
            throw TapeError(.badMagic, path: path, offset: 0,
                            "not an oracled tape: it starts with \(hex(magicPart)), a tape starts with \"ORCLTAPE\"; record one with `oracled record`")
        }
        guard head.count == TapeFormat.headerSize else {
            throw TapeError(.truncatedHeader, path: path, offset: head.count,
                            "truncated: \(head.count) bytes, shorter than the \(TapeFormat.headerSize)-byte tape header; the recording never started")
        }
        let version = UInt16(head[8]) | UInt16(head[9]) << 8
        guard version == TapeFormat.version else {
            throw TapeError(.badVersion, path: path, offset: 8,
                            "tape version \(version); this oracled reads version \(TapeFormat.version); replay it with the oracled that recorded it")
        }
    }

    /// The next record at the start of `buf`. `atEOF`: nothing follows `buf` in the file.
    public static func next(_ buf: ArraySlice<UInt8>, atEOF: Bool) -> Step {
        let n = buf.count
        if n == 0 { return atEOF ? .tornTail("empty") : .needMore }
        if n < TapeFormat.frameSize {
            if !atEOF { return .needMore }
            return .tornTail("\(n) bytes, shorter than a record frame")
        }
        let base = buf.startIndex
        let length = Int(readLE(buf, base, as: UInt32.self))
        if length == 0 || length > TapeFormat.maxPayload {
            if !atEOF { return .needMore } // a zero tail is only known as such at the end
            if buf.allSatisfy({ $0 == 0 }) { return .tornTail("\(n) zero bytes (space allocated, record never written)") }
            if length > n - TapeFormat.frameSize { return .tornTail("record of \(length) bytes runs past the end of the file") }
            return .corrupt("record length \(length) is impossible (1 … \(TapeFormat.maxPayload))")
        }
        let total = TapeFormat.frameSize + length
        if total > n {
            return atEOF ? .tornTail("record of \(length) bytes runs \(total - n) bytes past the end of the file") : .needMore
        }
        let expected = readLE(buf, base + 4, as: UInt32.self)
        let payload = buf[(base + TapeFormat.frameSize)..<(base + total)]
        let actual = CRC32.checksum(payload)
        if actual != expected {
            if atEOF && total == n { return .tornTail("last record fails its checksum (written partly)") }
            return .corrupt("record fails its checksum (stored \(hex32(expected)), computed \(hex32(actual)))")
        }
        do {
            return .record(try decodePayload(payload), size: total)
        } catch {
            return .corrupt("record does not decode: \(error.reason)")
        }
    }

    /// A whole tape in memory: the records, where the valid part ends, and the torn tail if any.
    public struct Decoded: Sendable {
        public var records: [TapeRecord]
        /// Bytes from the start of the file through the last good record.
        public var validEnd: Int
        public var tornTail: (offset: Int, reason: String)?
    }

    public static func decode(_ bytes: [UInt8], path: String = "") throws(TapeError) -> Decoded {
        try checkHeader(bytes[...], path: path)
        var out = Decoded(records: [], validEnd: TapeFormat.headerSize, tornTail: nil)
        var at = TapeFormat.headerSize
        while at < bytes.count {
            switch next(bytes[at...], atEOF: true) {
            case .record(let r, let size):
                out.records.append(r)
                at += size
                out.validEnd = at
            case .tornTail(let why):
                out.tornTail = (at, why)
                return out
            case .corrupt(let why):
                throw TapeError(.corrupt, path: path, offset: at, "\(why); the tape is damaged from here on (the \(out.records.count) records before are good)")
            case .needMore:
                out.tornTail = (at, "incomplete record")
                return out
            }
        }
        return out
    }

    struct PayloadError: Error { var reason: String }

    /// The payload of one checked record.
    static func decodePayload(_ p: ArraySlice<UInt8>) throws(PayloadError) -> TapeRecord {
        var r = ByteReader(bytes: p)
        let kind = try r.u8()
        let wall = Int64(bitPattern: try r.u64())
        let mono = Int64(bitPattern: try r.u64())
        switch kind {
        case TapeFormat.kindCycle:
            try r.end()
            return .cycle(TapeCycle(wallMs: wall, monoMs: mono))
        case TapeFormat.kindResponse:
            let flags = try r.u8()
            let source = try r.str16()
            var targets: [TapeResponse.Target] = []
            let targetCount = Int(try r.u16())
            for _ in 0..<targetCount { targets.append(TapeResponse.Target(pair: try r.str16(), symbol: try r.str16())) }
            let status = Int(try r.u16())
            let latency = Int64(bitPattern: try r.u64())
            let terr = try r.str16(), tmsg = try r.str16()
            var headers: [(name: String, value: String)] = []
            let headerCount = Int(try r.u16())
            for _ in 0..<headerCount { headers.append((try r.str16(), try r.str16())) }
            let bodyLength = Int(try r.u32())
            let body = try r.bytes(bodyLength)
            try r.end()
            return .response(TapeResponse(wallMs: wall, monoMs: mono, source: source, batch: flags & 1 != 0, targets: targets,
                                          status: status, latencyUs: latency < 0 ? nil : latency, headers: headers, body: body,
                                          transportError: terr.isEmpty ? nil : terr, transportMessage: tmsg.isEmpty ? nil : tmsg))
        default:
            throw PayloadError(reason: "unknown record kind \(kind)")
        }
    }

    static func readLE<T: FixedWidthInteger>(_ b: ArraySlice<UInt8>, _ at: Int, as: T.Type) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(b[at + i]) << (8 * i) }
        return v
    }

    static func hex(_ b: [UInt8]) -> String { b.isEmpty ? "nothing" : "0x" + b.map { String($0, radix: 16).leftPadded(2) }.joined() }
    static func hex32(_ v: UInt32) -> String { "0x" + String(v, radix: 16).leftPadded(8) }
}

/// A bounds-checked cursor over a payload: a short read is an error, never a trap.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var at: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.at = bytes.startIndex
    }

    mutating func take(_ n: Int) throws(TapeDecoder.PayloadError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.endIndex - at >= n else {
            throw TapeDecoder.PayloadError(reason: "field of \(n) bytes runs past the record's end (offset \(at - bytes.startIndex) in the record)")
        }
        defer { at += n }
        return bytes[at..<(at + n)]
    }

    mutating func u8() throws(TapeDecoder.PayloadError) -> UInt8 { try take(1).first! }
    mutating func u16() throws(TapeDecoder.PayloadError) -> UInt16 { UInt16(try int(2)) }
    mutating func u32() throws(TapeDecoder.PayloadError) -> UInt32 { UInt32(try int(4)) }
    mutating func u64() throws(TapeDecoder.PayloadError) -> UInt64 { try int(8) }

    mutating func int(_ n: Int) throws(TapeDecoder.PayloadError) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * i) }
        return v
    }

    mutating func bytes(_ n: Int) throws(TapeDecoder.PayloadError) -> [UInt8] { Array(try take(n)) }

    mutating func str16() throws(TapeDecoder.PayloadError) -> String {
        let n = Int(try u16())
        return String(decoding: try take(n), as: UTF8.self)
    }

    func end() throws(TapeDecoder.PayloadError) {
        guard at == bytes.endIndex else { throw TapeDecoder.PayloadError(reason: "\(bytes.endIndex - at) unexpected bytes after the last field") }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

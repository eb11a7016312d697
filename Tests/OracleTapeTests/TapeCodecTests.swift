import Foundation
import Testing
@testable import OracleTape

@Suite struct TapeCodecTests {
    static let response = TapeResponse(
        wallMs: 1_765_000_000_123, monoMs: 98_765, source: "kraken", batch: true,
        targets: [.init(pair: "BTC-USD", symbol: "XBTUSD"), .init(pair: "ETH-USD", symbol: "ETHUSD")],
        status: 429, latencyUs: 12_345, headers: [("Retry-After", "2"), ("Content-Type", "application/json")],
        body: Array(#"{"error":["EAPI:Rate limit exceeded"]}"#.utf8))
    static let timeout = TapeResponse(wallMs: 1_765_000_001_000, monoMs: 99_642, source: "okx", batch: false,
                                      targets: [.init(pair: "BTC-USD", symbol: "BTC-USDT")], status: 0,
                                      transportError: "timeout", transportMessage: "Operation timed out after 2000 ms (127.0.0.1)")
    static let records: [TapeRecord] = [.response(response), .response(timeout), .cycle(TapeCycle(wallMs: 1_765_000_001_002, monoMs: 99_644))]

    static func tape(_ records: [TapeRecord] = records) -> [UInt8] {
        var out = TapeFormat.header
        for r in records { TapeEncoder.append(r, to: &out) }
        return out
    }

    @Test func roundTrip() throws {
        let decoded = try TapeDecoder.decode(Self.tape())
        #expect(decoded.records == Self.records)
        #expect(decoded.tornTail == nil)
        #expect(decoded.validEnd == Self.tape().count)
        guard case .response(let r) = decoded.records[1] else { Issue.record("not a response"); return }
        #expect(r.status == 0 && r.transportError == "timeout" && r.latencyUs == nil && r.body.isEmpty)
    }

    /// The frame is what docs/replay.md says: length, then the zlib CRC-32 of the payload.
    @Test func frameIsDocumentedLayout() {
        let frame = TapeEncoder.frame(.cycle(TapeCycle(wallMs: 1, monoMs: 2)))
        #expect(frame.count == 8 + 17)
        #expect(Array(frame[0..<4]) == [17, 0, 0, 0])
        #expect(frame[8] == 2) // kind: cycle
        // CRC-32 check value of "123456789" (the standard test vector).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let crc = UInt32(frame[4]) | UInt32(frame[5]) << 8 | UInt32(frame[6]) << 16 | UInt32(frame[7]) << 24
        #expect(crc == CRC32.checksum(frame[8...]))
    }

    /// Every cut inside the last record (a crash mid-append) leaves the earlier records and a torn tail, never an error.
    @Test func tornTailAtEveryLength() throws {
        let full = Self.tape()
        let lastStart = Self.tape(Array(Self.records.dropLast())).count
        for cut in lastStart..<full.count {
            let d = try TapeDecoder.decode(Array(full[0..<cut]))
            #expect(d.records == Array(Self.records.dropLast()), "cut at \(cut)")
            #expect(d.validEnd == lastStart)
            #expect((cut == lastStart) == (d.tornTail == nil), "cut at \(cut)")
            if cut > lastStart { #expect(d.tornTail?.offset == lastStart) }
        }
    }

    @Test func garbledLastRecordAndZeroTailAreTorn() throws {
        var garbled = Self.tape()
        garbled[garbled.count - 3] ^= 0xFF
        let d = try TapeDecoder.decode(garbled)
        #expect(d.records.count == 2)
        #expect(d.tornTail?.reason.contains("checksum") == true)

        let zeros = Self.tape() + [UInt8](repeating: 0, count: 4096)
        let z = try TapeDecoder.decode(zeros)
        #expect(z.records == Self.records)
        #expect(z.tornTail?.offset == Self.tape().count)
    }

    @Test func corruptionInTheMiddleNamesTheOffset() {
        var bad = Self.tape()
        let second = TapeFormat.headerSize + TapeEncoder.frame(Self.records[0]).count
        bad[second + 20] ^= 0x01
        let e = #expect(throws: TapeError.self) { try TapeDecoder.decode(bad, path: "x.tape") }
        #expect(e?.code == .corrupt && e?.offset == second)
        #expect(e?.description.hasPrefix("x.tape: offset \(second): record fails its checksum") == true, "\(String(describing: e))")
    }

    @Test func badMagicVersionAndHeader() {
        func code(_ bytes: [UInt8]) -> TapeError.Code? {
            do { _ = try TapeDecoder.decode(bytes, path: "t"); return nil } catch { return error.code }
        }
        #expect(code(Array("hello, this is not a tape at all".utf8)) == .badMagic)
        #expect(code([]) == .truncatedHeader)
        #expect(code(Array("ORCLTA".utf8)) == .truncatedHeader)
        var v2 = Self.tape()
        v2[8] = 2
        #expect(code(v2) == .badVersion)
        #expect(code(Array(Self.tape()[0..<12])) == nil)
    }

    /// A CRC-valid record whose fields do not add up is corruption, not a crash.
    @Test func validChecksumBadPayload() {
        var out = TapeFormat.header
        let payload: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] // response, source length 65535, no bytes
        out.appendLE(UInt32(payload.count))
        out.appendLE(CRC32.checksum(payload))
        out += payload
        out += TapeEncoder.frame(Self.records[2])
        #expect(throws: TapeError.self) { try TapeDecoder.decode(out) }
    }

    /// Random bytes after a valid header: an error or a torn tail, never a trap.
    @Test func randomGarbageNeverTraps() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 0..<200, using: &rng)
            let junk = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? TapeDecoder.decode(TapeFormat.header + junk)
            _ = try? TapeDecoder.decode(Self.tape() + junk)
        }
    }

    /// The file reader (chunked) agrees with the in-memory decoder, torn tail included; the writer
    /// reopening a torn tape cuts the tail off and continues it.
    @Test func fileReaderAndWriterContinueATornTape() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tape-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.tape").path
        let w = try TapeWriter(path: path)
        for r in Self.records { try w.write(TapeEncoder.frame(r)) }
        // A crash mid-append: half a record at the end.
        let half = Array(TapeEncoder.frame(Self.records[0]).prefix(30))
        try w.write(half)
        let reader = try TapeReader(path: path)
        var got: [TapeRecord] = []
        while let r = try reader.next() { got.append(r) }
        #expect(got == Self.records)
        #expect(reader.tornTail?.offset == Self.tape().count)

        let again = try TapeWriter(path: path)
        #expect(again.size == Self.tape().count)
        try again.write(TapeEncoder.frame(Self.records[2]))
        let d = try TapeDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(d.records == Self.records + [Self.records[2]])
        #expect(d.tornTail == nil)

        // Not a tape: refused, not overwritten.
        let other = dir.appendingPathComponent("notes.txt").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: other))
        #expect(throws: TapeError.self) { try TapeWriter(path: other) }
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: other)), as: UTF8.self) == "precious")
    }
}

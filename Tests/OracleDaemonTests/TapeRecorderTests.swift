import Foundation
import Logging
import Testing
@testable import OracleDaemon
@testable import OracleTape

/// A recorder whose disk fails keeps going: the failure is counted (and logged), the cycles after
/// the disk recovers are written, and the tape stays readable (no partial record behind a good one).
@Suite struct TapeRecorderTests {
    @Test func writeFailureIsCountedNotFatal() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UInt32.random(in: 0...UInt32.max)).tape").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try TapeRecorder(path: path, logger: Logger(label: "test"))
        func cycle(_ i: Int64) {
            recorder.append(.response(TapeResponse(wallMs: i, monoMs: i, source: "s", batch: false, targets: [.init(pair: "P", symbol: "p")],
                                                   status: 200, body: Array(repeating: 7, count: 100))))
            recorder.append(.cycle(TapeCycle(wallMs: i, monoMs: i)))
            recorder.flush()
        }
        cycle(1)
        recorder.close()
        #expect(recorder.counters.writeFailures == 0)

        // The disk fills: every write fails with ENOSPC.
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        let saved = dup(recorder.writer.fd)
        dup2(full, recorder.writer.fd)
        cycle(2)
        recorder.close()
        #expect(recorder.counters.writeFailures >= 1)
        // The write (ENOSPC), then the close's fdatasync on /dev/full: both counted, the last one kept.
        #expect(recorder.counters.lastError?.contains(path) == true, "\(String(describing: recorder.counters.lastError))")

        // Space again: the next cycle is written after the last good one.
        dup2(saved, recorder.writer.fd)
        close(saved)
        close(full)
        cycle(3)
        recorder.close()
        let reader = try TapeReader(path: path)
        var cycles: [Int64] = []
        while let r = try reader.next() { if case .cycle(let c) = r { cycles.append(c.wallMs) } }
        #expect(cycles == [1, 3])
        #expect(reader.tornTail == nil)
        #expect(recorder.counters.records == 6)
    }
}

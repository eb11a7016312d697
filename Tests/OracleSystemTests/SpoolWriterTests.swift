import Foundation
import Testing
@testable import OracleSystem

struct SpoolWriterTests {
    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "spool-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func journalLines(_ dir: String) throws -> [String] {
        try String(contentsOfFile: dir + "/calls.jsonl", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    @Test func deliversFileAndJournalLineOnce() throws {
        let dir = tempDir()
        let spool = try SpoolWriter(directory: dir)
        let e = SpoolEntry(id: "acct-1-margin_call-1", json: #"{"id":"acct-1-margin_call-1","level":"margin_call"}"#)
        try spool.deliver([e])
        try spool.deliver([e])   // redelivery after a crash: no duplicate
        #expect(FileManager.default.fileExists(atPath: dir + "/new/acct-1-margin_call-1.json"))
        #expect(try journalLines(dir) == [e.json])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp").isEmpty)

        // A reopened writer (restart) knows what the journal already holds.
        let again = try SpoolWriter(directory: dir)
        try again.deliver([e])
        #expect(try journalLines(dir) == [e.json])
    }

    @Test func fileMovedToCurIsNotRecreated() throws {
        let dir = tempDir()
        let spool = try SpoolWriter(directory: dir)
        let e = SpoolEntry(id: "a-warning-1", json: #"{"id":"a-warning-1"}"#)
        try spool.deliver([e])
        try FileManager.default.moveItem(atPath: dir + "/new/a-warning-1.json", toPath: dir + "/cur/a-warning-1.json")
        try spool.deliver([e])
        #expect(!FileManager.default.fileExists(atPath: dir + "/new/a-warning-1.json"))
    }

    @Test func tornLastLineIsRepairedAtOpen() throws {
        let dir = tempDir()
        let good = #"{"id":"x-1","level":"warning"}"#
        try (good + "\n" + #"{"id":"x-2","lev"#).write(toFile: dir + "/calls.jsonl", atomically: true, encoding: .utf8)
        let spool = try SpoolWriter(directory: dir)
        #expect(try journalLines(dir) == [good])
        #expect(spool.hasJournalLine(id: "x-1"))
        #expect(!spool.hasJournalLine(id: "x-2"))
        try spool.deliver([SpoolEntry(id: "x-2", json: #"{"id":"x-2","level":"margin_call"}"#)])
        #expect(try journalLines(dir).count == 2)
    }

    @Test func unwritableSpoolThrowsRetryableError() throws {
        guard getuid() != 0 else { return }   // root ignores directory modes; the full-disk test covers root
        let dir = tempDir()
        let spool = try SpoolWriter(directory: dir)
        chmod(dir + "/tmp", 0o500)
        defer { chmod(dir + "/tmp", 0o700) }
        #expect(throws: SystemError.self) { try spool.deliver([SpoolEntry(id: "y-1", json: "{}")]) }
    }

    @Test func extractsIDFromJournalLine() {
        #expect(SpoolWriter.extractID(ArraySlice(Array(#"{"id":"abc-1","x":1}"#.utf8))) == "abc-1")
        #expect(SpoolWriter.extractID(ArraySlice(Array(#"{"x":1}"#.utf8))) == nil)
    }

    @Test func spareFilesAreReusedAndCrashLeftoversCleaned() throws {
        let dir = tempDir()
        do {
            let spool = try SpoolWriter(directory: dir, spareTarget: 4)
            spool.replenish()
            #expect(spool.spareCount == 4)
            try spool.deliver([SpoolEntry(id: "s-1", json: #"{"id":"s-1"}"#)])
            #expect(spool.spareCount == 3)
            #expect(try String(contentsOfFile: dir + "/new/s-1.json", encoding: .utf8) == "{\"id\":\"s-1\"}\n")
        }
        // A crash left a partial notice in tmp/: it is removed at open; empty spares are kept.
        try "{\"id\":\"half".write(toFile: dir + "/tmp/s-2.json", atomically: false, encoding: .utf8)
        let reopened = try SpoolWriter(directory: dir, spareTarget: 4)
        #expect(reopened.spareCount == 3)
        #expect(!FileManager.default.fileExists(atPath: dir + "/tmp/s-2.json"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp")
        #expect(names.allSatisfy { $0.hasPrefix(".spare-") })
    }

    @Test func burstIsStagedThenFlushedOnceAndRenamed() throws {
        let dir = tempDir()
        let spool = try SpoolWriter(directory: dir, spareTarget: 2, batchSyncThreshold: 3)
        spool.replenish()
        let burst = (1...6).map { SpoolEntry(id: "b-\($0)", json: "{\"id\":\"b-\($0)\"}") }
        try spool.deliver(burst + [burst[0]])   // a repeated id in one batch is written once
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/new").sorted()
        #expect(names == (1...6).map { "b-\($0).json" }.sorted())
        for e in burst {
            #expect(try String(contentsOfFile: dir + "/new/\(e.id).json", encoding: .utf8) == e.json + "\n")
        }
        #expect(try journalLines(dir) == burst.map(\.json))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp").isEmpty)   // both spares used, no leftovers
    }
}

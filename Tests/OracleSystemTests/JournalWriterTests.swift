import Foundation
import Logging
import Testing
@testable import OracleSystem

/// journald's native protocol as the writer sends it, checked byte by byte against the format in
/// systemd's documentation (written out here, not produced by the code under test).
struct JournalWriterTests {
    @Test func plainFieldsAreKeyEqualsValueLines() {
        let bytes = JournalWriter.encode([("MESSAGE", "mark ok"), ("PAIR", "BTC-USD")])
        #expect(bytes == Array("MESSAGE=mark ok\nPAIR=BTC-USD\n".utf8))
    }

    @Test func aValueWithANewlineUsesTheLengthPrefixedForm() {
        let bytes = JournalWriter.encode([("MESSAGE", "a\nb"), ("X", "")])
        let expected: [UInt8] = Array("MESSAGE\n".utf8) + [3, 0, 0, 0, 0, 0, 0, 0] + Array("a\nb\n".utf8) + Array("X=\n".utf8)
        #expect(bytes == expected)
    }

    @Test func metadataKeysBecomeJournalFieldNames() {
        #expect(JournalWriter.fieldName(for: "account") == "ACCOUNT")
        #expect(JournalWriter.fieldName(for: "notice_id") == "NOTICE_ID")
        #expect(JournalWriter.fieldName(for: "claimed-by") == "CLAIMED_BY")
        #expect(JournalWriter.fieldName(for: "_secret") == "SECRET")
        #expect(JournalWriter.fieldName(for: "1st") == "ST")
        #expect(JournalWriter.fieldName(for: "_") == nil)
        #expect(JournalWriter.fieldName(for: String(repeating: "k", count: 100))?.count == 64)
    }

    @Test func handlerSendsMetadataAsFieldsToTheSocket() throws {
        let path = "/tmp/jw-\(getpid())-\(Int.random(in: 0..<1_000_000)).sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in Array(path.utf8).enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(rc == 0)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        var handler = JournalLogHandler(label: "test", writer: JournalWriter(socketPath: path))
        handler.metadata = ["node": "n1"]
        let logger = Logger(label: "test", factory: { _ in handler })
        logger.warning("margin call", metadata: ["account": "acct-17", "level": "margin_call", "message": "clash",
                                                 "pair": .array([.string("BTC-USD"), .string("ETH-USD")])])
        var buf = [UInt8](repeating: 0, count: 8192)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        try #require(n > 0)
        let lines = String(decoding: buf[0..<n], as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.contains("MESSAGE=margin call account=acct-17 level=margin_call message=clash node=n1 pair=BTC-USD,ETH-USD"))
        // An array is one field per element, so PAIR=BTC-USD and PAIR=ETH-USD both match.
        #expect(lines.filter { $0.hasPrefix("PAIR=") } == ["PAIR=BTC-USD", "PAIR=ETH-USD"])
        #expect(lines.contains("PRIORITY=4"))
        #expect(lines.contains("SYSLOG_IDENTIFIER=oracled"))
        #expect(lines.contains("ACCOUNT=acct-17"))
        #expect(lines.contains("LEVEL=margin_call"))
        #expect(lines.contains("NODE=n1"))
        // A metadata key that would overwrite one of the handler's own fields is renamed.
        #expect(lines.contains("META_MESSAGE=clash"))
        #expect(lines.filter { $0.hasPrefix("MESSAGE=") }.count == 1)
        #expect(lines.contains { $0.hasPrefix("CODE_FILE=") && $0.hasSuffix("JournalWriterTests.swift") })
    }

    @Test func sendReportsAMissingSocket() {
        #expect(!JournalWriter(socketPath: "/nonexistent/journal.sock").send([("MESSAGE", "x")]))
    }

    @Test func journalStreamMustNameStderr() {
        #expect(!JournalWriter.stderrIsJournal(environment: [:]))
        #expect(!JournalWriter.stderrIsJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        var st = stat()
        #expect(fstat(2, &st) == 0)
        #expect(JournalWriter.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino)"]))
        #expect(!JournalWriter.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(st.st_dev):\(st.st_ino &+ 1)"]))
    }
}

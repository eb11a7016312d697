import Foundation
import Logging
import OracleCore
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon
@testable import OracleOutbox

/// The outbox's recovery paths without a daemon: an in-memory database, a temp spool that an
/// "operator" breaks and repairs, and a clock the test owns.
struct NoticeOutboxTests {
    final class TestClock: @unchecked Sendable {
        // Only the test's task touches it (the outbox is called synchronously).
        var ms: Int64 = 1_000_000
    }

    func notices(_ n: Int, from: Int = 0) -> [StoredNotice] {
        (from..<(from + n)).map { i in
            StoredNotice(id: "acct-\(i)-margin_call-1", account: "acct-\(i)", level: "margin_call", createdAtMs: Int64(i),
                         json: #"{"id":"acct-\#(i)-margin_call-1","account":"acct-\#(i)","level":"margin_call"}"#, syslog: "acct-\(i) margin_call")
        }
    }

    func files(_ dir: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
    }

    func journalIDs(_ spool: String) -> [String] {
        let text = (try? String(contentsOfFile: spool + "/calls.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["id"] as? String
        }
    }

    @Test func spoolUnavailableAtStartDeliversOnceItCanBeCreated() throws {
        let root = NSTemporaryDirectory() + "outbox-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The spool's parent is a plain file: nothing can be created under it (ENOTDIR), as for a
        // missing mount or a wrong path an operator fixes later.
        _ = FileManager.default.createFile(atPath: root, contents: Data("x".utf8))
        let spool = root + "/spool"
        let db = try OracleDatabase.inMemory()
        let clock = TestClock()
        let outbox = NoticeOutbox(db: db, directory: spool, syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                  logger: Logger(label: "test"), chunkSize: 4, now: { [clock] in clock.ms })
        #expect(outbox.status.isDeferred)
        try db.commitTransitions(levels: [], notices: notices(10))
        outbox.deliverPending()
        #expect(outbox.status.isDeferred && outbox.status.pending == 10)
        let since = try #require(outbox.status.deferredSinceMs)
        clock.ms += 5_000
        outbox.retryIfDeferred()
        #expect(outbox.status.deferredSeconds(nowMs: clock.ms) == Double(clock.ms - since) / 1000)
        #expect(outbox.status.attemptsDeferred >= 2)
        #expect(outbox.status.lastError?.contains(spool) == true, "the error names the path: \(outbox.status.lastError ?? "")")

        // The operator fixes it: the next tick delivers all ten, once.
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        outbox.retryIfDeferred()
        #expect(!outbox.status.isDeferred && outbox.status.pending == 0 && outbox.status.deferredSinceMs == nil)
        #expect(files(spool + "/new").count == 10)
        #expect(journalIDs(spool).count == 10 && Set(journalIDs(spool)).count == 10)
        #expect(try db.undeliveredNotices().isEmpty)
    }

    @Test func spoolRemovedWhileRunningIsRecreated() throws {
        let spool = NSTemporaryDirectory() + "outbox-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let db = try OracleDatabase.inMemory()
        let outbox = NoticeOutbox(db: db, directory: spool, syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                  logger: Logger(label: "test"), chunkSize: 4, now: { 0 })
        try db.commitTransitions(levels: [], notices: notices(3))
        outbox.deliverPending()
        #expect(files(spool + "/new").count == 3)
        // An operator wipes the whole spool (directories and journal included).
        try FileManager.default.removeItem(atPath: spool)
        try db.commitTransitions(levels: [], notices: notices(5, from: 3))
        outbox.deliverPending()
        outbox.retryIfDeferred()
        #expect(!outbox.status.isDeferred, "\(outbox.status)")
        #expect(files(spool + "/new").count == 5, "the later notices are delivered into a re-created spool")
        #expect(journalIDs(spool) == (3..<8).map { "acct-\($0)-margin_call-1" })
        #expect(try db.undeliveredNotices().isEmpty)
    }

    /// A sink that takes at most `room` more notices, like a disk with space for a few files.
    final class LimitedSink: NoticeSink {
        var delivered: [String] = []
        var room: Int
        init(room: Int) { self.room = room }
        func deliver(_ entries: [SpoolEntry]) throws(SystemError) {
            let new = entries.filter { !delivered.contains($0.id) }
            guard new.count <= room else { throw SystemError(call: "write", path: "/spool/tmp", errno: ENOSPC) }
            room -= new.count
            delivered += new.map(\.id)
        }
        func replenish() {}
    }

    /// Whatever fits goes out at once: a burst of 40 on a sink with room for 11 delivers 11 (the
    /// chunk halves down to single notices), each once, and the rest as room returns.
    @Test func aBurstLargerThanTheRoomDeliversWhatFits() throws {
        let db = try OracleDatabase.inMemory()
        let sink = LimitedSink(room: 11)
        let outbox = NoticeOutbox(db: db, directory: "/spool", syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                  logger: Logger(label: "test"), chunkSize: 32, now: { 0 }, openSink: { sink })
        try db.commitTransitions(levels: [], notices: notices(40))
        outbox.deliverPending()
        #expect(sink.delivered.count == 11 && Set(sink.delivered).count == 11)
        #expect(outbox.status.isDeferred && outbox.status.pending == 29)
        #expect(try db.undeliveredNotices().count == 29)
        sink.room = 100
        outbox.retryIfDeferred()
        #expect(sink.delivered.count == 40 && Set(sink.delivered).count == 40)
        #expect(!outbox.status.isDeferred && outbox.status.pending == 0)
        #expect(sink.delivered == (0..<40).map { "acct-\($0)-margin_call-1" }, "delivered in commit order")
    }
}

import Foundation
import Testing
@testable import OracleStore

struct OracleDatabaseTests {
    @Test func accountsRoundTripAndImportIsAtomic() throws {
        let db = try OracleDatabase.inMemory()
        try db.putAccount(StoredAccount(id: "a", json: #"{"id":"a"}"#, updatedAtMs: 1))
        try db.putAccounts([StoredAccount(id: "b", json: #"{"id":"b"}"#, updatedAtMs: 2), StoredAccount(id: "a", json: #"{"id":"a","v":2}"#, updatedAtMs: 3)])
        #expect(try db.allAccounts().map(\.id) == ["a", "b"])
        #expect(try db.account(id: "a")?.json == #"{"id":"a","v":2}"#)
        #expect(try db.deleteAccount(id: "a"))
        #expect(try !db.deleteAccount(id: "a"))
        #expect(try db.account(id: "a") == nil)
    }

    @Test func transitionsAndNoticesCommitTogetherAndNoticeIdsAreUnique() throws {
        let db = try OracleDatabase.inMemory()
        let level = StoredLevel(account: "a", level: "margin_call", sinceMs: 10, deadlineMs: 3_600_010, transitionSeq: 1, ratio: "1.05")
        let n = StoredNotice(id: "a-margin_call-1", account: "a", level: "margin_call", createdAtMs: 10, json: #"{"id":"a-margin_call-1"}"#)
        try db.commitTransitions(levels: [level], notices: [n])
        try db.commitTransitions(levels: [level], notices: [n])   // replay: the id is a primary key
        #expect(try db.levels() == [level])
        #expect(try db.undeliveredNotices().map(\.id) == ["a-margin_call-1"])
        #expect(try db.unsyslogged().isEmpty)   // only delivered notices are logged
        try db.markDelivered(ids: ["a-margin_call-1"])
        #expect(try db.undeliveredNotices().isEmpty)
        #expect(try db.unsyslogged().map(\.id) == ["a-margin_call-1"])
        try db.markSyslogged(ids: ["a-margin_call-1"])
        #expect(try db.unsyslogged().isEmpty)
        #expect(try db.notices(account: "a").first?.delivered == true)
        #expect(try db.acknowledge(noticeID: "a-margin_call-1", reason: "client wiring funds", by: 0, atMs: 20))
        #expect(try db.notice(id: "a-margin_call-1")?.ackReason == "client wiring funds")
        try db.setHold(account: "a", reason: "under review", by: 0, atMs: 30)
        #expect(try db.levels().first?.holdReason == "under review")
        #expect(try db.levels().first?.level == "margin_call")
        #expect(try db.integrityCheck() == "ok")
    }

    @Test func historyKeepsNewestPointsInOrder() throws {
        let db = try OracleDatabase.inMemory()
        try db.appendHistory((0..<10).map { (pair: "BTC-USD", tsMs: Int64($0) * 60_000, price: "\(60000 + $0)") })
        let h = try db.history(pair: "BTC-USD", limit: 3)
        #expect(h.map(\.price) == ["60007", "60008", "60009"])
        #expect(try db.historyPairs() == ["BTC-USD"])
    }

    @Test func onDiskDatabaseSurvivesReopen() throws {
        let dir = NSTemporaryDirectory() + "db-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            let db = try OracleDatabase.open(directory: dir)
            try db.putAccount(StoredAccount(id: "z", json: "{}", updatedAtMs: 1))
        }
        let again = try OracleDatabase.open(directory: dir)
        #expect(try again.account(id: "z") != nil)
    }
}

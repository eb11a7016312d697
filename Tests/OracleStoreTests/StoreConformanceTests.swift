import Foundation
import Testing
import OracleStore
import OracleStorePostgres

/// The backends the conformance suite runs against. PostgreSQL cases print why they are skipped when
/// the server binaries are absent (the SQLite case still runs).
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql
    var testDescription: String { rawValue }

    /// A fresh, empty store; nil (after printing why) when this backend cannot run here.
    func make() throws -> (store: any StateStore, close: () -> Void)? {
        switch self {
        case .sqlite:
            return (try OracleDatabase.inMemory(), {})
        case .postgresql:
            guard PostgresTestServer.available else {
                print("skipped PostgreSQL case: \(PostgresTestServer.skipReason)")
                return nil
            }
            let store = try PostgresStore.open(try PostgresTestServer.freshDatabase())
            return (store, { store.close() })
        }
    }
}

/// What every `StateStore` must do the same way, whatever holds the rows: the single-node behaviour
/// the margin desk and the outbox rely on (shard 0, no fence, no scope).
struct StoreConformanceTests {
    @Test(arguments: Backend.allCases)
    func accountsRoundTripReplaceDeleteAndImportKeepsTheLastVersion(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        #expect(db.backendName == backend.rawValue)
        try db.putAccount(StoredAccount(id: "a", json: #"{"id":"a"}"#, updatedAtMs: 1))
        try db.putAccounts([StoredAccount(id: "b", json: #"{"id":"b"}"#, updatedAtMs: 2),
                            StoredAccount(id: "a", json: #"{"id":"a","v":2}"#, updatedAtMs: 3),
                            StoredAccount(id: "b", json: #"{"id":"b","v":2}"#, updatedAtMs: 4)])
        #expect(try db.allAccounts().map(\.id) == ["a", "b"])
        #expect(try db.account(id: "a") == StoredAccount(id: "a", json: #"{"id":"a","v":2}"#, updatedAtMs: 3))
        #expect(try db.account(id: "b")?.json == #"{"id":"b","v":2}"#)
        try db.putAccounts([])
        #expect(try db.deleteAccount(id: "a"))
        #expect(try !db.deleteAccount(id: "a"))
        #expect(try db.account(id: "a") == nil)
        #expect(try db.account(id: "zz") == nil)
    }

    @Test(arguments: Backend.allCases)
    func deletingAnAccountRemovesItsLevelButKeepsItsNotices(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        try db.putAccount(StoredAccount(id: "a", json: "{}", updatedAtMs: 1))
        try db.commitTransitions(levels: [StoredLevel(account: "a", level: "warning", sinceMs: 5, transitionSeq: 1)],
                                 notices: [StoredNotice(id: "a-warning-1", account: "a", level: "warning", createdAtMs: 5, json: "{}")])
        #expect(try db.deleteAccount(id: "a"))
        #expect(try db.level(account: "a") == nil)
        #expect(try db.notice(id: "a-warning-1") != nil)
    }

    @Test(arguments: Backend.allCases)
    func historyKeepsNewestPointsInOrderAndReplacesATimestamp(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        try db.appendHistory((0..<10).map { (pair: "BTC-USD", tsMs: Int64($0) * 60_000, price: "\(60000 + $0)") })
        try db.appendHistory([(pair: "ETH-USD", tsMs: 0, price: "3000.5"), (pair: "BTC-USD", tsMs: 9 * 60_000, price: "61000.25"),
                              (pair: "ETH-USD", tsMs: 0, price: "3001.5")])
        try db.appendHistory([])
        #expect(try db.history(pair: "BTC-USD", limit: 3).map(\.price) == ["60007", "60008", "61000.25"])
        #expect(try db.history(pair: "BTC-USD", limit: 3).map(\.tsMs) == [7 * 60_000, 8 * 60_000, 9 * 60_000])
        #expect(try db.history(pair: "BTC-USD").count == 10)
        #expect(try db.history(pair: "ETH-USD").map(\.price) == ["3001.5"])
        #expect(try db.history(pair: "XRP-USD").isEmpty)
        #expect(try db.historyPairs() == ["BTC-USD", "ETH-USD"])
    }

    @Test(arguments: Backend.allCases)
    func levelsAndNoticesCommitTogetherAndReplayingANoticeIsHarmless(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        let level = StoredLevel(account: "a", level: "margin_call", sinceMs: 10, deadlineMs: 3_600_010, transitionSeq: 1, ratio: "1.05")
        let plain = StoredLevel(account: "b", level: "warning", sinceMs: 11)
        let n = StoredNotice(id: "a-margin_call-1", account: "a", level: "margin_call", createdAtMs: 10,
                             json: #"{"id":"a-margin_call-1","equity":"1050.25"}"#, syslog: "margin_call a")
        var inside = 0
        try db.commitTransitions(levels: [level, plain], notices: [n], fence: nil, insideTransaction: { inside += 1 })
        #expect(inside == 1)
        // A replay (the desk retried after an unknown outcome) changes nothing: the id is a primary key.
        try db.commitTransitions(levels: [level], notices: [n])
        #expect(try db.levels().sorted { $0.account < $1.account } == [level, plain])
        #expect(try db.level(account: "a") == level)
        #expect(try db.level(account: "nobody") == nil)
        #expect(try db.notice(id: n.id) == n)
        #expect(try db.notices(account: "a") == [n])
        #expect(try db.notices(account: "b").isEmpty)
        // The level moves on; the notice stays as it was written.
        let next = StoredLevel(account: "a", level: "none", sinceMs: 20, transitionSeq: 2)
        try db.commitTransitions(levels: [next], notices: [])
        #expect(try db.level(account: "a") == next)
        try db.commitTransitions(levels: [], notices: [])
    }

    @Test(arguments: Backend.allCases)
    func undeliveredThenDeliveredThenSyslogged(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        let notices = (0..<5).map { i in
            StoredNotice(id: "n\(i)", account: "acct\(i % 2)", level: "warning", createdAtMs: Int64(100 - i), json: "{\"i\":\(i)}", syslog: "line \(i)")
        }
        try db.commitTransitions(levels: [], notices: notices)
        // Oldest first.
        #expect(try db.undeliveredNotices().map(\.id) == ["n4", "n3", "n2", "n1", "n0"])
        #expect(try db.undeliveredNotices(scope: nil, limit: 2).map(\.id) == ["n4", "n3"])
        #expect(try db.unsyslogged().isEmpty)
        #expect(try db.claim(ids: ["n4", "n3"], fence: nil) == ["n4", "n3"])
        try db.markDelivered(ids: ["n4", "n3", "missing"])
        try db.markDelivered(ids: [])
        #expect(try db.undeliveredNotices().map(\.id) == ["n2", "n1", "n0"])
        #expect(try db.unsyslogged().map(\.id) == ["n4", "n3"])
        #expect(try db.unsyslogged(by: nil, limit: 1).map(\.id) == ["n4"])
        try db.markSyslogged(ids: ["n4"])
        try db.markSyslogged(ids: [])
        #expect(try db.unsyslogged().map(\.id) == ["n3"])
        #expect(try db.notice(id: "n4")?.delivered == true)
        #expect(try db.notice(id: "n2")?.delivered == false)
        // Newest first, across accounts and per account.
        #expect(try db.notices().map(\.id) == ["n0", "n1", "n2", "n3", "n4"])
        #expect(try db.notices(account: "acct0", limit: 2).map(\.id) == ["n0", "n2"])
    }

    @Test(arguments: Backend.allCases)
    func holdsCreateOrKeepTheLevelAndReleaseClearsThem(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        try db.commitTransitions(levels: [StoredLevel(account: "a", level: "margin_call", sinceMs: 10, transitionSeq: 3, ratio: "0.9")], notices: [])
        try db.setHold(account: "a", reason: "under review", by: 1000, atMs: 30)
        var a = try #require(try db.level(account: "a"))
        #expect(a.level == "margin_call" && a.transitionSeq == 3 && a.ratio == "0.9")
        #expect(a.holdReason == "under review" && a.holdBy == 1000 && a.holdAtMs == 30)
        // A later level commit keeps the hold (the desk does not own it).
        try db.commitTransitions(levels: [StoredLevel(account: "a", level: "urgent", sinceMs: 40, transitionSeq: 4)], notices: [])
        a = try #require(try db.level(account: "a"))
        #expect(a.level == "urgent" && a.holdReason == "under review")
        try db.setHold(account: "a", reason: nil, by: 1000, atMs: 50)
        a = try #require(try db.level(account: "a"))
        #expect(a.holdReason == nil && a.holdBy == nil && a.holdAtMs == nil && a.level == "urgent")
        // A hold on an account with no level yet creates one at "none".
        try db.setHold(account: "new", reason: "KYC", by: 7, atMs: 60)
        #expect(try db.level(account: "new") == StoredLevel(account: "new", level: "none", sinceMs: 60, holdReason: "KYC", holdBy: 7, holdAtMs: 60))
    }

    @Test(arguments: Backend.allCases)
    func acknowledgementsAreRecordedOnKnownNoticesOnly(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        try db.commitTransitions(levels: [], notices: [StoredNotice(id: "x", account: "a", level: "margin_call", createdAtMs: 1, json: "{}")])
        #expect(try db.acknowledge(noticeID: "x", reason: "client wiring funds", by: 42, atMs: 99))
        #expect(try !db.acknowledge(noticeID: "nope", reason: "r", by: 42, atMs: 99))
        let x = try #require(try db.notice(id: "x"))
        #expect(x.ackReason == "client wiring funds" && x.ackBy == 42 && x.ackAtMs == 99)
    }

    @Test(arguments: Backend.allCases)
    func slowMarksAreReplacedPerPair(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        try db.putSlowMarks([StoredSlowMark(pair: "BTC-USD", value: "60000.125", lastUpdateMs: 1),
                             StoredSlowMark(pair: "ETH-USD", value: "3000", lastUpdateMs: 2)])
        try db.putSlowMarks([StoredSlowMark(pair: "BTC-USD", value: "60100.5", lastUpdateMs: 3)])
        try db.putSlowMarks([])
        #expect(try db.slowMarks() == [StoredSlowMark(pair: "BTC-USD", value: "60100.5", lastUpdateMs: 3),
                                       StoredSlowMark(pair: "ETH-USD", value: "3000", lastUpdateMs: 2)])
    }

    @Test(arguments: Backend.allCases)
    func moneyTextIsKeptExactly(_ backend: Backend) throws {
        guard let (db, close) = try backend.make() else { return }
        defer { close() }
        // Decimal text never goes through a float: 0.1 + 0.2 style digits survive as written.
        let json = #"{"equity":"12345678901234567890.123456789012345678","note":"é ü 💶 \"quoted\""}"#
        try db.putAccount(StoredAccount(id: "ü-1", json: json, updatedAtMs: 1))
        #expect(try db.account(id: "ü-1")?.json == json)
        try db.appendHistory([(pair: "BTC-USD", tsMs: 1, price: "0.30000000000000000001")])
        #expect(try db.history(pair: "BTC-USD").first?.price == "0.30000000000000000001")
    }
}

import Foundation
import Testing
import OracleStore
import OracleStorePostgres

/// The bulk paths' speed on the test server (fsync on, Unix socket): printed for the README and
/// bounded loosely so a return to one round trip per row fails.
@Suite(.enabled(if: PostgresTestServer.available, Comment(rawValue: PostgresTestServer.skipReason)))
struct PostgresStoreFigures {
    @Test func importOf100kAccountsAndACommitOf1000Notices() throws {
        let db = try PostgresStore.open(try PostgresTestServer.freshDatabase(statementTimeoutMs: 20_000))
        defer { db.close() }
        let json = #"{"id":"ACCOUNT","positions":[{"pair":"BTC-USD","qty":"1.25"},{"pair":"ETH-USD","qty":"-10"}],"balances":{"USD":"250000.50","BTC":"0.5"}}"#
        let accounts = (0..<100_000).map { i in
            StoredAccount(id: "acct-\(i)", json: json.replacingOccurrences(of: "ACCOUNT", with: "acct-\(i)"), updatedAtMs: 1, shard: i % 64)
        }
        var clock = ContinuousClock.now
        try db.putAccounts(accounts)
        let importMs = ms(since: clock)
        #expect(try db.accounts(shards: [5]).count == 100_000 / 64 + (5 < 100_000 % 64 ? 1 : 0))

        let levels = (0..<1000).map { StoredLevel(account: "acct-\($0)", level: "margin_call", sinceMs: 5, deadlineMs: 3_600_005, transitionSeq: 1, ratio: "1.05", shard: $0 % 64) }
        let notices = (0..<1000).map {
            StoredNotice(id: "acct-\($0)-margin_call-1", account: "acct-\($0)", level: "margin_call", createdAtMs: 5,
                         json: String(repeating: "x", count: 600), syslog: "margin_call acct-\($0)", shard: $0 % 64)
        }
        try db.ensureShards(count: 64)
        var tokens: [Int: Int64] = [:]
        for s in 0..<64 { tokens[s] = try #require(try db.acquire(shard: s, node: "a", leaseMs: 60_000)).token }
        clock = ContinuousClock.now
        try db.commitTransitions(levels: levels, notices: notices, fence: Fence(node: "a", tokens: tokens), insideTransaction: {})
        let commitMs = ms(since: clock)
        clock = ContinuousClock.now
        let ids = try db.undeliveredNotices(scope: DeliveryScope(node: "a", shards: Set(0..<64)), limit: 10_000).map(\.id)
        let claimed = try db.claim(ids: ids, fence: Fence(node: "a", tokens: tokens))
        try db.markDelivered(ids: claimed, by: "a")
        let deliverMs = ms(since: clock)
        #expect(claimed.count == 1000)
        print("postgres figures: putAccounts 100000 in \(Int(importMs)) ms; fenced commit of 1000 levels + 1000 notices in \(Int(commitMs)) ms; undelivered+claim+markDelivered of 1000 in \(Int(deliverMs)) ms")
        #expect(importMs < 60_000)
        #expect(commitMs < 10_000)
    }

    private func ms(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}

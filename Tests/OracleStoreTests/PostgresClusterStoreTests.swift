import Foundation
import Testing
import OracleStore
import OracleStorePostgres

/// What only the shared store does: migrations under concurrency, leases and fencing tokens, claims,
/// the change feed. Each test has its own database on the shared test server.
@Suite(.enabled(if: PostgresTestServer.available, Comment(rawValue: PostgresTestServer.skipReason)))
struct PostgresClusterStoreTests {
    func open() throws -> PostgresStore {
        try PostgresStore.open(try PostgresTestServer.freshDatabase())
    }

    @Test func migrationsAreRecordedOnceAndReopeningAppliesNothing() throws {
        let options = try PostgresTestServer.freshDatabase()
        let first = try PostgresStore.open(options)
        let applied = try first.appliedMigrations()
        #expect(applied == PostgresStore.migrationIDs)
        try first.putAccount(StoredAccount(id: "a", json: "{}", updatedAtMs: 1))
        first.close()
        let second = try PostgresStore.open(options)
        defer { second.close() }
        #expect(try second.appliedMigrations() == applied)
        #expect(try second.account(id: "a") != nil)
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let options = try PostgresTestServer.freshDatabase()
        // Six stores open at once on an empty database: the advisory lock serialises them, one
        // creates the schema and the others find it recorded (no "relation already exists").
        let results = await withTaskGroup(of: Result<[String], StoreError>.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    do {
                        let s = try PostgresStore.open(options)
                        defer { s.close() }
                        return .success(try s.appliedMigrations())
                    } catch let e as StoreError { return .failure(e) } catch { return .failure(StoreError("\(error)")) }
                }
            }
            var all: [Result<[String], StoreError>] = []
            for await r in group { all.append(r) }
            return all
        }
        for r in results { #expect(try r.get() == PostgresStore.migrationIDs) }
    }

    @Test func tcpWithThePasswordWorksAndAWrongPasswordSaysWhereItComesFrom() throws {
        let server = try PostgresTestServer.shared.get()
        let socket = try PostgresTestServer.freshDatabase()
        let password = try String(contentsOfFile: server.dir + "/pgpass", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // The test server trusts its socket and asks TCP logins for a SCRAM password.
        var tcp = PostgresStoreOptions(endpoint: .tcp(host: "127.0.0.1", port: server.port), user: "postgres",
                                       database: socket.database, password: password, connectTimeoutMs: 2000)
        let db = try PostgresStore.open(tcp)
        try db.putAccount(StoredAccount(id: "over-tcp", json: "{}", updatedAtMs: 1))
        db.close()
        tcp.password = "wrong"
        let e = #expect(throws: StoreError.self) { _ = try PostgresStore.open(tcp) }
        #expect(e?.unavailable == false)
        #expect(e?.description.contains("password_file or PGPASSWORD") == true)
        #expect(e?.description.contains("wrong") == false)
        tcp.password = nil
        #expect(throws: StoreError.self) { _ = try PostgresStore.open(tcp) }
        // Nothing listens: unavailable, quickly.
        let closed = PostgresStoreOptions(endpoint: .unixSocket(directory: "/tmp/oracled-no-server", port: 5999), user: "postgres", database: "x")
        let started = Date()
        let e2 = #expect(throws: StoreError.self) { _ = try PostgresStore.open(closed) }
        #expect(e2?.unavailable == true)
        #expect(e2?.description.contains("postgresql://postgres@/tmp/oracled-no-server/.s.PGSQL.5999/x") == true)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func ensureShardsCreatesLeaseRowsOnceAndRefusesAnotherCount() throws {
        let db = try open()
        defer { db.close() }
        try db.ensureShards(count: 8)
        try db.ensureShards(count: 8)
        let snap = try db.heartbeat(node: "a", startedAtMs: 5)
        #expect(snap.leases.map(\.shard) == Array(0..<8))
        #expect(snap.leases.allSatisfy { $0.node == nil && $0.expiresInMs < 0 })
        let error = #expect(throws: StoreError.self) { try db.ensureShards(count: 16) }
        #expect(error?.description.contains("shards = 8") == true)
        #expect(throws: StoreError.self) { try db.ensureShards(count: 0) }
    }

    @Test func leasesAcquireRenewReleaseExpireAndTakeOverWithGrowingTokens() throws {
        let db = try open()
        defer { db.close() }
        try db.ensureShards(count: 4)
        // Leases here are long enough that a loaded CI machine cannot expire them between calls;
        // the sleeps that must outlast one are lower bounds.
        let a1 = try #require(try db.acquire(shard: 1, node: "a", leaseMs: 3000))
        #expect(a1.takenFrom == nil)
        // Held: nobody else (nor a second acquire) gets it.
        #expect(try db.acquire(shard: 1, node: "b", leaseMs: 300) == nil)
        #expect(try db.acquire(shard: 1, node: "a", leaseMs: 300) == nil)
        // Renewal with the right token extends it; with a wrong token or node, nothing.
        #expect(try db.renew([1: a1.token], node: "a", leaseMs: 3000) == [1])
        #expect(try db.renew([1: a1.token + 1], node: "a", leaseMs: 3000) == [])
        #expect(try db.renew([1: a1.token], node: "b", leaseMs: 3000) == [])
        // Released: the next owner need not wait, and it is a handover, not a takeover.
        try db.release([1: a1.token], node: "a")
        var snap = try db.heartbeat(node: "a", startedAtMs: 1)
        #expect(snap.leases[1].node == nil)
        let b1 = try #require(try db.acquire(shard: 1, node: "b", leaseMs: 200))
        #expect(b1.token > a1.token)
        #expect(b1.takenFrom == nil)
        #expect(try db.renew([1: a1.token], node: "a", leaseMs: 300) == [])
        // b stops renewing: after expiry the lease is lost to renewal and open to a takeover.
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try db.renew([1: b1.token], node: "b", leaseMs: 300) == [])
        let a2 = try #require(try db.acquire(shard: 1, node: "a", leaseMs: 5000))
        #expect(a2.token > b1.token)
        #expect(a2.takenFrom == "b")
        snap = try db.heartbeat(node: "a", startedAtMs: 1)
        let row = snap.leases[1]
        #expect(row.node == "a" && row.token == a2.token && row.takenFrom == "b")
        #expect(row.expiresInMs > 4000 && row.expiresInMs <= 5000)
        #expect(abs(row.acquiredAtMs - snap.serverNowMs) < 2000)
        // A node taking back its own expired lease is not a takeover.
        let c = try #require(try db.acquire(shard: 2, node: "c", leaseMs: 50))
        Thread.sleep(forTimeInterval: 0.1)
        let c2 = try #require(try db.acquire(shard: 2, node: "c", leaseMs: 5000))
        #expect(c2.token > c.token && c2.takenFrom == nil)
        // Tokens strictly increase across every grant.
        let tokens = [a1.token, b1.token, a2.token, c.token, c2.token]
        #expect(tokens == tokens.sorted() && Set(tokens).count == tokens.count)
        // Unknown shard: nothing to acquire.
        #expect(try db.acquire(shard: 99, node: "a", leaseMs: 1000) == nil)
    }

    @Test func heartbeatReportsNodesLeasesAndTheNewestChange() throws {
        let db = try open()
        defer { db.close() }
        try db.ensureShards(count: 2)
        _ = try db.heartbeat(node: "b", startedAtMs: 7)
        Thread.sleep(forTimeInterval: 0.15)
        let g = try #require(try db.acquire(shard: 0, node: "a", leaseMs: 10_000))
        try db.putAccount(StoredAccount(id: "x", json: "{}", updatedAtMs: 1))
        let snap = try db.heartbeat(node: "a", startedAtMs: 9)
        #expect(snap.nodes.map(\.node) == ["a", "b"])
        #expect(snap.nodes[0].heartbeatAgeMs == 0 && snap.nodes[0].startedAtMs == 9)
        #expect(snap.nodes[1].heartbeatAgeMs >= 100 && snap.nodes[1].startedAtMs == 7)
        #expect(snap.leases[0].node == "a" && snap.leases[0].token == g.token)
        #expect(snap.lastChangeSeq == (try db.changes(after: 0, limit: 10).last?.seq))
        // The server's clock, not ours; only a sanity bound on it.
        #expect(abs(snap.serverNowMs - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000)
    }

    @Test func fencedCommitIsRefusedAfterATakeoverAndWritesNothing() throws {
        let db = try open()
        defer { db.close() }
        try db.ensureShards(count: 4)
        let a0 = try #require(try db.acquire(shard: 0, node: "a", leaseMs: 1000))
        let a1 = try #require(try db.acquire(shard: 1, node: "a", leaseMs: 10_000))
        let fence = Fence(node: "a", tokens: [0: a0.token, 1: a1.token])
        func rows(_ tag: String) -> (levels: [StoredLevel], notices: [StoredNotice]) {
            ([StoredLevel(account: "s0-\(tag)", level: "warning", sinceMs: 1, transitionSeq: 1, shard: 0),
              StoredLevel(account: "s1-\(tag)", level: "warning", sinceMs: 1, transitionSeq: 1, shard: 1)],
             [StoredNotice(id: "s0-\(tag)-1", account: "s0-\(tag)", level: "warning", createdAtMs: 1, json: "{}", shard: 0),
              StoredNotice(id: "s1-\(tag)-1", account: "s1-\(tag)", level: "warning", createdAtMs: 1, json: "{}", shard: 1)])
        }
        let ok = rows("ok")
        try db.commitTransitions(levels: ok.levels, notices: ok.notices, fence: fence, insideTransaction: {})
        #expect(try db.notice(id: "s0-ok-1")?.shard == 0)
        #expect(try db.level(account: "s1-ok")?.shard == 1)
        // a pauses past its lease on shard 0; b takes it over.
        Thread.sleep(forTimeInterval: 1.05)
        let b0 = try #require(try db.acquire(shard: 0, node: "b", leaseMs: 10_000))
        #expect(b0.takenFrom == "a")
        let late = rows("late")
        let error = #expect(throws: StoreError.self) {
            try db.commitTransitions(levels: late.levels, notices: late.notices, fence: fence, insideTransaction: {})
        }
        #expect(error?.fencedShards == [0])
        #expect(error?.unavailable == false)
        // Nothing of the refused commit exists, not even its shard-1 rows that a still holds.
        #expect(try db.notice(id: "s0-late-1") == nil && db.notice(id: "s1-late-1") == nil)
        #expect(try db.level(account: "s0-late") == nil && db.level(account: "s1-late") == nil)
        // A fence without a token for a shard is refused for that shard too.
        let partial = Fence(node: "a", tokens: [1: a1.token])
        let e2 = #expect(throws: StoreError.self) {
            try db.commitTransitions(levels: [], notices: [StoredNotice(id: "s2", account: "x", level: "warning", createdAtMs: 1, json: "{}", shard: 2)],
                                     fence: partial, insideTransaction: {})
        }
        #expect(e2?.fencedShards == [2])
        // The new owner commits with its own token.
        try db.commitTransitions(levels: [], notices: [StoredNotice(id: "s0-b-1", account: "s0-b", level: "warning", createdAtMs: 2, json: "{}", shard: 0)],
                                 fence: Fence(node: "b", tokens: [0: b0.token]), insideTransaction: {})
        #expect(try db.notice(id: "s0-b-1") != nil)
    }

    @Test func aCommitHoldingTheLeaseRowsMakesATakeoverWaitForIt() throws {
        let options = try PostgresTestServer.freshDatabase()
        let a = try PostgresStore.open(options)
        let b = try PostgresStore.open(options)
        defer { a.close(); b.close() }
        try a.ensureShards(count: 1)
        let grant = try #require(try a.acquire(shard: 0, node: "a", leaseMs: 1000))
        let started = Date()
        let commitDone = Atomic(false)
        // a's commit locks the lease row FOR SHARE and then takes 1.6 s before COMMIT (its lease
        // expires meanwhile); b's takeover must wait for that commit, so the notice a committed
        // under its token is in the database before b's grant, never after it.
        let thread = Thread {
            try? a.commitTransitions(levels: [], notices: [StoredNotice(id: "slow", account: "x", level: "warning", createdAtMs: 1, json: "{}")],
                                     fence: Fence(node: "a", tokens: [0: grant.token]),
                                     insideTransaction: { Thread.sleep(forTimeInterval: 1.6) })
            commitDone.set(true)
        }
        thread.start()
        Thread.sleep(forTimeInterval: 1.2)
        let taken = try b.acquire(shard: 0, node: "b", leaseMs: 5000)
        #expect(commitDone.get())
        #expect(Date().timeIntervalSince(started) >= 1.55)
        #expect(taken?.takenFrom == "a")
        #expect(try b.notice(id: "slow") != nil)
    }

    @Test func renewalsAndFencedCommitsOfOneNodeNeverDeadlock() async throws {
        let db = try open()
        defer { db.close() }
        try db.ensureShards(count: 16)
        var tokens: [Int: Int64] = [:]
        for s in 0..<16 { tokens[s] = try #require(try db.acquire(shard: s, node: "a", leaseMs: 60_000)).token }
        let fence = Fence(node: "a", tokens: tokens)
        let held = tokens
        // Commits lock the lease rows FOR SHARE, renewals FOR NO KEY UPDATE: in different orders they
        // would deadlock (40P01, a failed renewal or commit); in shard order they only wait.
        let failures = await withTaskGroup(of: [String].self) { group in
            group.addTask {
                var errors: [String] = []
                for i in 0..<150 {
                    let shards = (0..<16).shuffled().prefix(8)
                    let notices = shards.map { StoredNotice(id: "n\(i)-\($0)", account: "x\($0)", level: "warning", createdAtMs: Int64(i), json: "{}", shard: $0) }
                    do { try db.commitTransitions(levels: [], notices: notices, fence: fence, insideTransaction: {}) } catch { errors.append("commit: \(error)") }
                }
                return errors
            }
            group.addTask {
                var errors: [String] = []
                for _ in 0..<150 {
                    do {
                        let renewed = try db.renew(held, node: "a", leaseMs: 60_000)
                        if renewed.count != 16 { errors.append("renewed \(renewed.count)") }
                    } catch { errors.append("renew: \(error)") }
                }
                return errors
            }
            var all: [String] = []
            for await e in group { all += e }
            return all
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(try db.notices(account: nil, limit: 10_000).count == 150 * 8)
    }

    @Test func claimsAreFencedExclusiveAndTakenOverOnlyUnderANewerToken() throws {
        let db = try open()
        defer { db.close() }
        try db.ensureShards(count: 2)
        let a = try #require(try db.acquire(shard: 0, node: "a", leaseMs: 1000))
        let aFence = Fence(node: "a", tokens: [0: a.token])
        let notices = (0..<3).map { StoredNotice(id: "n\($0)", account: "acct", level: "warning", createdAtMs: Int64($0), json: "{}", shard: 0) }
        try db.commitTransitions(levels: [], notices: notices, fence: aFence, insideTransaction: {})
        #expect(try db.undeliveredNotices(scope: DeliveryScope(node: "a", shards: [0]), limit: 10).map(\.id) == ["n0", "n1", "n2"])
        #expect(try db.claim(ids: ["n0", "n1"], fence: aFence).sorted() == ["n0", "n1"])
        // Claiming again is idempotent for the claimer.
        #expect(try db.claim(ids: ["n0"], fence: aFence) == ["n0"])
        #expect(try db.notice(id: "n0")?.claimedBy == "a")
        try db.markDelivered(ids: ["n0"], by: "a")
        #expect(try db.notice(id: "n0")?.deliveredBy == "a")
        // A delivered notice is never claimed again.
        #expect(try db.claim(ids: ["n0"], fence: aFence) == [])
        // b takes shard 0 over while a's claim on n1 is outstanding.
        Thread.sleep(forTimeInterval: 1.05)
        let b = try #require(try db.acquire(shard: 0, node: "b", leaseMs: 10_000))
        let bFence = Fence(node: "b", tokens: [0: b.token])
        // a is fenced out of claiming.
        let e = #expect(throws: StoreError.self) { try db.claim(ids: ["n2"], fence: aFence) }
        #expect(e?.fencedShards == [0])
        // b sees the unclaimed one, and a's claim only once it is in doubt.
        #expect(try db.undeliveredNotices(scope: DeliveryScope(node: "b", shards: [0]), limit: 10).map(\.id) == ["n2"])
        #expect(try db.undeliveredNotices(scope: DeliveryScope(node: "b", shards: [0], inDoubtAfterMs: 60_000), limit: 10).map(\.id) == ["n2"])
        #expect(try db.undeliveredNotices(scope: DeliveryScope(node: "b", shards: [0], inDoubtAfterMs: 100), limit: 10).map(\.id) == ["n1", "n2"])
        // a still sees its own claim (to settle it from its spool), not b's shard's other notices.
        #expect(try db.undeliveredNotices(scope: DeliveryScope(node: "a", shards: []), limit: 10).map(\.id) == ["n1"])
        // b claims both: n1's claim was made under an older token of the shard.
        #expect(try db.claim(ids: ["n1", "n2"], fence: bFence).sorted() == ["n1", "n2"])
        #expect(try db.notice(id: "n1")?.claimedBy == "b")
        #expect(try db.undeliveredNotices(scope: DeliveryScope(node: "a", shards: []), limit: 10).isEmpty)
        // A node that does not hold the shard cannot take b's claims, whatever token it shows.
        let e3 = #expect(throws: StoreError.self) { try db.claim(ids: ["n2"], fence: Fence(node: "c", tokens: [0: b.token])) }
        #expect(e3?.fencedShards == [0])
        #expect(try db.notice(id: "n2")?.claimedBy == "b")
        // Without a fence (one node on PostgreSQL) claim is a no-op that returns every id.
        #expect(try db.claim(ids: ["n1", "zz"], fence: nil) == ["n1", "zz"])
    }

    @Test func changeFeedRecordsAccountImportAndHoldChangesInCommitOrder() throws {
        let db = try open()
        defer { db.close() }
        try db.putAccount(StoredAccount(id: "a", json: "{}", updatedAtMs: 1, shard: 3))
        try db.putAccounts([StoredAccount(id: "b", json: "{}", updatedAtMs: 1, shard: 1), StoredAccount(id: "c", json: "{}", updatedAtMs: 1, shard: 3)])
        try db.setHold(account: "a", reason: "review", by: 1, atMs: 2)
        #expect(try db.deleteAccount(id: "b"))
        #expect(try !db.deleteAccount(id: "b"))   // nothing deleted: no change recorded
        try db.commitTransitions(levels: [StoredLevel(account: "c", level: "warning", sinceMs: 1, shard: 3)], notices: [])   // not a change
        let changes = try db.changes(after: 0, limit: 100)
        #expect(changes.map(\.kind) == [.account, .accounts, .hold, .account])
        #expect(changes.map(\.account) == ["a", "", "a", "b"])
        #expect(changes.map(\.seq) == changes.map(\.seq).sorted())
        #expect(try db.changes(after: changes[1].seq, limit: 1).map(\.kind) == [.hold])
        // The hold's level row takes the account's shard.
        #expect(try db.level(account: "a")?.shard == 3)
        #expect(try db.accounts(shards: [3]).map(\.id) == ["a", "c"])
        #expect(try db.levels(shards: [3]).map(\.account) == ["a", "c"])
        #expect(try db.accounts(shards: [2]).isEmpty)
    }

    @Test func aLateCommittingLowerSeqIsNeverSkippedByAReader() throws {
        let options = try PostgresTestServer.freshDatabase()
        let db = try PostgresStore.open(options)
        defer { db.close() }
        let server = try PostgresTestServer.shared.get()
        // Another writer takes a seq and is slow to commit (it follows the protocol: the lock first).
        let slow = Thread {
            _ = try? PostgresTestServer.psql("""
                BEGIN; SELECT pg_advisory_xact_lock(\(PostgresStore.changeLogLockKey));
                INSERT INTO change_log(kind, account) VALUES ('account', 'slow'); SELECT pg_sleep(1); COMMIT;
                """, database: options.database, on: server)
        }
        slow.start()
        Thread.sleep(forTimeInterval: 0.4)
        let started = Date()
        try db.putAccount(StoredAccount(id: "fast", json: "{}", updatedAtMs: 1))
        // putAccount waited for the slow commit, so when its own change is visible the lower seq is
        // too: a reader that saw "fast" and moved its cursor past it skipped nothing.
        #expect(Date().timeIntervalSince(started) > 0.4)
        #expect(try db.changes(after: 0, limit: 10).map(\.account) == ["slow", "fast"])
        while !slow.isFinished { Thread.sleep(forTimeInterval: 0.01) }
    }

    @Test func changeSeqsBecomeVisibleInOrderUnderConcurrentWriters() async throws {
        let options = try PostgresTestServer.freshDatabase()
        let writers = try (0..<4).map { _ in try PostgresStore.open(options) }
        let reader = try PostgresStore.open(options)
        defer { writers.forEach { $0.close() }; reader.close() }
        // A reader polling `seq > last` must never see a seq after a larger one it already passed.
        let done = Atomic(false)
        let readerTask = Task.detached { () -> (Int, Bool) in
            var last: Int64 = 0, seen = 0, ordered = true
            var previous = Set<Int64>()
            while true {
                let finished = done.get()
                for c in (try? reader.changes(after: last, limit: 1000)) ?? [] {
                    if c.seq <= last || previous.contains(c.seq) { ordered = false }
                    previous.insert(c.seq)
                    last = c.seq
                    seen += 1
                }
                if finished { return (seen, ordered) }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (w, store) in writers.enumerated() {
                group.addTask {
                    for i in 0..<50 { try? store.putAccount(StoredAccount(id: "w\(w)-\(i)", json: "{}", updatedAtMs: Int64(i))) }
                }
            }
        }
        done.set(true)
        let (seen, ordered) = await readerTask.value
        let all = try reader.changes(after: 0, limit: 1000)
        #expect(all.count == 200)
        #expect(seen == 200)
        #expect(ordered)
    }
}

/// A tiny lock-protected flag for the threads in these tests.
final class Atomic<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
}

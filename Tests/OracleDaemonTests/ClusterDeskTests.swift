import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleStore
import OracleSystem
import Synchronization
import Testing
@testable import OracleDaemon

/// The desk's part in a cluster, at the desk's depth: two desks (nodes) sharing one store, leases
/// granted by hand on the store's clock. Fencing, claims and takeovers without PostgreSQL or sockets.
struct ClusterDeskTests {
    static let shards = 4
    static let lease: Int64 = 5_000

    struct Node {
        let desk: MarginDesk
        let spool: String
        var delivered: Set<String> { Set(((try? FileManager.default.contentsOfDirectory(atPath: spool + "/new")) ?? []).map { String($0.dropLast(5)) }) }
    }

    static func node(_ name: String, store: MemoryClusterStore, spool: String? = nil) async throws -> Node {
        let spool = spool ?? NSTemporaryDirectory() + "cluster-desk-\(name)-\(UUID().uuidString)"
        var policy = MarginPolicy()
        policy.priceSide = .mid
        let universe = MarginUniverse(policy: policy, collateral: [], pairs: MarginRoutesTests.pairs)
        let desk = try await MarginDesk(db: store, spoolDirectory: spool, syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                        universe: universe, logger: Logger(label: "test"),
                                        cluster: ClusterSettings(node: name, shards: shards, leaseMs: lease), monotonicNow: { 0 })
        return Node(desk: desk, spool: spool)
    }

    /// Grants `shards` to `node` on the store and tells its desk (valid on its own clock for ever:
    /// these tests are about the store's side of the fence).
    static func grant(_ shards: [Int], to name: String, _ n: Node, store: MemoryClusterStore, nowMs: Int64 = 1_000) async throws {
        var held: [Int: LeaseKeeper.Held] = [:]
        for s in shards {
            let g = try #require(try store.acquire(shard: s, node: name, leaseMs: lease))
            held[s] = LeaseKeeper.Held(token: g.token, validUntilMs: .max)
        }
        await n.desk.setOwnership(held, nowMs: nowMs)
    }

    static func marks(_ btc: Double, seq: UInt64) -> [String: Mark] {
        ["BTC-USD": Mark(pair: "BTC-USD", price: btc, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1_000 + Int64(seq), seq: seq, sources: []),
         "ETH-USD": Mark(pair: "ETH-USD", price: 3_000, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1_000 + Int64(seq), seq: seq, sources: [])]
    }

    /// 20 accounts long 1 BTC from 60,000 with 4,000 USD: ratio 1.33 at 60,000 (no level), 0.69 at 58,000.
    static func book() -> [UInt8] {
        Array((0..<20).map { #"{"id":"k\#($0)","collateral":[{"asset":"USD","amount":"4000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"# }
            .joined(separator: "\n").utf8)
    }

    static func shard(_ id: String) -> Int { ShardKey.shard(of: id, count: shards) }

    /// A shared store and node a holding every shard, marks at 60,000 and the 20 accounts imported.
    static func nodeAHoldingEveryShardWithTheBook() async throws -> (MemoryClusterStore, Node) {
        let store = MemoryClusterStore()
        try store.ensureShards(count: shards)
        let a = try await node("a", store: store)
        try await grant([0, 1, 2, 3], to: "a", a, store: store)
        await a.desk.onMarks(marks(60_000, seq: 1), nowMs: 1_000)
        _ = try await a.desk.importAccounts(ndjson: book(), nowMs: 1_000)
        return (store, a)
    }

    @Test func eachDeskEvaluatesAndDeliversOnlyItsShards() async throws {
        let store = MemoryClusterStore()
        try store.ensureShards(count: Self.shards)
        let a = try await Self.node("a", store: store), b = try await Self.node("b", store: store)
        try await Self.grant([0, 1], to: "a", a, store: store)
        try await Self.grant([2, 3], to: "b", b, store: store)
        for n in [a, b] { await n.desk.onMarks(Self.marks(60_000, seq: 1), nowMs: 1_000) }
        _ = try await a.desk.importAccounts(ndjson: Self.book(), nowMs: 1_000)
        // b learns of the import from the store's change feed.
        await b.desk.apply(changes: try store.changes(after: 0, limit: 100), nowMs: 1_100)
        let ownedA = Set((0..<20).map { "k\($0)" }.filter { [0, 1].contains(Self.shard($0)) })
        #expect(Set(await a.desk.accounts.keys) == ownedA)
        #expect(Set(await b.desk.accounts.keys) == Set((0..<20).map { "k\($0)" }).subtracting(ownedA))
        for n in [a, b] { await n.desk.onMarks(Self.marks(58_000, seq: 2), nowMs: 2_000) }
        let all = try store.notices(account: nil, limit: 100)
        #expect(Set(all.map(\.account)).count == 20)
        #expect(a.delivered.isDisjoint(with: b.delivered) && a.delivered.union(b.delivered) == Set(all.map(\.id)))
        for n in all { #expect(store.notice(n.id)?.deliveredBy == ([0, 1].contains(n.shard) ? "a" : "b")) }
    }

    @Test func aCommitWithAStaleTokenIsRefusedAndTheNewOwnerCallsInstead() async throws {
        let (store, a) = try await Self.nodeAHoldingEveryShardWithTheBook()
        // a is paused past its lease (its own clock has not moved); b takes every shard over.
        store.advance(toMs: 1_000 + Self.lease + 1)
        let b = try await Self.node("b", store: store)
        await b.desk.onMarks(Self.marks(60_000, seq: 1), nowMs: 7_000)
        try await Self.grant([0, 1, 2, 3], to: "b", b, store: store, nowMs: 7_000)
        #expect(await b.desk.accounts.count == 20)
        // a wakes and sees the move first: the store refuses every write it attempts.
        await a.desk.onMarks(Self.marks(58_000, seq: 2), nowMs: 7_100)
        #expect(store.fencingRefusals >= 1)
        #expect(a.delivered.isEmpty)
        #expect(await a.desk.clusterStats.fencingRejections >= 1)
        #expect(await a.desk.accounts.isEmpty, "a must stop evaluating the shards it lost")
        await b.desk.onMarks(Self.marks(58_000, seq: 2), nowMs: 7_200)
        #expect(b.delivered.count == 20)
    }

    @Test func theNewOwnerDeliversWhatADeadOwnerCommittedButNeverDelivered() async throws {
        let (store, a) = try await Self.nodeAHoldingEveryShardWithTheBook()
        // a commits the burst, then dies before it could claim any of it for delivery.
        store.state.withLock { $0.failClaimsFor = "a" }
        await a.desk.onMarks(Self.marks(58_000, seq: 2), nowMs: 2_000)
        #expect(try store.undeliveredNotices(scope: nil, limit: 100).count == 20)
        #expect(a.delivered.isEmpty)
        store.advance(toMs: 1_000 + Self.lease + 1)
        let b = try await Self.node("b", store: store)
        try await Self.grant([0, 1, 2, 3], to: "b", b, store: store, nowMs: 8_000)
        #expect(b.delivered.count == 20)
        #expect(try store.undeliveredNotices(scope: nil, limit: 100).isEmpty)
        // b's own evaluation of the same accounts repeats nothing: the levels came from the store.
        await b.desk.onMarks(Self.marks(58_000, seq: 3), nowMs: 8_100)
        let after = try store.notices(account: nil, limit: 100)
        #expect(b.delivered.count == 20 && after.count == 20)
    }

    @Test func aNodeSettlesItsOwnInDoubtClaimsFromItsSpoolAndNoOtherNodeTakesThem() async throws {
        let (store, a) = try await Self.nodeAHoldingEveryShardWithTheBook()
        // a claims and writes its spool, then crashes before recording the delivery.
        store.state.withLock { $0.failMarkDelivered = true }
        await a.desk.onMarks(Self.marks(58_000, seq: 2), nowMs: 2_000)
        #expect(a.delivered.count == 20)
        store.state.withLock { $0.failMarkDelivered = false }
        // b owns the shards now, but the claims are a's: b must not write them to its spool.
        store.advance(toMs: 1_000 + Self.lease + 1)
        let b = try await Self.node("b", store: store)
        try await Self.grant([0, 1, 2, 3], to: "b", b, store: store, nowMs: 8_000)
        await b.desk.deliverPending()
        #expect(b.delivered.isEmpty)
        // a comes back (same spool): it settles them, writing nothing twice.
        let a2 = try await Self.node("a", store: store, spool: a.spool)
        await a2.desk.deliverPending()
        #expect(try store.undeliveredNotices(scope: nil, limit: 100).isEmpty)
        let journal = (try? String(contentsOfFile: a.spool + "/calls.jsonl", encoding: .utf8)) ?? ""
        #expect(journal.split(separator: "\n").count == 20)
        #expect(a2.delivered.count == 20)
    }
}

/// A store that goes away (PostgreSQL stopped) while a move causes calls: the desk must not keep
/// transitions nothing recorded, or the notices they owe are never written once the store is back.
struct StoreOutageDeskTests {
    @Test func callsOwedDuringAStoreOutageAreWrittenWhenItReturns() async throws {
        let store = MemoryClusterStore()
        let spool = NSTemporaryDirectory() + "outage-desk-\(UUID().uuidString)"
        var policy = MarginPolicy()
        policy.priceSide = .mid
        let desk = try await MarginDesk(db: store, spoolDirectory: spool, syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                        universe: MarginUniverse(policy: policy, collateral: [], pairs: MarginRoutesTests.pairs),
                                        logger: Logger(label: "test"))
        await desk.onMarks(ClusterDeskTests.marks(60_000, seq: 1), nowMs: 1_000)
        _ = try await desk.importAccounts(ndjson: ClusterDeskTests.book(), nowMs: 1_000)
        #expect(try store.notices(account: nil, limit: 100).isEmpty)
        store.state.withLock { $0.down = true }
        await desk.onMarks(ClusterDeskTests.marks(58_000, seq: 2), nowMs: 2_000)
        #expect(await desk.machinesStale)
        // Changes are refused while the store is down, not half-applied.
        await #expect(throws: APIProblem.self) { try await desk.put(id: "k1", body: Array("{}".utf8), nowMs: 2_100) }
        store.state.withLock { $0.down = false }
        await desk.onMarks(ClusterDeskTests.marks(58_000, seq: 3), nowMs: 3_000)
        #expect(await !desk.machinesStale)
        let written = try store.notices(account: nil, limit: 100)
        #expect(Set(written.map(\.account)).count == 20, "notices after the outage: \(written.count)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: spool + "/new")) ?? []
        #expect(files.count == written.count)
    }
}

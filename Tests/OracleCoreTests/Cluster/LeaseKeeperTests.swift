import Testing
@testable import OracleCore

@Suite struct LeaseKeeperTests {
    typealias L = LeaseKeeper.Lease

    static func free(_ n: Int) -> [Int: L] { Dictionary(uniqueKeysWithValues: (0..<n).map { ($0, L(node: nil, token: 0, expiresInMs: 0)) }) }

    @Test func aLoneNodeAcquiresEveryFreeShardThenRenewsThem() {
        var k = LeaseKeeper(node: "a", shards: 8, leaseMs: 5000)
        let r = k.plan(.init(liveNodes: ["a"], leases: Self.free(8)), nowMs: 1000)
        #expect(r.acquire.sorted() == Array(0..<8) && r.renew.isEmpty && r.release.isEmpty)
        let grants = Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, Int64(100 + $0)) })
        let c = k.applied(renewed: [], attemptedRenew: [:], released: [:], granted: grants, startedMs: 1000)
        #expect(c.gained == grants && c.lost.isEmpty)
        #expect(k.tokens(nowMs: 1001) == grants)
        var leases: [Int: L] = [:]
        for (s, t) in grants { leases[s] = L(node: "a", token: t, expiresInMs: 3000) }
        let r2 = k.plan(.init(liveNodes: ["a"], leases: leases), nowMs: 2500)
        #expect(r2.renew == grants && r2.acquire.isEmpty)
    }

    @Test func localValidityEndsAMarginBeforeTheLeaseCountedFromTheRoundsStart() {
        var k = LeaseKeeper(node: "a", shards: 1, leaseMs: 5000, marginMs: 500)
        _ = k.plan(.init(liveNodes: ["a"], leases: Self.free(1)), nowMs: 0)
        _ = k.applied(renewed: [], attemptedRenew: [:], released: [:], granted: [0: 7], startedMs: 0)
        #expect(k.tokens(nowMs: 4499) == [0: 7])
        #expect(k.tokens(nowMs: 4500).isEmpty)
        // A paused node waking up later: its shard is dropped before it plans anything.
        let r = k.plan(.init(liveNodes: ["a"], leases: [0: L(node: "a", token: 7, expiresInMs: -10_000)]), nowMs: 60_000)
        #expect(r.expired == [0] && r.renew.isEmpty)
        #expect(r.acquire == [0], "expired on the server too, so it may take it again with a new token")
    }

    @Test func aFailedRenewalLosesTheShard() {
        var k = LeaseKeeper(node: "a", shards: 2, leaseMs: 5000)
        _ = k.plan(.init(liveNodes: ["a"], leases: Self.free(2)), nowMs: 0)
        _ = k.applied(renewed: [], attemptedRenew: [:], released: [:], granted: [0: 1, 1: 2], startedMs: 0)
        let r = k.plan(.init(liveNodes: ["a"], leases: [0: L(node: "a", token: 1, expiresInMs: 10), 1: L(node: "a", token: 2, expiresInMs: 10)]), nowMs: 1000)
        let c = k.applied(renewed: [0], attemptedRenew: r.renew, released: [:], granted: [:], startedMs: 1000)
        #expect(c.lost == [1] && k.tokens(nowMs: 1001) == [0: 1])
    }

    @Test func aShardTakenOverWhileAwayIsLostAtOnce() {
        var k = LeaseKeeper(node: "a", shards: 1, leaseMs: 5000)
        _ = k.plan(.init(liveNodes: ["a"], leases: Self.free(1)), nowMs: 0)
        _ = k.applied(renewed: [], attemptedRenew: [:], released: [:], granted: [0: 3], startedMs: 0)
        // Within local validity, but the server shows b with a newer token.
        let r = k.plan(.init(liveNodes: ["a", "b"], leases: [0: L(node: "b", token: 9, expiresInMs: 4000)]), nowMs: 100)
        #expect(r.expired == [0] && r.renew.isEmpty && r.acquire.isEmpty)
        #expect(k.tokens(nowMs: 101).isEmpty)
    }

    @Test func aJoiningNodeGetsItsShareByHandoverNotByWaiting() {
        var a = LeaseKeeper(node: "a", shards: 8, leaseMs: 5000)
        _ = a.plan(.init(liveNodes: ["a"], leases: Self.free(8)), nowMs: 0)
        let grants = Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, Int64($0 + 1)) })
        _ = a.applied(renewed: [], attemptedRenew: [:], released: [:], granted: grants, startedMs: 0)
        var leases: [Int: L] = [:]
        for (s, t) in grants { leases[s] = L(node: "a", token: t, expiresInMs: 4000) }
        let r = a.plan(.init(liveNodes: ["a", "b"], leases: leases), nowMs: 1000)
        let plan = ShardPlan.assign(shards: 8, nodes: ["a", "b"])
        #expect(Set(r.release.keys) == Set((0..<8).filter { plan[$0] == "b" }))
        #expect(Set(r.renew.keys) == Set((0..<8).filter { plan[$0] == "a" }))
        let c = a.applied(renewed: Set(r.renew.keys), attemptedRenew: r.renew, released: r.release, granted: [:], startedMs: 1000)
        #expect(c.lost == Set(r.release.keys))
        // b sees them released (no owner) and acquires exactly its share.
        var b = LeaseKeeper(node: "b", shards: 8, leaseMs: 5000)
        for s in r.release.keys { leases[s] = L(node: nil, token: leases[s]!.token, expiresInMs: 0) }
        let rb = b.plan(.init(liveNodes: ["a", "b"], leases: leases), nowMs: 1100)
        #expect(Set(rb.acquire) == Set(r.release.keys))
    }

    @Test func aShardHeldByALiveOtherNodeIsNotTakenBeforeItExpires() {
        var b = LeaseKeeper(node: "b", shards: 4, leaseMs: 5000)
        // a is dead (not live) but its leases still run: b waits; once expired on the server, b takes them.
        let held = Dictionary(uniqueKeysWithValues: (0..<4).map { ($0, L(node: "a", token: Int64($0), expiresInMs: 1200)) })
        #expect(b.plan(.init(liveNodes: ["b"], leases: held), nowMs: 0).acquire.isEmpty)
        let gone = held.mapValues { L(node: $0.node, token: $0.token, expiresInMs: -1) }
        #expect(b.plan(.init(liveNodes: ["b"], leases: gone), nowMs: 2000).acquire.sorted() == [0, 1, 2, 3])
    }
}

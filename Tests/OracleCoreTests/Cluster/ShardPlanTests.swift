import Testing
@testable import OracleCore

@Suite struct ShardPlanTests {
    /// FNV-1a 64 written out again from its definition (offset basis, prime), byte by byte.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in Array(s.utf8) { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return h
    }

    @Test func shardOfAnAccountIsFNV1aModuloTheCountAndStable() {
        #expect(Self.fnv1a("") == 0xcbf29ce484222325)
        #expect(Self.fnv1a("a") == 0xaf63dc4c8601ec8c)   // published FNV-1a 64 test vector
        for id in ["acct-1", "acct-17", "desk/ü", "", String(repeating: "x", count: 300)] {
            for n in [1, 7, 64, 1000] {
                #expect(ShardKey.shard(of: id, count: n) == Int(Self.fnv1a(id) % UInt64(n)))
            }
        }
    }

    @Test func accountsSpreadEvenlyOverShards() {
        var counts = [Int](repeating: 0, count: 64)
        for i in 0..<64_000 { counts[ShardKey.shard(of: "acct-\(i)", count: 64)] += 1 }
        // 1000 expected per shard; a binomial sd is ~31, so ±20 % is far outside chance.
        #expect(counts.min()! > 800 && counts.max()! < 1200)
    }

    @Test func everyShardHasOneOwnerAndSharesDifferByAtMostOne() {
        for nodes in [["a"], ["a", "b"], ["a", "b", "c"], ["n1", "n2", "n3", "n4", "n5"]] {
            for shards in [1, 7, 64, 100] {
                let plan = ShardPlan.assign(shards: shards, nodes: nodes)
                #expect(plan.count == shards)
                let loads = nodes.map { n in plan.filter { $0 == n }.count }
                #expect(loads.reduce(0, +) == shards)
                #expect(loads.max()! - loads.min()! <= 1 || shards < nodes.count)
            }
        }
    }

    @Test func thePlanDependsOnTheSetOfNodesNotTheirOrder() {
        let a = ShardPlan.assign(shards: 64, nodes: ["c", "a", "b"])
        let b = ShardPlan.assign(shards: 64, nodes: ["b", "c", "a", "a"])
        #expect(a == b)
    }

    @Test func aJoiningNodeTakesAboutItsShareAndMovesLittleElse() {
        let two = ShardPlan.assign(shards: 64, nodes: ["a", "b"])
        let three = ShardPlan.assign(shards: 64, nodes: ["a", "b", "c"])
        let moved = (0..<64).filter { two[$0] != three[$0] }
        let toC = moved.filter { three[$0] == "c" }
        #expect(toC.count >= 21 && toC.count <= 22)
        // Rebalancing between the old nodes is bounded by the cap, not a reshuffle (modulo would move ~2/3).
        #expect(moved.count - toC.count <= 12, "moved \(moved.count), to c \(toC.count)")
        // A node leaving: the survivors keep what they had.
        let back = ShardPlan.assign(shards: 64, nodes: ["a", "c"])
        let kept = (0..<64).filter { three[$0] != "b" && back[$0] == three[$0] }.count
        #expect(kept >= 40)
    }
}

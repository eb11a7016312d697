/// Which live node should own each shard: a pure function of the shard count and the set of live
/// nodes, so every node computes the same plan from the same heartbeats without talking to the others.
///
/// Rendezvous (highest-random-weight) hashing with a cap per node: each shard goes to the node that
/// scores highest for it among those not yet full. Every node may take ⌊shards / nodes⌋, and only
/// `shards mod nodes` of them one more, so shares differ by at most one; the hashing keeps most shards where they were when a node joins or
/// leaves (a plain `shard % nodes` would move almost all of them).
public enum ShardPlan {
    public static func assign(shards: Int, nodes: [String]) -> [String] {
        let live = Array(Set(nodes)).sorted()
        guard shards > 0, !live.isEmpty else { return [] }
        let base = shards / live.count
        let extra = shards % live.count
        var atCeiling = 0
        var load = [Int](repeating: 0, count: live.count)
        var owner = [String](repeating: "", count: shards)
        // Shards are placed in a fixed order; ties cannot depend on the order nodes were listed.
        for s in 0..<shards {
            var best = -1
            var bestScore: UInt64 = 0
            for (i, n) in live.enumerated() where load[i] < base || (load[i] == base && atCeiling < extra) {
                let score = weight(node: n, shard: s)
                if best < 0 || score > bestScore || (score == bestScore && n < live[best]) {
                    best = i
                    bestScore = score
                }
            }
            owner[s] = live[best]
            load[best] += 1
            if load[best] == base + 1 { atCeiling += 1 }
        }
        return owner
    }

    /// A well-mixed 64-bit score of (node, shard): FNV-1a of the name, then the shard, then a
    /// SplitMix64 finaliser so nearby shard numbers do not get correlated scores.
    static func weight(node: String, shard: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in node.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h ^= UInt64(truncatingIfNeeded: shard) &* 0x9e37_79b9_7f4a_7c15
        h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }
}

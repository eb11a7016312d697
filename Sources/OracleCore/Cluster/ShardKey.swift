/// Which shard an account belongs to: FNV-1a (64-bit) of its id's UTF-8 bytes, modulo the count.
///
/// Stable across nodes, processes and Swift versions (unlike `Hasher`, which is seeded per process):
/// every node must put an account in the same shard, and the shard is stored beside the account.
public enum ShardKey {
    public static func shard(of accountID: String, count: Int) -> Int {
        precondition(count > 0, "shard count must be positive")
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in accountID.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return Int(h % UInt64(count))
    }
}

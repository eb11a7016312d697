/// `[cluster]`: this node's part in a cluster of oracled instances sharing one PostgreSQL store.
/// Absent: a single node that owns every account (the default, with SQLite or PostgreSQL).
public struct ClusterSettings: Sendable, Equatable {
    /// This node's name: unique in the cluster (two nodes with one name would share leases).
    public var node: String
    /// Accounts are hashed to this many shards; fixed when the cluster is first created.
    public var shards: Int = 64
    /// A shard's lease; renewed every `lease / 4`, taken over within 2 × `lease` after its owner dies.
    public var leaseMs: Int64 = 5_000
    /// A notice claimed for delivery by a node that has not settled it this long after its lease
    /// ended is delivered again by the shard's owner (flagged as a possible repeat): a missed call
    /// is worse than a repeated one with the same id.
    public var inDoubtAfterMs: Int64 = 60_000

    public init(node: String, shards: Int = 64, leaseMs: Int64 = 5_000, inDoubtAfterMs: Int64 = 60_000) {
        self.node = node
        self.shards = shards
        self.leaseMs = leaseMs
        self.inDoubtAfterMs = inDoubtAfterMs
    }
}

/// What a cluster of nodes needs from a shared store (PostgreSQL) beyond `StateStore`: shard leases
/// with fencing tokens, node heartbeats, the accounts of a set of shards, and a feed of the changes
/// other nodes made through their API (accounts, holds) so each shard's owner applies them.
///
/// Every time in here is the database server's clock (`clock_timestamp()`), never a node's: one
/// clock decides whether a lease has expired, so skew between nodes cannot give a shard two owners.
public protocol ClusterStore: StateStore {
    /// Creates the lease rows `0..<count` once; refuses a different count than the cluster was
    /// created with (accounts are hashed to shards, so changing it would move them all at once).
    func ensureShards(count: Int) throws(StoreError)
    /// Records `node` as alive now and returns the whole cluster as the server sees it.
    func heartbeat(node: String, startedAtMs: Int64) throws(StoreError) -> ClusterSnapshot
    /// Takes `shard` if it is free or its lease has expired: a new fencing token, held for `leaseMs`.
    /// Nil when another node holds it.
    func acquire(shard: Int, node: String, leaseMs: Int64) throws(StoreError) -> LeaseGrant?
    /// Extends the leases `node` still holds with these tokens; returns the shards renewed (a shard
    /// missing from the answer was lost: taken over, or expired and released).
    func renew(_ held: [Int: Int64], node: String, leaseMs: Int64) throws(StoreError) -> Set<Int>
    /// Gives shards up at once (rebalancing, shutdown): their next owner need not wait for expiry.
    func release(_ held: [Int: Int64], node: String) throws(StoreError)

    /// The accounts and level rows of these shards (a node loads them when it gains the shards).
    func accounts(shards: Set<Int>) throws(StoreError) -> [StoredAccount]
    func levels(shards: Set<Int>) throws(StoreError) -> [StoredLevel]
    /// Changes made through any node's API after `seq`, oldest first (`putAccount`, `putAccounts`,
    /// `deleteAccount` and `setHold` record them in their own transaction).
    func changes(after seq: Int64, limit: Int) throws(StoreError) -> [StoreChange]
}

public struct ClusterSnapshot: Sendable, Equatable {
    public var serverNowMs: Int64
    public var nodes: [NodeRow]
    public var leases: [LeaseRow]
    /// The newest change recorded (the change feed starts after it).
    public var lastChangeSeq: Int64

    public init(serverNowMs: Int64, nodes: [NodeRow], leases: [LeaseRow], lastChangeSeq: Int64) {
        self.serverNowMs = serverNowMs
        self.nodes = nodes
        self.leases = leases
        self.lastChangeSeq = lastChangeSeq
    }
}

public struct NodeRow: Sendable, Equatable {
    public var node: String
    /// Server time since the node's last heartbeat.
    public var heartbeatAgeMs: Int64
    public var startedAtMs: Int64

    public init(node: String, heartbeatAgeMs: Int64, startedAtMs: Int64) {
        self.node = node
        self.heartbeatAgeMs = heartbeatAgeMs
        self.startedAtMs = startedAtMs
    }
}

public struct LeaseRow: Sendable, Equatable {
    public var shard: Int
    /// Nil when the shard was released and nobody took it yet.
    public var node: String?
    public var token: Int64
    /// Server time left on the lease (negative once expired).
    public var expiresInMs: Int64
    /// Server time (Unix ms) the current owner acquired it.
    public var acquiredAtMs: Int64
    /// The node it was taken from after that node's lease expired (a takeover, not a handover).
    public var takenFrom: String?

    public init(shard: Int, node: String?, token: Int64, expiresInMs: Int64, acquiredAtMs: Int64, takenFrom: String?) {
        self.shard = shard
        self.node = node
        self.token = token
        self.expiresInMs = expiresInMs
        self.acquiredAtMs = acquiredAtMs
        self.takenFrom = takenFrom
    }
}

public struct LeaseGrant: Sendable, Equatable {
    public var shard: Int
    public var token: Int64
    /// The previous owner when its lease had expired (a takeover); nil for a free or released shard.
    public var takenFrom: String?

    public init(shard: Int, token: Int64, takenFrom: String?) {
        self.shard = shard
        self.token = token
        self.takenFrom = takenFrom
    }
}

public struct StoreChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// An account was created, replaced or deleted (`account` names it).
        case account
        /// Many accounts at once (an import): owners reload every account of their shards.
        case accounts
        /// A hold was set or released on `account`.
        case hold
    }

    public var seq: Int64
    public var kind: Kind
    public var account: String

    public init(seq: Int64, kind: Kind, account: String) {
        self.seq = seq
        self.kind = kind
        self.account = account
    }
}

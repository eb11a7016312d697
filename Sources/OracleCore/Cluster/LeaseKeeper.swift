/// One node's side of the shard leases: what to renew, release and acquire in a round, and which
/// shards it may act on at a given moment. Pure: the store calls and the clocks are the caller's.
///
/// Two clocks on purpose. Whether a lease has expired is decided by the database server's clock
/// (the observation's `expiresInMs`), the same for every node. Whether *this* node may still act on
/// a shard is decided by its own monotonic clock: a renewal that started at local time t and
/// succeeded keeps the lease until at least t + lease on the server, so the node acts only until
/// t + lease − margin. A node that was paused (SIGSTOP, a long GC-like stall, a VM migration) sees
/// on waking that its leases are stale before it writes anything — and if it tried, the fencing
/// token would be refused by the store anyway.
public struct LeaseKeeper: Sendable {
    public let node: String
    public let shards: Int
    public let leaseMs: Int64
    /// How long before the local end of a lease this node stops acting on the shard.
    public let marginMs: Int64

    /// The shards this node holds: fencing token and the local monotonic time it may act until.
    public private(set) var held: [Int: Held] = [:]

    public struct Held: Sendable, Equatable {
        public var token: Int64
        public var validUntilMs: Int64

        public init(token: Int64, validUntilMs: Int64) {
            self.token = token
            self.validUntilMs = validUntilMs
        }
    }

    /// What the server showed this round.
    public struct Observation: Sendable, Equatable {
        public var liveNodes: [String]
        public var leases: [Int: Lease]

        public init(liveNodes: [String], leases: [Int: Lease]) {
            self.liveNodes = liveNodes
            self.leases = leases
        }
    }

    public struct Lease: Sendable, Equatable {
        public var node: String?
        public var token: Int64
        public var expiresInMs: Int64

        public init(node: String?, token: Int64, expiresInMs: Int64) {
            self.node = node
            self.token = token
            self.expiresInMs = expiresInMs
        }
    }

    /// The store calls of one round.
    public struct Round: Sendable, Equatable {
        public var renew: [Int: Int64] = [:]
        /// Shards the plan gives to another live node: stop acting on them, then release them.
        public var release: [Int: Int64] = [:]
        /// Shards the plan gives to this node that are free or whose lease has expired.
        public var acquire: [Int] = []
        /// Held shards whose local validity ran out before this round (missed renewals): lost.
        public var expired: Set<Int> = []
    }

    /// A change of what this node may act on.
    public struct Change: Sendable, Equatable {
        public var gained: [Int: Int64] = [:]
        public var lost: Set<Int> = []
    }

    public init(node: String, shards: Int, leaseMs: Int64, marginMs: Int64? = nil) {
        self.node = node
        self.shards = shards
        self.leaseMs = leaseMs
        self.marginMs = marginMs ?? max(50, leaseMs / 10)
    }

    /// The fence for a write at `nowMs` (local monotonic): only the shards still valid locally.
    public func tokens(nowMs: Int64) -> [Int: Int64] {
        var out: [Int: Int64] = [:]
        for (s, h) in held where h.validUntilMs > nowMs { out[s] = h.token }
        return out
    }

    /// Drops every held shard whose local validity has run out (called before each round and
    /// before each write); returns them.
    public mutating func expire(nowMs: Int64) -> Set<Int> {
        let gone = Set(held.filter { $0.value.validUntilMs <= nowMs }.keys)
        for s in gone { held[s] = nil }
        return gone
    }

    /// Plans one round from what the server shows.
    public mutating func plan(_ seen: Observation, nowMs: Int64) -> Round {
        var round = Round()
        round.expired = expire(nowMs: nowMs)
        var live = seen.liveNodes
        if !live.contains(node) { live.append(node) }
        let owners = ShardPlan.assign(shards: shards, nodes: live)
        for s in 0..<shards {
            let mine = owners[s] == node
            if let h = held[s] {
                // Someone else holds it on the server (taken over while this node was away): lost.
                if let l = seen.leases[s], l.node != node || l.token != h.token {
                    held[s] = nil
                    round.expired.insert(s)
                } else if mine {
                    round.renew[s] = h.token
                } else {
                    round.release[s] = h.token
                }
            } else if mine {
                let l = seen.leases[s]
                if l == nil || l!.node == nil || l!.expiresInMs <= 0 { round.acquire.append(s) }
            }
        }
        return round
    }

    /// Applies the store's answers; `startedMs` is the local monotonic time the round began (the
    /// validity of every renewal and grant counts from then, not from when the answer arrived).
    public mutating func applied(renewed: Set<Int>, attemptedRenew: [Int: Int64], released: [Int: Int64],
                                 granted: [Int: Int64], startedMs: Int64) -> Change {
        var change = Change()
        let until = startedMs + leaseMs - marginMs
        for s in attemptedRenew.keys {
            if renewed.contains(s) {
                held[s]?.validUntilMs = until
            } else if held.removeValue(forKey: s) != nil {
                change.lost.insert(s)
            }
        }
        for s in released.keys where held.removeValue(forKey: s) != nil { change.lost.insert(s) }
        for (s, token) in granted {
            held[s] = Held(token: token, validUntilMs: until)
            change.gained[s] = token
            change.lost.remove(s)
        }
        return change
    }
}

import OracleStore
import PostgresNIO

/// Leases, heartbeats and the change feed. Every time is the server's `clock_timestamp()` (one clock
/// decides expiry, so skew between nodes cannot give a shard two owners). Lease calls run on their
/// own connection so a renewal never waits behind a bulk import on the data connection.
extension PostgresStore {
    public func ensureShards(count: Int) throws(StoreError) {
        guard count > 0, count <= 65_536 else {
            throw StoreError("[cluster] shards = \(count) is out of range: use 1...65536 (64 is a good start)")
        }
        try leases.transaction("creating \(count) shards") { db in
            try db.query("SELECT pg_advisory_xact_lock(\(AdvisoryLock.clusterMeta))")
            if let row = try db.query("SELECT shards FROM cluster_meta").rows.first {
                let existing = try row.decode(Int.self)
                guard existing == count else {
                    throw StoreFailure(description: "the cluster was created with [cluster] shards = \(existing), this node has \(count): accounts are hashed to shards, so every node must use \(existing) (changing it means exporting the accounts into a new database)")
                }
                return
            }
            try db.query("INSERT INTO cluster_meta(shards) VALUES (\(Int64(count)))")
            try db.query("INSERT INTO shard_lease(shard) SELECT generate_series(0, \(Int64(count - 1))) ON CONFLICT DO NOTHING")
        }
    }

    public func heartbeat(node: String, startedAtMs: Int64) throws(StoreError) -> ClusterSnapshot {
        try leases.run("heartbeat of \(node)") { db in
            let now = try db.query("""
                INSERT INTO cluster_node(node, heartbeat_at, started_at_ms) VALUES (\(node), clock_timestamp(), \(startedAtMs))
                ON CONFLICT (node) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, started_at_ms = excluded.started_at_ms
                RETURNING \(unescaped: epochMs("heartbeat_at"))
                """).rows.first!.decode(Int64.self)
            let nodes = try db.query("SELECT node, \(unescaped: epochMs("heartbeat_at")), started_at_ms FROM cluster_node ORDER BY node").rows.map { row in
                let (name, beat, started) = try row.decode((String, Int64, Int64).self)
                return NodeRow(node: name, heartbeatAgeMs: now - beat, startedAtMs: started)
            }
            let leases = try db.query("""
                SELECT shard, node, token, \(unescaped: epochMs("expires_at")), COALESCE(\(unescaped: epochMs("acquired_at")), 0), taken_from
                FROM shard_lease ORDER BY shard
                """).rows.map { row in
                let (shard, owner, token, expires, acquired, takenFrom) = try row.decode((Int, String?, Int64, Int64, Int64, String?).self)
                return LeaseRow(shard: shard, node: owner, token: token, expiresInMs: expires - now, acquiredAtMs: acquired, takenFrom: takenFrom)
            }
            let last = try db.query("SELECT COALESCE(max(seq), 0) FROM change_log").rows.first!.decode(Int64.self)
            return ClusterSnapshot(serverNowMs: now, nodes: nodes, leases: leases, lastChangeSeq: last)
        }
    }

    /// Free (never held or released) or expired: the shard gets a new token from `fence_token`.
    /// `taken_from` names the previous owner only when its lease expired under it (a takeover);
    /// after a release, or when a node takes back its own expired lease, it is nil.
    public func acquire(shard: Int, node: String, leaseMs: Int64) throws(StoreError) -> LeaseGrant? {
        try leases.run("acquiring shard \(shard) for \(node)") { db in
            try db.query("""
                UPDATE shard_lease SET token = nextval('fence_token'), node = \(node),
                  expires_at = clock_timestamp() + \(leaseMs)::float8 * interval '1 millisecond', acquired_at = clock_timestamp(),
                  taken_from = CASE WHEN node IS NOT NULL AND node <> \(node) THEN node END
                WHERE shard = \(Int64(shard)) AND (node IS NULL OR expires_at <= clock_timestamp())
                RETURNING token, taken_from
                """).rows.first.map { row in
                let (token, takenFrom) = try row.decode((Int64, String?).self)
                return LeaseGrant(shard: shard, token: token, takenFrom: takenFrom)
            }
        }
    }

    /// Rows are locked in shard order first (as fenced commits lock theirs): no deadlock with them.
    /// Only leases still unexpired, held by `node` with these tokens, are extended: an expired lease
    /// is lost even if nobody took it yet (the node acquires it again, with a new token), so a lease
    /// has no gap in which its fence would be refused and then accepted again with the same token.
    public func renew(_ held: [Int: Int64], node: String, leaseMs: Int64) throws(StoreError) -> Set<Int> {
        guard !held.isEmpty else { return [] }
        let shards = held.keys.sorted()
        return try leases.run("renewing \(held.count) leases of \(node)") { db in
            var renewed = Set<Int>()
            for row in try db.query("""
                WITH mine AS (
                  SELECT l.shard FROM shard_lease l
                  JOIN unnest(\(shards.map(Int64.init))::bigint[], \(shards.map { held[$0]! })::bigint[]) AS f(shard, token)
                    ON l.shard = f.shard AND l.token = f.token
                  WHERE l.node = \(node) AND l.expires_at > clock_timestamp()
                  ORDER BY l.shard FOR NO KEY UPDATE OF l)
                UPDATE shard_lease l SET expires_at = clock_timestamp() + \(leaseMs)::float8 * interval '1 millisecond'
                FROM mine WHERE l.shard = mine.shard
                RETURNING l.shard
                """).rows {
                renewed.insert(try row.decode(Int.self))
            }
            return renewed
        }
    }

    /// The shards become free at once (node NULL, expired now); the token stays, and the next owner
    /// gets a larger one.
    public func release(_ held: [Int: Int64], node: String) throws(StoreError) {
        guard !held.isEmpty else { return }
        let shards = held.keys.sorted()
        try leases.run("releasing \(held.count) leases of \(node)") { db in
            try db.query("""
                WITH mine AS (
                  SELECT l.shard FROM shard_lease l
                  JOIN unnest(\(shards.map(Int64.init))::bigint[], \(shards.map { held[$0]! })::bigint[]) AS f(shard, token)
                    ON l.shard = f.shard AND l.token = f.token
                  WHERE l.node = \(node)
                  ORDER BY l.shard FOR NO KEY UPDATE OF l)
                UPDATE shard_lease l SET node = NULL, expires_at = clock_timestamp(), taken_from = NULL
                FROM mine WHERE l.shard = mine.shard
                """)
        }
    }

    public func changes(after seq: Int64, limit: Int) throws(StoreError) -> [StoreChange] {
        try data.run("reading changes after \(seq)") { db in
            try db.query("SELECT seq, kind, account FROM change_log WHERE seq > \(seq) ORDER BY seq LIMIT \(Int64(limit))").rows.map { row in
                let (seq, kind, account) = try row.decode((Int64, String, String).self)
                guard let k = StoreChange.Kind(rawValue: kind) else {
                    throw StoreFailure(description: "change_log row \(seq) has kind \"\(kind)\" that this oracled does not know: a newer version wrote it")
                }
                return StoreChange(seq: seq, kind: k, account: account)
            }
        }
    }
}

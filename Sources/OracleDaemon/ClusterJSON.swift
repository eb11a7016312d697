import OracleCore
import OracleStore

/// `GET /v1/cluster` and the cluster's `/metrics` families, from this node's last lease round.
enum ClusterJSON {
    static func render(_ s: ClusterStatus.Snapshot, desk: JSON, nowMs: Int64) -> JSON {
        let leases = s.seen?.leases ?? []
        let nodes = s.seen?.nodes ?? []
        var byNode: [String: [Int]] = [:]
        for l in leases where l.expiresInMs > 0 { if let n = l.node { byNode[n, default: []].append(l.shard) } }
        // The cluster's last takeover, from the lease rows (any node's), not only this node's.
        let last = leases.filter { $0.takenFrom != nil }.max { $0.acquiredAtMs < $1.acquiredAtMs }
        return .object([
            ("node", .string(s.node)),
            ("shards", .int(s.shards)),
            ("lease_ms", .int(s.leaseMs)),
            ("last_round", s.lastRoundAtMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("store_error", .optional(s.lastError)),
            ("nodes", .array(nodes.sorted { $0.node < $1.node }.map { n in
                .object([
                    ("node", .string(n.node)),
                    ("alive", .bool(n.heartbeatAgeMs < s.leaseMs)),
                    ("heartbeat_age_ms", .int(n.heartbeatAgeMs)),
                    ("started", .string(RFC3339.format(ms: n.startedAtMs))),
                    ("shards", .array((byNode[n.node] ?? []).sorted().map { .int($0) })),
                ])
            })),
            ("leases", .array(leases.sorted { $0.shard < $1.shard }.map { l in
                .object([
                    ("shard", .int(l.shard)),
                    ("node", .optional(l.node)),
                    ("token", .int(l.token)),
                    ("age_ms", .int(max(0, (s.seen?.serverNowMs ?? 0) - l.acquiredAtMs))),
                    ("expires_in_ms", .int(l.expiresInMs)),
                ])
            })),
            ("last_takeover", last.map { l in
                .object([("shard", .int(l.shard)), ("from", .optional(l.takenFrom)), ("to", .optional(l.node)),
                         ("at", .string(RFC3339.format(ms: l.acquiredAtMs)))])
            } ?? .null),
            ("this_node", desk),
            ("renewals_total", .int(s.renewals)),
            ("takeovers_total", .int(s.takeovers)),
        ])
    }

    static func metrics(_ s: ClusterStatus.Snapshot, fencingRejections: Int) -> [MetricFamily] {
        let node = "{node=\"\(s.node)\"}"
        return [
            MetricFamily(name: "oracled_cluster_shards_held", type: "gauge", help: "Shards this node holds a lease on.",
                         samples: [(node, "\(s.held.count)")]),
            MetricFamily(name: "oracled_cluster_lease_renewals_total", type: "counter", help: "Shard leases renewed by this node.",
                         samples: [(node, "\(s.renewals)")]),
            MetricFamily(name: "oracled_cluster_takeovers_total", type: "counter",
                         help: "Shards this node took over after their owner's lease expired.", samples: [(node, "\(s.takeovers)")]),
            MetricFamily(name: "oracled_cluster_leases_lost_total", type: "counter",
                         help: "Shards this node lost because a renewal was refused.", samples: [(node, "\(s.leasesLost)")]),
            MetricFamily(name: "oracled_cluster_fencing_rejections_total", type: "counter",
                         help: "Commits the store refused because this node no longer held the shard (fencing token stale).",
                         samples: [(node, "\(fencingRejections)")]),
            MetricFamily(name: "oracled_cluster_nodes_alive", type: "gauge", help: "Nodes whose heartbeat is younger than a lease.",
                         samples: [(node, "\((s.seen?.nodes ?? []).filter { $0.heartbeatAgeMs < s.leaseMs }.count)")]),
        ]
    }
}

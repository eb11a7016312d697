/// `[cluster]`.
extension ConfigDecoder {
    func decodeCluster(_ top: TableReader) -> ClusterSettings? {
        guard let r = sectionReader(top, "cluster") else { return nil }
        defer { r.finish(known: ConfigKeys.cluster) }
        guard let node = r.string("node", example: "\"a\"") else {
            r.report(.missingKey, "node", "is required in [cluster]: a name unique in the cluster, e.g. node = \"a\" (the host name is a good choice)")
            return nil
        }
        guard Self.isNodeName(node) else {
            r.report(.invalidValue, "node", "\"\(node)\" must be 1–64 characters of letters, digits, '.', '-' or '_', e.g. \"oracle-a\"")
            return nil
        }
        var c = ClusterSettings(node: node)
        c.shards = r.integer("shards", default: c.shards, .closed(1, 4096))
        c.leaseMs = r.duration("lease", default: c.leaseMs)
        if c.leaseMs < 1_000 {
            r.report(.invalidValue, "lease", "must be at least 1s: renewals go through PostgreSQL and a shorter lease would move shards on every hiccup; write e.g. lease = \"5s\"")
            c.leaseMs = 5_000
        }
        c.inDoubtAfterMs = r.duration("in_doubt_after", default: c.inDoubtAfterMs)
        return c
    }

    static func isNodeName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d || b == 0x2e || b == 0x5f
        }
    }
}

import OracleCore

/// The `/v1/prices` shapes of DESIGN.md.
enum MarkJSON {
    static func render(_ mark: Mark, nowMs: Int64) -> JSON {
        let age: JSON = mark.updatedAtMs.map { .int(max(0, nowMs - $0)) } ?? .null
        var fields: [(String, JSON)] = [
            ("pair", .string(mark.pair)),
            ("price", .decimal(mark.price)),
            ("confidence", .decimal(mark.confidence)),
            ("status", .string(mark.status.rawValue)),
            ("sources_used", .int(mark.sourcesUsed)),
            ("sources_total", .int(mark.sourcesTotal)),
            ("updated_at", mark.updatedAtMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("age_ms", age),
            ("seq", .int(mark.seq)),
        ]
        if let reason = mark.statusReason { fields.append(("status_reason", .string(reason))) }
        fields.append(("sources", .array(mark.sources.map { s in
            .object([
                ("source", .string(s.source)),
                ("value", .decimal(s.value)),
                ("time", s.timeMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                ("verdict", .string(s.verdict.rawValue)),
                ("reason", .string(s.reason)),
            ])
        })))
        return .object(fields)
    }

    /// A pair that is configured but has no mark yet (the first cycle has not run).
    static func pending(pair: String, sourcesTotal: Int) -> Mark {
        Mark(pair: pair, price: nil, confidence: nil, status: .unavailable, sourcesUsed: 0, sourcesTotal: sourcesTotal,
             updatedAtMs: nil, seq: 0, statusReason: "no cycle has completed yet", sources: [])
    }
}

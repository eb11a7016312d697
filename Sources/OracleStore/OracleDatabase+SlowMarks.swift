import GRDB

/// A pair's slow mark as stored: the EWMA value (decimal text, never REAL) and its last update.
public struct StoredSlowMark: Sendable, Equatable {
    public var pair: String
    public var value: String
    public var lastUpdateMs: Int64

    public init(pair: String, value: String, lastUpdateMs: Int64) {
        self.pair = pair
        self.value = value
        self.lastUpdateMs = lastUpdateMs
    }
}

extension OracleDatabase {
    /// Replaces the stored slow marks of these pairs (one transaction).
    public func putSlowMarks(_ marks: [StoredSlowMark]) throws(StoreError) {
        guard !marks.isEmpty else { return }
        try run { db in
            let stmt = try db.makeStatement(sql: "INSERT OR REPLACE INTO slow_mark(pair, value, last_update_ms) VALUES (?, ?, ?)")
            for m in marks { try stmt.execute(arguments: [m.pair, m.value, m.lastUpdateMs]) }
        }
    }

    public func slowMarks() throws(StoreError) -> [StoredSlowMark] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT pair, value, last_update_ms FROM slow_mark ORDER BY pair").map {
                StoredSlowMark(pair: $0["pair"], value: $0["value"], lastUpdateMs: $0["last_update_ms"])
            }
        }
    }
}

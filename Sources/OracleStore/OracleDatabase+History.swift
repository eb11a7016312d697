import GRDB

extension OracleDatabase {
    /// Appends (or replaces) history points; prices are decimal strings.
    public func appendHistory(_ points: [(pair: String, tsMs: Int64, price: String)]) throws(StoreError) {
        guard !points.isEmpty else { return }
        try run { db in
            let stmt = try db.makeStatement(sql: "INSERT OR REPLACE INTO mark_history(pair, ts_ms, price) VALUES (?, ?, ?)")
            for p in points { try stmt.execute(arguments: [p.pair, p.tsMs, p.price]) }
        }
    }

    /// The stored series of a pair, oldest first, at most `limit` newest points.
    public func history(pair: String, limit: Int) throws(StoreError) -> [(tsMs: Int64, price: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT ts_ms, price FROM (SELECT ts_ms, price FROM mark_history WHERE pair = ? ORDER BY ts_ms DESC LIMIT ?) ORDER BY ts_ms",
                             arguments: [pair, limit]).map { (tsMs: $0["ts_ms"] as Int64, price: $0["price"] as String) }
        }
    }

    public func historyPairs() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT pair FROM mark_history ORDER BY pair") }
    }
}

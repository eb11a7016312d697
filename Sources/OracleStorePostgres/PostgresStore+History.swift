import OracleStore
import PostgresNIO

extension PostgresStore {
    /// Appends (or replaces) history points; prices are decimal strings.
    public func appendHistory(_ points: [(pair: String, tsMs: Int64, price: String)]) throws(StoreError) {
        guard !points.isEmpty else { return }
        // One upsert may not touch a row twice: the last point of a (pair, ts) wins, as in SQLite.
        var seen: [String: Int] = [:]
        var unique: [(pair: String, tsMs: Int64, price: String)] = []
        for p in points {
            let key = "\(p.tsMs)|\(p.pair)"
            if let i = seen[key] { unique[i] = p } else { seen[key] = unique.count; unique.append(p) }
        }
        try data.transaction("appending \(unique.count) history points") { db in
            for chunk in unique.chunked(Self.chunkSize) {
                try db.query("""
                    INSERT INTO mark_history(pair, ts_ms, price)
                    SELECT * FROM unnest(\(chunk.map(\.pair))::text[], \(chunk.map(\.tsMs))::bigint[], \(chunk.map(\.price))::text[])
                    ON CONFLICT (pair, ts_ms) DO UPDATE SET price = excluded.price
                    """)
            }
        }
    }

    /// The stored series of a pair, oldest first, at most `limit` newest points.
    public func history(pair: String, limit: Int) throws(StoreError) -> [(tsMs: Int64, price: String)] {
        try data.run("reading history of \(pair)") { db in
            try db.query("""
                SELECT ts_ms, price FROM (SELECT ts_ms, price FROM mark_history WHERE pair = \(pair) ORDER BY ts_ms DESC LIMIT \(limit)) h
                ORDER BY ts_ms
                """).rows.map { row in
                let (ts, price) = try row.decode((Int64, String).self)
                return (tsMs: ts, price: price)
            }
        }
    }

    public func historyPairs() throws(StoreError) -> [String] {
        try data.run("reading history pairs") { db in
            try db.query("SELECT DISTINCT pair FROM mark_history ORDER BY pair").rows.map { try $0.decode(String.self) }
        }
    }

    /// Replaces the stored slow marks of these pairs (one transaction).
    public func putSlowMarks(_ marks: [StoredSlowMark]) throws(StoreError) {
        guard !marks.isEmpty else { return }
        let unique = Self.lastByKey(marks, key: \.pair)
        try data.run("storing \(unique.count) slow marks") { db in
            try db.query("""
                INSERT INTO slow_mark(pair, value, last_update_ms)
                SELECT * FROM unnest(\(unique.map(\.pair))::text[], \(unique.map(\.value))::text[], \(unique.map(\.lastUpdateMs))::bigint[])
                ON CONFLICT (pair) DO UPDATE SET value = excluded.value, last_update_ms = excluded.last_update_ms
                """)
        }
    }

    public func slowMarks() throws(StoreError) -> [StoredSlowMark] {
        try data.run("reading slow marks") { db in
            try db.query("SELECT pair, value, last_update_ms FROM slow_mark ORDER BY pair").rows.map { row in
                let (pair, value, ms) = try row.decode((String, String, Int64).self)
                return StoredSlowMark(pair: pair, value: value, lastUpdateMs: ms)
            }
        }
    }
}

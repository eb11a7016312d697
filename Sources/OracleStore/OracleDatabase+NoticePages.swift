import GRDB

extension OracleDatabase {
    /// Up to `limit` notices strictly after `cursor` in (created_at_ms, id) order, oldest first,
    /// that pass `filter`. `GET /v1/calls?state=all` pages with it and `oraclectl calls --follow`
    /// polls it, so the order must be total and stable: `id` breaks ties within a millisecond.
    public func notices(after cursor: NoticeCursor?, filter: NoticeFilter, limit: Int) throws(StoreError) -> [StoredNotice] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let cursor {
            // Written out rather than as a row value so the planner uses notice_created for the range.
            conditions.append("(created_at_ms > ? OR (created_at_ms = ? AND id > ?))")
            arguments += [cursor.createdAtMs, cursor.createdAtMs, cursor.id]
        }
        if let since = filter.sinceMs {
            conditions.append("created_at_ms >= ?")
            arguments += [since]
        }
        if let account = filter.account {
            conditions.append("account = ?")
            arguments += [account]
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(0, limit)]
        let sql = "SELECT * FROM notice" + whereClause + " ORDER BY created_at_ms, id LIMIT ?"
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(StoredNotice.init(row:)) }
    }
}

import OracleStore
import PostgresNIO

extension PostgresStore {
    static let levelColumns = "account, level, since_ms, deadline_ms, transition_seq, ratio, hold_reason, hold_by, hold_at_ms, shard"
    static let noticeColumns = "id, account, level, created_at_ms, json, syslog, delivered, ack_reason, ack_by, ack_at_ms, shard, claimed_by, delivered_by"

    public func levels() throws(StoreError) -> [StoredLevel] {
        try data.run("reading level state") { db in
            try db.query(PostgresQuery(unsafeSQL: "SELECT \(Self.levelColumns) FROM level_state ORDER BY account")).rows.map(Self.level(row:))
        }
    }

    public func level(account: String) throws(StoreError) -> StoredLevel? {
        var binds = PostgresBindings()
        binds.append(account)
        let q = PostgresQuery(unsafeSQL: "SELECT \(Self.levelColumns) FROM level_state WHERE account = $1", binds: binds)
        return try data.run("reading level of \(account)") { db in try db.query(q).rows.first.map(Self.level(row:)) }
    }

    public func levels(shards: Set<Int>) throws(StoreError) -> [StoredLevel] {
        var binds = PostgresBindings()
        binds.append(shards.sorted().map(Int64.init))
        let q = PostgresQuery(unsafeSQL: "SELECT \(Self.levelColumns) FROM level_state WHERE shard = ANY($1::bigint[]) ORDER BY account", binds: binds)
        return try data.run("reading the levels of \(shards.count) shards") { db in try db.query(q).rows.map(Self.level(row:)) }
    }

    /// Level changes and their notices in one transaction. With a fence, the transaction first locks
    /// (FOR SHARE) the lease row of every shard the rows belong to, checked against the fence's node
    /// and token and the server clock; a takeover (which updates those rows) then waits for this
    /// commit, and a commit after a takeover finds the rows changed and writes nothing.
    public func commitTransitions(levels: [StoredLevel], notices: [StoredNotice], fence: Fence?,
                                  insideTransaction: () -> Void) throws(StoreError) {
        guard !levels.isEmpty || !notices.isEmpty else { return }
        let uniqueLevels = Self.lastByKey(levels, key: \.account)
        try data.transaction("committing \(levels.count) level changes and \(notices.count) notices") { db in
            if let fence {
                try Self.checkFence(db, fence, shards: Set(levels.map(\.shard)).union(notices.map(\.shard)))
            }
            // 10 parameters a row: 1000 rows stay far below PostgreSQL's 65535 parameters a statement.
            for chunk in uniqueLevels.chunked(1000) {
                var binds = PostgresBindings(capacity: chunk.count * 10)
                var rows: [String] = []
                rows.reserveCapacity(chunk.count)
                for l in chunk {
                    let n = binds.count
                    // Typed: a column of NULL parameters in a multi-row VALUES would otherwise resolve to text.
                    rows.append("($\(n + 1)::text, $\(n + 2)::text, $\(n + 3)::bigint, $\(n + 4)::bigint, $\(n + 5)::bigint, $\(n + 6)::text, $\(n + 7)::text, $\(n + 8)::bigint, $\(n + 9)::bigint, $\(n + 10)::bigint)")
                    binds.append(l.account)
                    binds.append(l.level)
                    binds.append(l.sinceMs)
                    binds.append(l.deadlineMs)
                    binds.append(l.transitionSeq)
                    binds.append(l.ratio)
                    binds.append(l.holdReason)
                    binds.append(l.holdBy)
                    binds.append(l.holdAtMs)
                    binds.append(Int64(l.shard))
                }
                try db.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO level_state(\(Self.levelColumns)) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (account) DO UPDATE SET level = excluded.level, since_ms = excluded.since_ms,
                      deadline_ms = excluded.deadline_ms, transition_seq = excluded.transition_seq, ratio = excluded.ratio,
                      shard = excluded.shard
                    """, binds: binds))
            }
            for chunk in notices.chunked(Self.chunkSize) {
                try db.query("""
                    INSERT INTO notice(id, account, level, created_at_ms, json, syslog, shard)
                    SELECT * FROM unnest(\(chunk.map(\.id))::text[], \(chunk.map(\.account))::text[], \(chunk.map(\.level))::text[],
                                         \(chunk.map(\.createdAtMs))::bigint[], \(chunk.map(\.json))::text[], \(chunk.map(\.syslog))::text[],
                                         \(chunk.map { Int64($0.shard) })::bigint[])
                    ON CONFLICT (id) DO NOTHING
                    """)
            }
            insideTransaction()
        }
    }

    /// Locks the lease rows of `shards` that `fence.node` holds, unexpired, with the fence's tokens;
    /// throws `StoreError(fencedShards:)` naming the others (the caller's transaction rolls back).
    /// Rows are locked in shard order, as renew and release lock theirs, so a commit and a renewal
    /// of the same node wait for each other (milliseconds) but never deadlock.
    static func checkFence(_ db: PostgresLink, _ fence: Fence, shards: Set<Int>) throws {
        guard !shards.isEmpty else { return }
        let tokened = shards.sorted().filter { fence.tokens[$0] != nil }
        var held = Set<Int>()
        if !tokened.isEmpty {
            let rows = try db.query("""
                SELECT l.shard FROM shard_lease l
                JOIN unnest(\(tokened.map(Int64.init))::bigint[], \(tokened.map { fence.tokens[$0]! })::bigint[]) AS f(shard, token)
                  ON l.shard = f.shard AND l.token = f.token
                WHERE l.node = \(fence.node) AND l.expires_at > clock_timestamp()
                ORDER BY l.shard
                FOR SHARE OF l
                """).rows
            for row in rows { held.insert(try row.decode(Int.self)) }
        }
        let missing = shards.subtracting(held)
        guard missing.isEmpty else {
            throw StoreError("node \(fence.node) no longer holds shard(s) \(missing.sorted().map(String.init).joined(separator: ", ")) with its fencing token (taken over or expired): nothing was written",
                             fencedShards: missing)
        }
    }

    public func undeliveredNotices(scope: DeliveryScope?, limit: Int) throws(StoreError) -> [StoredNotice] {
        var binds = PostgresBindings()
        let sql: String
        if let scope {
            binds.append(scope.shards.sorted().map(Int64.init))
            binds.append(scope.node)
            binds.append(scope.inDoubtAfterMs)
            binds.append(Int64(limit))
            // Unclaimed notices of our shards; our own claims anywhere (in doubt after a crash: the
            // spool says whether they were written); another node's claims on our shards once older
            // than `inDoubtAfterMs` by the server clock.
            sql = """
                SELECT \(Self.noticeColumns) FROM notice
                WHERE NOT delivered AND (
                  (shard = ANY($1::bigint[]) AND claimed_by IS NULL)
                  OR claimed_by = $2
                  OR ($3::bigint IS NOT NULL AND shard = ANY($1::bigint[]) AND claimed_by <> $2
                      AND claimed_at_ms < \(epochMs("clock_timestamp()")) - $3::bigint))
                ORDER BY created_at_ms, id LIMIT $4
                """
        } else {
            binds.append(Int64(limit))
            sql = "SELECT \(Self.noticeColumns) FROM notice WHERE NOT delivered ORDER BY created_at_ms, id LIMIT $1"
        }
        let q = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try data.run("reading undelivered notices") { db in try db.query(q).rows.map(Self.notice(row:)) }
    }

    /// Marks `ids` as claimed by `fence.node` (with the shard's token and the server's time), fenced
    /// like `commitTransitions`. A notice is claimed when it is undelivered and unclaimed, claimed by
    /// this node already, or claimed under an older token of its shard (its claimer lost the shard;
    /// `undeliveredNotices` offers such a claim only once it is in doubt). Returns the ids claimed.
    public func claim(ids: [String], fence: Fence?) throws(StoreError) -> [String] {
        guard let fence, !ids.isEmpty else { return ids }
        return try data.transaction("claiming \(ids.count) notices") { db in
            var shards = Set<Int>()
            for row in try db.query("SELECT DISTINCT shard FROM notice WHERE id = ANY(\(ids)::text[])").rows {
                shards.insert(try row.decode(Int.self))
            }
            try Self.checkFence(db, fence, shards: shards)
            let sorted = shards.sorted()
            return try db.query("""
                UPDATE notice n SET claimed_by = \(fence.node), claim_token = f.token,
                  claimed_at_ms = \(unescaped: epochMs("clock_timestamp()"))
                FROM unnest(\(sorted.map(Int64.init))::bigint[], \(sorted.map { fence.tokens[$0] ?? 0 })::bigint[]) AS f(shard, token)
                WHERE n.id = ANY(\(ids)::text[]) AND n.shard = f.shard AND NOT n.delivered
                  AND (n.claimed_by IS NULL OR n.claimed_by = \(fence.node) OR n.claim_token < f.token)
                RETURNING n.id
                """).rows.map { try $0.decode(String.self) }
        }
    }

    /// Records delivery and who delivered (the first deliverer is kept if two ever did).
    public func markDelivered(ids: [String], by node: String?) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try data.run("marking \(ids.count) notices delivered") { db in
            try db.query("""
                UPDATE notice SET delivered = true, delivered_by = CASE WHEN delivered THEN delivered_by ELSE \(node) END
                WHERE id = ANY(\(ids)::text[])
                """)
        }
    }

    /// With `node`, only what that node's spool received: each node logs its own deliveries.
    public func unsyslogged(by node: String?, limit: Int) throws(StoreError) -> [StoredNotice] {
        var binds = PostgresBindings()
        binds.append(Int64(limit))
        binds.append(node)
        let q = PostgresQuery(unsafeSQL: "SELECT \(Self.noticeColumns) FROM notice WHERE delivered AND NOT syslogged AND ($2::text IS NULL OR delivered_by = $2) ORDER BY created_at_ms, id LIMIT $1", binds: binds)
        return try data.run("reading unsyslogged notices") { db in try db.query(q).rows.map(Self.notice(row:)) }
    }

    public func markSyslogged(ids: [String]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try data.run("marking \(ids.count) notices syslogged") { db in
            try db.query("UPDATE notice SET syslogged = true WHERE id = ANY(\(ids)::text[])")
        }
    }

    public func notices(account: String?, limit: Int) throws(StoreError) -> [StoredNotice] {
        var binds = PostgresBindings()
        let sql: String
        if let account {
            binds.append(account)
            binds.append(Int64(limit))
            sql = "SELECT \(Self.noticeColumns) FROM notice WHERE account = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2"
        } else {
            binds.append(Int64(limit))
            sql = "SELECT \(Self.noticeColumns) FROM notice ORDER BY created_at_ms DESC, id DESC LIMIT $1"
        }
        let q = PostgresQuery(unsafeSQL: sql, binds: binds)
        return try data.run("reading notices") { db in try db.query(q).rows.map(Self.notice(row:)) }
    }

    /// A page of the history after `cursor`, oldest first; ids compare bytewise (`COLLATE "C"`), as
    /// in SQLite, so a cursor means the same on either backend.
    public func notices(after cursor: NoticeCursor?, filter: NoticeFilter, limit: Int) throws(StoreError) -> [StoredNotice] {
        guard limit > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(cursor?.createdAtMs)
        binds.append(cursor?.id)
        binds.append(filter.sinceMs)
        binds.append(filter.account)
        binds.append(Int64(limit))
        let q = PostgresQuery(unsafeSQL: """
            SELECT \(Self.noticeColumns) FROM notice
            WHERE ($1::bigint IS NULL OR created_at_ms > $1::bigint OR (created_at_ms = $1::bigint AND id COLLATE "C" > $2::text COLLATE "C"))
              AND ($3::bigint IS NULL OR created_at_ms >= $3::bigint)
              AND ($4::text IS NULL OR account = $4::text)
            ORDER BY created_at_ms, id COLLATE "C" LIMIT $5
            """, binds: binds)
        return try data.run("reading a page of notices") { db in try db.query(q).rows.map(Self.notice(row:)) }
    }

    public func notice(id: String) throws(StoreError) -> StoredNotice? {
        var binds = PostgresBindings()
        binds.append(id)
        let q = PostgresQuery(unsafeSQL: "SELECT \(Self.noticeColumns) FROM notice WHERE id = $1", binds: binds)
        return try data.run("reading notice \(id)") { db in try db.query(q).rows.first.map(Self.notice(row:)) }
    }

    @discardableResult
    public func acknowledge(noticeID: String, reason: String, by uid: Int64, atMs: Int64) throws(StoreError) -> Bool {
        try data.run("acknowledging notice \(noticeID)") { db in
            try db.affected("UPDATE notice SET ack_reason = \(reason), ack_by = \(uid), ack_at_ms = \(atMs) WHERE id = \(noticeID)") > 0
        }
    }

    /// A hold (nil reason releases it), recorded in the change feed so the account's owner applies
    /// it. A new level row takes the shard of the account row (0 when there is none).
    public func setHold(account: String, reason: String?, by uid: Int64, atMs: Int64) throws(StoreError) {
        let holdBy: Int64? = reason == nil ? nil : uid
        let holdAt: Int64? = reason == nil ? nil : atMs
        try data.transaction("setting the hold on \(account)") { db in
            try db.query("""
                INSERT INTO level_state(account, level, since_ms, hold_reason, hold_by, hold_at_ms, shard)
                VALUES (\(account), 'none', \(atMs), \(reason), \(holdBy), \(holdAt),
                        COALESCE((SELECT shard FROM account WHERE id = \(account)), 0))
                ON CONFLICT (account) DO UPDATE SET hold_reason = excluded.hold_reason, hold_by = excluded.hold_by,
                  hold_at_ms = excluded.hold_at_ms
                """)
            try Self.recordChange(db, kind: .hold, account: account)
        }
    }

    static func level(row: PostgresRow) throws -> StoredLevel {
        let (account, level, since, deadline, seq, ratio, holdReason, holdBy, holdAt, shard) =
            try row.decode((String, String, Int64, Int64?, Int64, String?, String?, Int64?, Int64?, Int).self)
        return StoredLevel(account: account, level: level, sinceMs: since, deadlineMs: deadline, transitionSeq: seq, ratio: ratio,
                           holdReason: holdReason, holdBy: holdBy, holdAtMs: holdAt, shard: shard)
    }

    static func notice(row: PostgresRow) throws -> StoredNotice {
        let (id, account, level, created, json, syslog, delivered, ackReason, ackBy, ackAt, shard, claimedBy, deliveredBy) =
            try row.decode((String, String, String, Int64, String, String, Bool, String?, Int64?, Int64?, Int, String?, String?).self)
        return StoredNotice(id: id, account: account, level: level, createdAtMs: created, json: json, syslog: syslog, delivered: delivered,
                            ackReason: ackReason, ackBy: ackBy, ackAtMs: ackAt, shard: shard, claimedBy: claimedBy, deliveredBy: deliveredBy)
    }
}

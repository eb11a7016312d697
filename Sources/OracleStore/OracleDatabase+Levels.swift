import GRDB

/// The persisted part of an account's level machine.
public struct StoredLevel: Sendable, Equatable {
    public var account: String
    public var level: String
    public var sinceMs: Int64
    public var deadlineMs: Int64?
    /// Counts notices issued for this account; part of the notice id, so ids are stable across restarts.
    public var transitionSeq: Int64
    public var ratio: String?
    public var holdReason: String?
    public var holdBy: Int64?
    public var holdAtMs: Int64?
    /// The cluster shard the account hashes to (0 on a single node).
    public var shard: Int

    public init(account: String, level: String, sinceMs: Int64, deadlineMs: Int64? = nil, transitionSeq: Int64 = 0,
                ratio: String? = nil, holdReason: String? = nil, holdBy: Int64? = nil, holdAtMs: Int64? = nil, shard: Int = 0) {
        self.account = account
        self.shard = shard
        self.level = level
        self.sinceMs = sinceMs
        self.deadlineMs = deadlineMs
        self.transitionSeq = transitionSeq
        self.ratio = ratio
        self.holdReason = holdReason
        self.holdBy = holdBy
        self.holdAtMs = holdAtMs
    }

    init(row: Row) {
        account = row["account"]
        level = row["level"]
        sinceMs = row["since_ms"]
        deadlineMs = row["deadline_ms"]
        transitionSeq = row["transition_seq"]
        ratio = row["ratio"]
        holdReason = row["hold_reason"]
        holdBy = row["hold_by"]
        holdAtMs = row["hold_at_ms"]
        shard = 0
    }
}

/// A notice in the outbox: written with its level change, delivered to the spool afterwards.
public struct StoredNotice: Sendable, Equatable {
    public var id: String
    public var account: String
    public var level: String
    public var createdAtMs: Int64
    public var json: String
    /// The one-line syslog rendering, sent with delivery.
    public var syslog: String
    public var delivered: Bool
    public var ackReason: String?
    public var ackBy: Int64?
    public var ackAtMs: Int64?
    /// The cluster shard of the account (0 on a single node).
    public var shard: Int
    /// In a cluster: the node that claimed it for delivery, and the node whose spool holds it.
    public var claimedBy: String?
    public var deliveredBy: String?

    public init(id: String, account: String, level: String, createdAtMs: Int64, json: String, syslog: String = "", delivered: Bool = false,
                ackReason: String? = nil, ackBy: Int64? = nil, ackAtMs: Int64? = nil, shard: Int = 0,
                claimedBy: String? = nil, deliveredBy: String? = nil) {
        self.id = id
        self.shard = shard
        self.claimedBy = claimedBy
        self.deliveredBy = deliveredBy
        self.account = account
        self.level = level
        self.createdAtMs = createdAtMs
        self.json = json
        self.syslog = syslog
        self.delivered = delivered
        self.ackReason = ackReason
        self.ackBy = ackBy
        self.ackAtMs = ackAtMs
    }

    init(row: Row) {
        id = row["id"]
        account = row["account"]
        level = row["level"]
        createdAtMs = row["created_at_ms"]
        json = row["json"]
        syslog = row["syslog"]
        delivered = (row["delivered"] as Int64) != 0
        ackReason = row["ack_reason"]
        ackBy = row["ack_by"]
        ackAtMs = row["ack_at_ms"]
        shard = 0
        claimedBy = nil
        deliveredBy = nil
    }
}

extension OracleDatabase {
    public func levels() throws(StoreError) -> [StoredLevel] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM level_state").map(StoredLevel.init(row:)) }
    }

    public func level(account: String) throws(StoreError) -> StoredLevel? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM level_state WHERE account = ?", arguments: [account]).map(StoredLevel.init(row:)) }
    }

    /// Level changes and the notices they produced, in one transaction: after a crash either both
    /// exist or neither does, so a restart neither loses nor repeats a notice.
    /// `insideTransaction` runs after the rows are written and before COMMIT (the crash tests' fault
    /// hook pauses there); production passes nothing. One node owns SQLite, so `fence` is not checked.
    public func commitTransitions(levels: [StoredLevel], notices: [StoredNotice], fence: Fence?, insideTransaction: () -> Void) throws(StoreError) {
        guard !levels.isEmpty || !notices.isEmpty else { return }
        try run { db in
            let ls = try db.makeStatement(sql: """
                INSERT INTO level_state(account, level, since_ms, deadline_ms, transition_seq, ratio, hold_reason, hold_by, hold_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(account) DO UPDATE SET level = excluded.level, since_ms = excluded.since_ms,
                  deadline_ms = excluded.deadline_ms, transition_seq = excluded.transition_seq, ratio = excluded.ratio
                """)
            for l in levels {
                try ls.execute(arguments: [l.account, l.level, l.sinceMs, l.deadlineMs, l.transitionSeq, l.ratio, l.holdReason, l.holdBy, l.holdAtMs])
            }
            let ns = try db.makeStatement(sql: "INSERT OR IGNORE INTO notice(id, account, level, created_at_ms, json, syslog, delivered, syslogged) VALUES (?, ?, ?, ?, ?, ?, 0, 0)")
            for n in notices { try ns.execute(arguments: [n.id, n.account, n.level, n.createdAtMs, n.json, n.syslog]) }
            insideTransaction()
        }
    }

    public func undeliveredNotices(scope: DeliveryScope?, limit: Int) throws(StoreError) -> [StoredNotice] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notice WHERE delivered = 0 ORDER BY created_at_ms, id LIMIT ?", arguments: [limit])
                .map(StoredNotice.init(row:))
        }
    }

    /// One node delivers everything it commits: there is nothing to claim against.
    public func claim(ids: [String], fence: Fence?) throws(StoreError) -> [String] { ids }

    public func markDelivered(ids: [String], by node: String?) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try run { db in
            let stmt = try db.makeStatement(sql: "UPDATE notice SET delivered = 1 WHERE id = ?")
            for id in ids { try stmt.execute(arguments: [id]) }
        }
    }

    /// Delivered notices whose syslog line has not been sent yet (a crash between the two is
    /// repaired at the next delivery: syslog is at-least-once, the spool exactly-once).
    public func unsyslogged(by node: String?, limit: Int) throws(StoreError) -> [StoredNotice] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notice WHERE delivered = 1 AND syslogged = 0 ORDER BY created_at_ms, id LIMIT ?",
                             arguments: [limit]).map(StoredNotice.init(row:))
        }
    }

    public func markSyslogged(ids: [String]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try run { db in
            let stmt = try db.makeStatement(sql: "UPDATE notice SET syslogged = 1 WHERE id = ?")
            for id in ids { try stmt.execute(arguments: [id]) }
        }
    }

    public func notices(account: String?, limit: Int) throws(StoreError) -> [StoredNotice] {
        try read { db in
            if let account {
                return try Row.fetchAll(db, sql: "SELECT * FROM notice WHERE account = ? ORDER BY created_at_ms DESC, id DESC LIMIT ?",
                                        arguments: [account, limit]).map(StoredNotice.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM notice ORDER BY created_at_ms DESC, id DESC LIMIT ?", arguments: [limit])
                .map(StoredNotice.init(row:))
        }
    }

    public func notice(id: String) throws(StoreError) -> StoredNotice? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM notice WHERE id = ?", arguments: [id]).map(StoredNotice.init(row:)) }
    }

    @discardableResult
    public func acknowledge(noticeID: String, reason: String, by uid: Int64, atMs: Int64) throws(StoreError) -> Bool {
        try run { db in
            try db.execute(sql: "UPDATE notice SET ack_reason = ?, ack_by = ?, ack_at_ms = ? WHERE id = ?", arguments: [reason, uid, atMs, noticeID])
            return db.changesCount > 0
        }
    }

    /// A risk manager's hold on an account (nil reason releases it). Creates the level row if needed.
    public func setHold(account: String, reason: String?, by uid: Int64, atMs: Int64) throws(StoreError) {
        try run { db in
            try db.execute(sql: """
                INSERT INTO level_state(account, level, since_ms, hold_reason, hold_by, hold_at_ms) VALUES (?, 'none', ?, ?, ?, ?)
                ON CONFLICT(account) DO UPDATE SET hold_reason = excluded.hold_reason, hold_by = excluded.hold_by, hold_at_ms = excluded.hold_at_ms
                """, arguments: [account, atMs, reason, reason == nil ? nil : uid, reason == nil ? nil : atMs])
        }
    }
}

import GRDB

extension OracleDatabase {
    /// Migrations are history: a shipped migration is never edited; changes are new migrations.
    /// Table and column names are literal strings here, independent of the record types.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: accounts, levels, notices, history") { db in
            try db.create(table: "account") { t in
                t.primaryKey("id", .text)
                // The account as it travels (JSON, decimals as strings): never REAL money.
                t.column("json", .text).notNull()
                t.column("updated_at_ms", .integer).notNull()
            }
            try db.create(table: "level_state") { t in
                t.primaryKey("account", .text)
                t.column("level", .text).notNull()
                t.column("since_ms", .integer).notNull()
                t.column("deadline_ms", .integer)
                t.column("transition_seq", .integer).notNull().defaults(to: 0)
                t.column("ratio", .text)
                t.column("hold_reason", .text)
                t.column("hold_by", .integer)
                t.column("hold_at_ms", .integer)
            }
            try db.create(table: "notice") { t in
                t.primaryKey("id", .text)
                t.column("account", .text).notNull().indexed()
                t.column("level", .text).notNull()
                t.column("created_at_ms", .integer).notNull()
                t.column("json", .text).notNull()
                t.column("syslog", .text).notNull().defaults(to: "")
                // 0 until the spool holds it durably (file in new/, line in calls.jsonl).
                t.column("delivered", .integer).notNull().defaults(to: 0)
                t.column("ack_reason", .text)
                t.column("ack_by", .integer)
                t.column("ack_at_ms", .integer)
            }
            try db.create(index: "notice_undelivered", on: "notice", columns: ["delivered", "created_at_ms"])
            try db.create(table: "mark_history") { t in
                t.column("pair", .text).notNull()
                t.column("ts_ms", .integer).notNull()
                t.column("price", .text).notNull()
                t.primaryKey(["pair", "ts_ms"])
            }
        }
        m.registerMigration("v2: syslog delivery tracked apart from the spool") { db in
            // Rows from v1 were logged together with their delivery: mark them logged.
            try db.alter(table: "notice") { t in
                t.add(column: "syslogged", .integer).notNull().defaults(to: 1)
            }
            try db.create(index: "notice_unsyslogged", on: "notice", columns: ["syslogged"])
        }
        m.registerMigration("v3: slow marks survive a restart") { db in
            // The liquidation confirmation's EWMA per pair: rebuilt from scratch, the first print
            // after a restart would be the slow mark and confirm itself.
            try db.create(table: "slow_mark") { t in
                t.primaryKey("pair", .text)
                t.column("value", .text).notNull()
                t.column("last_update_ms", .integer).notNull()
            }
        }
        m.registerMigration("v4: notice history pages by (created_at_ms, id)") { db in
            // GET /v1/calls?state=all pages through every notice in this order with a cursor.
            try db.create(index: "notice_created", on: "notice", columns: ["created_at_ms", "id"])
        }
        return m
    }
}

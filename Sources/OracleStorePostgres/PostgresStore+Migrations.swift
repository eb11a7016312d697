import OracleStore
import PostgresNIO

extension PostgresStore {
    /// Append-only, like SQLite's `OracleDatabase.migrator`: a shipped migration is never edited;
    /// a change is a new one. Each is a list of single statements (the extended protocol runs one
    /// statement per query).
    static let migrations: [(id: String, statements: [String])] = [
        ("v1: accounts, levels, notices, history, slow marks", [
            // Mirrors SQLite's v1–v3, plus the shard of each row. Money and marks are text, never
            // floating point.
            """
            CREATE TABLE account(
              id text PRIMARY KEY, json text NOT NULL, updated_at_ms bigint NOT NULL,
              shard integer NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX account_shard ON account(shard)",
            """
            CREATE TABLE level_state(
              account text PRIMARY KEY, level text NOT NULL, since_ms bigint NOT NULL, deadline_ms bigint,
              transition_seq bigint NOT NULL DEFAULT 0, ratio text, hold_reason text, hold_by bigint,
              hold_at_ms bigint, shard integer NOT NULL DEFAULT 0)
            """,
            "CREATE INDEX level_state_shard ON level_state(shard)",
            """
            CREATE TABLE notice(
              id text PRIMARY KEY, account text NOT NULL, level text NOT NULL, created_at_ms bigint NOT NULL,
              json text NOT NULL, syslog text NOT NULL DEFAULT '',
              delivered boolean NOT NULL DEFAULT false, syslogged boolean NOT NULL DEFAULT false,
              ack_reason text, ack_by bigint, ack_at_ms bigint,
              shard integer NOT NULL DEFAULT 0,
              claimed_by text, claim_token bigint, claimed_at_ms bigint, delivered_by text)
            """,
            "CREATE INDEX notice_account ON notice(account, created_at_ms)",
            "CREATE INDEX notice_created ON notice(created_at_ms)",
            // Partial indexes: the outbox scans touch only the few rows still in flight.
            "CREATE INDEX notice_undelivered ON notice(shard, created_at_ms) WHERE NOT delivered",
            "CREATE INDEX notice_unsyslogged ON notice(created_at_ms) WHERE delivered AND NOT syslogged",
            """
            CREATE TABLE mark_history(pair text NOT NULL, ts_ms bigint NOT NULL, price text NOT NULL,
              PRIMARY KEY(pair, ts_ms))
            """,
            "CREATE TABLE slow_mark(pair text PRIMARY KEY, value text NOT NULL, last_update_ms bigint NOT NULL)",
        ]),
        ("v2: cluster leases, fencing tokens, heartbeats, change feed", [
            // Tokens only grow, across every shard: a new owner always holds a larger one.
            "CREATE SEQUENCE fence_token",
            """
            CREATE TABLE shard_lease(
              shard integer PRIMARY KEY, node text, token bigint NOT NULL DEFAULT 0,
              expires_at timestamptz NOT NULL DEFAULT 'epoch', acquired_at timestamptz, taken_from text)
            """,
            "CREATE TABLE cluster_node(node text PRIMARY KEY, heartbeat_at timestamptz NOT NULL, started_at_ms bigint NOT NULL)",
            "CREATE TABLE cluster_meta(one boolean PRIMARY KEY DEFAULT true CHECK (one), shards integer NOT NULL)",
            """
            CREATE TABLE change_log(seq bigserial PRIMARY KEY, kind text NOT NULL, account text NOT NULL DEFAULT '',
              at timestamptz NOT NULL DEFAULT clock_timestamp())
            """,
        ]),
    ]

    /// The ids of every migration this version knows, in order.
    public static var migrationIDs: [String] { migrations.map(\.id) }

    /// Applies the migrations not yet recorded in `schema_migrations`, in one transaction under an
    /// advisory lock: two nodes starting together apply each migration once, the second waits and
    /// then finds them recorded.
    func migrate() throws(StoreError) {
        try data.transaction("schema migration") { db in
            try db.query("SELECT pg_advisory_xact_lock(\(AdvisoryLock.migrations))")
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations(
                  id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())
                """)
            var applied = Set<String>()
            for row in try db.query("SELECT id FROM schema_migrations").rows {
                applied.insert(try row.decode(String.self))
            }
            let known = Set(Self.migrations.map(\.id))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreFailure(description: "the database has migration \"\(unknown)\" that this oracled does not know: a newer version migrated it; run that version or restore a backup")
            }
            for migration in Self.migrations where !applied.contains(migration.id) {
                for statement in migration.statements { try db.execute(statement) }
                try db.query("INSERT INTO schema_migrations(id) VALUES (\(migration.id))")
            }
        }
    }

    /// The migrations recorded, in the order applied (tests check idempotence with it).
    public func appliedMigrations() throws(StoreError) -> [String] {
        try data.run("reading schema_migrations") { db in
            try db.query("SELECT id FROM schema_migrations ORDER BY applied_at, id").rows.map { try $0.decode(String.self) }
        }
    }
}

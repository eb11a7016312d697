import GRDB

/// A stored account: its id and JSON text (parsed and validated by OracleCore's `AccountJSON`).
public struct StoredAccount: Sendable, Equatable {
    public var id: String
    public var json: String
    public var updatedAtMs: Int64
    /// The cluster shard the id hashes to (0 on a single node); kept beside the row so a node
    /// loads only its shards' accounts.
    public var shard: Int

    public init(id: String, json: String, updatedAtMs: Int64, shard: Int = 0) {
        self.id = id
        self.shard = shard
        self.json = json
        self.updatedAtMs = updatedAtMs
    }
}

extension OracleDatabase {
    public func putAccount(_ account: StoredAccount) throws(StoreError) {
        try run { db in
            try db.execute(sql: "INSERT INTO account(id, json, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms",
                           arguments: [account.id, account.json, account.updatedAtMs])
        }
    }

    /// All or nothing: an import either stores every account or none.
    public func putAccounts(_ accounts: [StoredAccount]) throws(StoreError) {
        try run { db in
            let stmt = try db.makeStatement(sql: "INSERT INTO account(id, json, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms")
            for a in accounts { try stmt.execute(arguments: [a.id, a.json, a.updatedAtMs]) }
        }
    }

    /// Removes the account and its level state (its notices stay: they were sent).
    @discardableResult
    public func deleteAccount(id: String) throws(StoreError) -> Bool {
        try run { db in
            try db.execute(sql: "DELETE FROM level_state WHERE account = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM account WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func account(id: String) throws(StoreError) -> StoredAccount? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, json, updated_at_ms FROM account WHERE id = ?", arguments: [id]).map {
                StoredAccount(id: $0["id"], json: $0["json"], updatedAtMs: $0["updated_at_ms"])
            }
        }
    }

    public func allAccounts() throws(StoreError) -> [StoredAccount] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, json, updated_at_ms FROM account ORDER BY id").map {
                StoredAccount(id: $0["id"], json: $0["json"], updatedAtMs: $0["updated_at_ms"])
            }
        }
    }
}

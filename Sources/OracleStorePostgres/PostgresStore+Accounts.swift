import OracleStore
import PostgresNIO

extension PostgresStore {
    /// Rows per statement in bulk writes: one round trip per chunk, not per row, and each statement
    /// well inside the statement timeout (10k accounts of a few hundred bytes is a few MB).
    static let chunkSize = 10_000

    public func putAccount(_ account: StoredAccount) throws(StoreError) {
        try data.transaction("storing account \(account.id)") { db in
            try db.query("""
                INSERT INTO account(id, json, updated_at_ms, shard) VALUES (\(account.id), \(account.json), \(account.updatedAtMs), \(account.shard))
                ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms, shard = excluded.shard
                """)
            try Self.recordChange(db, kind: .account, account: account.id)
        }
    }

    /// All or nothing, in chunks of `unnest` arrays inside one transaction. A repeated id keeps its
    /// last version (as SQLite's row-by-row upsert does).
    public func putAccounts(_ accounts: [StoredAccount]) throws(StoreError) {
        guard !accounts.isEmpty else { return }
        let unique = Self.lastByKey(accounts, key: \.id)
        try data.transaction("importing \(unique.count) accounts") { db in
            for chunk in unique.chunked(Self.chunkSize) {
                try db.query("""
                    INSERT INTO account(id, json, updated_at_ms, shard)
                    SELECT * FROM unnest(\(chunk.map(\.id))::text[], \(chunk.map(\.json))::text[],
                                         \(chunk.map(\.updatedAtMs))::bigint[], \(chunk.map { Int64($0.shard) })::bigint[])
                    ON CONFLICT (id) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms, shard = excluded.shard
                    """)
            }
            try Self.recordChange(db, kind: .accounts, account: "")
        }
    }

    @discardableResult
    public func deleteAccount(id: String) throws(StoreError) -> Bool {
        try data.transaction("deleting account \(id)") { db in
            try db.query("DELETE FROM level_state WHERE account = \(id)")
            let deleted = try db.affected("DELETE FROM account WHERE id = \(id)") > 0
            if deleted { try Self.recordChange(db, kind: .account, account: id) }
            return deleted
        }
    }

    public func account(id: String) throws(StoreError) -> StoredAccount? {
        try data.run("reading account \(id)") { db in
            try db.query("SELECT id, json, updated_at_ms, shard FROM account WHERE id = \(id)").rows.first.map(Self.account(row:))
        }
    }

    public func allAccounts() throws(StoreError) -> [StoredAccount] {
        try data.run("reading accounts") { db in
            try db.query("SELECT id, json, updated_at_ms, shard FROM account ORDER BY id").rows.map(Self.account(row:))
        }
    }

    public func accounts(shards: Set<Int>) throws(StoreError) -> [StoredAccount] {
        try data.run("reading the accounts of \(shards.count) shards") { db in
            try db.query("SELECT id, json, updated_at_ms, shard FROM account WHERE shard = ANY(\(shards.sorted().map(Int64.init))::bigint[]) ORDER BY id")
                .rows.map(Self.account(row:))
        }
    }

    static func account(row: PostgresRow) throws -> StoredAccount {
        let (id, json, updated, shard) = try row.decode((String, String, Int64, Int).self)
        return StoredAccount(id: id, json: json, updatedAtMs: updated, shard: shard)
    }

    /// A change another node's shard owner must apply, in the caller's transaction. The advisory lock
    /// is held to COMMIT, so seqs become visible in increasing order.
    static func recordChange(_ db: PostgresLink, kind: StoreChange.Kind, account: String) throws {
        try db.query("SELECT pg_advisory_xact_lock(\(AdvisoryLock.changeLog))")
        try db.query("INSERT INTO change_log(kind, account) VALUES (\(kind.rawValue), \(account))")
    }

    /// The last element for each key, in first-seen order.
    static func lastByKey<T, K: Hashable>(_ items: [T], key: KeyPath<T, K>) -> [T] {
        var index: [K: Int] = [:]
        var out: [T] = []
        out.reserveCapacity(items.count)
        for item in items {
            if let i = index[item[keyPath: key]] { out[i] = item } else {
                index[item[keyPath: key]] = out.count
                out.append(item)
            }
        }
        return out
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

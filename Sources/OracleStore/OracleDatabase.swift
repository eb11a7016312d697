import GRDB

/// oracled's state in SQLite: accounts, per-account level state, the notice outbox, mark history.
///
/// One `Sendable` wrapper over a `DatabaseWriter` that runs the migrator when opened, so tests use the
/// production schema in memory. The invariants that make notices exactly-once live in the schema:
/// a notice id is a primary key, and a level change is committed in the same transaction as the
/// notice it produced (`commitTransitions`).
public struct OracleDatabase: StateStore {
    public var backendName: String { "sqlite" }
    let writer: any DatabaseWriter

    /// A WAL database at `directory/oracled.sqlite` (API reads do not wait on the trigger's writes).
    public static func open(directory: String) throws(StoreError) -> OracleDatabase {
        let path = directory + "/oracled.sqlite"
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            let pool = try DatabasePool(path: path, configuration: config)
            return try OracleDatabase(writer: pool)
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError("cannot open the state database \(path): \(error); check that state_dir exists and is writable by the daemon's user")
        }
    }

    /// The same schema in memory, for tests.
    public static func inMemory() throws(StoreError) -> OracleDatabase {
        do { return try OracleDatabase(writer: DatabaseQueue()) } catch let e as StoreError { throw e } catch {
            throw StoreError("cannot create an in-memory database: \(error)")
        }
    }

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError("database migration failed: \(error); restore the state directory from a backup or move it aside")
        }
    }

    /// `PRAGMA integrity_check` — "ok" when SQLite finds nothing wrong (the crash tests assert it).
    public func integrityCheck() throws(StoreError) -> String {
        try run { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    func run<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.write(body) } catch { throw StoreError("database write failed: \(error)") }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try writer.read(body) } catch { throw StoreError("database read failed: \(error)") }
    }
}

/// A storage failure, with what to do about it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// Set when a fenced write was refused: the shards this node no longer holds. Nothing was written.
    public let fencedShards: Set<Int>
    /// The store could not be reached at all (connection refused or lost): retry later.
    public let unavailable: Bool

    public init(_ message: String, fencedShards: Set<Int> = [], unavailable: Bool = false) {
        description = message
        self.fencedShards = fencedShards
        self.unavailable = unavailable
    }
}

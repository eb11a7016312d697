import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OracleStore
import PostgresNIO

/// oracled's state in PostgreSQL, shared by the nodes of a cluster: the same tables as SQLite's
/// `OracleDatabase` plus shards, claims, leases with fencing tokens, heartbeats and a change feed.
///
/// Two connections, each behind its own lock: `leases` for heartbeats and lease calls (a renewal must
/// never queue behind a 100k-account import), `data` for everything else. Both run on the store's
/// own one-thread event loop; callers block on them (see `StateStore` for why the API is synchronous).
public final class PostgresStore: ClusterStore, @unchecked Sendable {
    public var backendName: String { "postgresql" }
    public let options: PostgresStoreOptions
    let group: MultiThreadedEventLoopGroup
    let data: PostgresSession
    let leases: PostgresSession

    /// Connects, creates or migrates the schema, and returns the store. Fails with `unavailable`
    /// when the server cannot be reached (the daemon refuses to start without its state).
    public static func open(_ options: PostgresStoreOptions, logger: Logger? = nil) throws(StoreError) -> PostgresStore {
        let store = PostgresStore(options: options, logger: logger)
        do {
            try store.migrate()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    init(options: PostgresStoreOptions, logger: Logger?) {
        self.options = options
        var log = logger ?? Logger(label: "oracled.postgres")
        if logger == nil { log.logLevel = .error }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        data = PostgresSession(name: "data", options: options, eventLoop: loop, logger: log)
        leases = PostgresSession(name: "leases", options: options, eventLoop: loop, logger: log)
    }

    private let closed = NIOLockedValueBox(false)

    /// Closes both connections and stops the event loop. The store is unusable afterwards.
    public func close() {
        guard closed.withLockedValue({ was in defer { was = true }; return !was }) else { return }
        data.close()
        leases.close()
        try? group.syncShutdownGracefully()
    }

    deinit { close() }

    /// The advisory lock every change_log writer holds to COMMIT (another writer of the feed, a
    /// migration script say, must take it too).
    public static var changeLogLockKey: Int64 { AdvisoryLock.changeLog }

    /// Connections opened so far (1 per session plus reconnects): the restart test reads it.
    public var connectionsOpened: Int { data.opened + leases.opened }
}

/// Server-side Unix milliseconds of a timestamptz expression.
func epochMs(_ expression: String) -> String { "(extract(epoch from \(expression)) * 1000)::bigint" }

/// Advisory lock keys (one namespace, constants so every node takes the same ones).
enum AdvisoryLock {
    static let migrations: Int64 = 0x6f7261_0001
    /// Held from a change_log insert to COMMIT: change seqs are then in commit order, so a reader
    /// polling `seq > last` never skips a lower seq that committed late.
    static let changeLog: Int64 = 0x6f7261_0002
    static let clusterMeta: Int64 = 0x6f7261_0003
}

import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OracleStore
import PostgresNIO

/// One PostgreSQL connection behind a lock, opened on first use and re-opened on the next call after
/// it broke (the server restarted, a deadline closed it): while the server is down every call fails
/// at once with `StoreError(unavailable: true)`, and works again when it is back, without restarting
/// the daemon.
///
/// Synchronous over postgres-nio's EventLoopFuture API: the caller (an actor or task, never one of the
/// store's event-loop threads) waits on `.wait()`. Every wait is bounded: connecting by the connect
/// timeout, every statement by a client deadline one second past the server's `statement_timeout`,
/// after which the connection is closed (which fails the wait) and dropped.
final class PostgresSession: @unchecked Sendable {
    let name: String
    private let options: PostgresStoreOptions
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var connection: PostgresConnection?
    private var connectionsOpened = 0

    init(name: String, options: PostgresStoreOptions, eventLoop: any EventLoop, logger: Logger) {
        self.name = name
        self.options = options
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// How many connections this session opened (1 + reconnects), for tests and metrics.
    var opened: Int { lock.withLock { connectionsOpened } }

    /// Runs `body` on the connection, outside a transaction (each statement commits by itself).
    @discardableResult
    func run<T>(_ what: String, _ body: (PostgresLink) throws -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let link = try openLink(what)
        do {
            return try body(link)
        } catch {
            throw settle(error, what: what, link: link, inTransaction: false)
        }
    }

    /// Runs `body` between BEGIN and COMMIT; any error rolls back (nothing written) and is rethrown
    /// as a `StoreError` (a fencing refusal thrown by `body` keeps its `fencedShards`).
    @discardableResult
    func transaction<T>(_ what: String, _ body: (PostgresLink) throws -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let link = try openLink(what)
        do {
            try link.execute("BEGIN")
            let result = try body(link)
            try link.execute("COMMIT")
            return result
        } catch {
            throw settle(error, what: what, link: link, inTransaction: true)
        }
    }

    func close() {
        lock.withLock {
            if let connection { Self.closeQuietly(connection) }
            connection = nil
        }
    }

    deinit {
        // postgres-nio asserts that a connection is closed before it is released.
        if let connection { Self.closeQuietly(connection) }
    }

    // MARK: - Internals (called with `lock` held)

    private func openLink(_ what: String) throws(StoreError) -> PostgresLink {
        if let connection, !connection.isClosed {
            return PostgresLink(connection: connection, deadline: deadline, logger: logger)
        }
        if let connection { Self.closeQuietly(connection) }
        connection = nil
        let fresh = try connect(what)
        connection = fresh
        connectionsOpened += 1
        return PostgresLink(connection: fresh, deadline: deadline, logger: logger)
    }

    private var deadline: TimeAmount { .milliseconds(options.statementTimeoutMs + 1000) }

    private func connect(_ what: String) throws(StoreError) -> PostgresConnection {
        var config: PostgresConnection.Configuration
        switch options.endpoint {
        case .tcp(let host, let port):
            config = .init(host: host, port: port, username: options.user, password: options.password,
                           database: options.database, tls: .disable)
        case .unixSocket(let directory, let port):
            config = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: options.user,
                           password: options.password, database: options.database)
        }
        config.options.connectTimeout = .milliseconds(options.connectTimeoutMs)
        config.options.additionalStartupParameters = [
            ("statement_timeout", String(options.statementTimeoutMs)),
            // A node that dies inside a transaction must not keep its row locks for long.
            ("idle_in_transaction_session_timeout", String(max(options.statementTimeoutMs, 1000) * 2)),
            ("application_name", "oracled-\(name)"),
        ]
        let future = PostgresConnection.connect(on: eventLoop, configuration: config, id: connectionsOpened + 1, logger: logger)
        // The connect timeout covers the socket only: a server that accepted and then stopped
        // answering (paused) would hold authentication forever. A late connection is closed.
        let limitMs = options.connectTimeoutMs * 2
        do {
            return try Bounded.wait(future, ms: limitMs, on: eventLoop) { late in late.closeSoon() }
        } catch {
            let base = PostgresErrors.describe(error)
            let auth = PostgresErrors.isAuthentication(error)
            let hint = auth
                ? "check the user in [store] url and the password in [store] password_file or PGPASSWORD"
                : "check that PostgreSQL is running and [store] url points at it; retrying on the next call"
            throw StoreError("cannot connect to PostgreSQL at \(options.redacted) (\(what)): \(base); \(hint)",
                             unavailable: !auth)
        }
    }

    /// Turns `error` into a `StoreError`, rolling back a transaction on a connection that still
    /// works and dropping one that does not (the next call re-opens it).
    private func settle(_ error: any Error, what: String, link: PostgresLink, inTransaction: Bool) -> StoreError {
        let broken = PostgresErrors.breaksConnection(error) || link.connection.isClosed
        if !broken, inTransaction {
            do { try link.execute("ROLLBACK") } catch {
                dropConnection()
                return map(error, what: what)
            }
        }
        if broken { dropConnection() }
        return map(error, what: what)
    }

    private func map(_ error: any Error, what: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? StoreFailure { return StoreError(e.description) }
        if let e = error as? PostgresDeadlineExceeded {
            return StoreError("PostgreSQL at \(options.redacted) gave no answer within \(e.ms) ms (\(what)); the connection was closed and is re-opened on the next call",
                              unavailable: true)
        }
        let unavailable = PostgresErrors.isTransient(error)
        let hint = unavailable ? "retrying on the next call" : "this is a bug or a schema mismatch: report it with this message"
        return StoreError("PostgreSQL \(what) failed at \(options.redacted): \(PostgresErrors.describe(error)); \(hint)",
                          unavailable: unavailable)
    }

    private func dropConnection() {
        if let connection { Self.closeQuietly(connection) }
        connection = nil
    }

    private static func closeQuietly(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        // Closing a local channel does not wait on the server; bounded all the same.
        let done: EventLoopFuture<Void> = connection.close()
        _ = try? Bounded.wait(done, ms: 2000, on: connection.eventLoop, late: { (_: Void) in })
    }
}

/// The connection as the store's methods use it: statements with a client-side deadline.
struct PostgresLink {
    let connection: PostgresConnection
    let deadline: TimeAmount
    let logger: Logger

    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let conn = connection
        // Closing the channel fails the query; the connection is then dropped by the session.
        return try Bounded.wait(connection.query(query, logger: logger), ms: deadline.nanoseconds / 1_000_000,
                                on: connection.eventLoop, onTimeout: { conn.closeSoon() }, late: { _ in })
    }

    func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Rows affected by an UPDATE/DELETE/INSERT.
    func affected(_ q: PostgresQuery) throws -> Int {
        try query(q).metadata.rows ?? 0
    }
}

struct PostgresDeadlineExceeded: Error {
    let ms: Int64
}

/// Waiting on a future for at most `ms`: past that the wait fails with `PostgresDeadlineExceeded`,
/// `onTimeout` runs (closing the connection) and a value that still arrives goes to `late`.
enum Bounded {
    static func wait<T: Sendable>(_ future: EventLoopFuture<T>, ms: Int64, on eventLoop: any EventLoop,
                                  onTimeout: @escaping @Sendable () -> Void = {},
                                  late: @escaping @Sendable (T) -> Void) throws -> T {
        let promise = eventLoop.makePromise(of: T.self)
        let timer = eventLoop.scheduleTask(in: .milliseconds(ms)) {
            promise.fail(PostgresDeadlineExceeded(ms: ms))
            onTimeout()
            future.whenSuccess(late)
        }
        future.whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return try promise.futureResult.wait()
    }
}

extension PostgresConnection {
    /// Starts closing without waiting (the EventLoopFuture overload, not the async one).
    func closeSoon() {
        let _: EventLoopFuture<Void> = close()
    }
}

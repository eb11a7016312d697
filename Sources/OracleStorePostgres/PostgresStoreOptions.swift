/// Where and how `PostgresStore` connects: the parts of `[store]` after the URL was parsed and the
/// password read (from `password_file` or `PGPASSWORD`, never from the config's text).
public struct PostgresStoreOptions: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        /// `postgresql://USER@HOST:PORT/DB`
        case tcp(host: String, port: Int)
        /// `postgresql://USER@/DB?host=/run/postgresql`: the socket `DIR/.s.PGSQL.PORT`.
        case unixSocket(directory: String, port: Int)

        public var description: String {
            switch self {
            case .tcp(let host, let port): return "\(host):\(port)"
            case .unixSocket(let dir, let port): return "\(dir)/.s.PGSQL.\(port)"
            }
        }
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    public var password: String?
    /// Bound on opening a connection (TCP/socket connect plus authentication).
    public var connectTimeoutMs: Int64
    /// The server's `statement_timeout`; the client also gives up on an answer one second after it,
    /// so a server that stopped answering (paused, partitioned) cannot hold a caller forever.
    public var statementTimeoutMs: Int64

    public init(endpoint: Endpoint, user: String, database: String, password: String? = nil,
                connectTimeoutMs: Int64 = 3000, statementTimeoutMs: Int64 = 5000) {
        self.endpoint = endpoint
        self.user = user
        self.database = database
        self.password = password
        self.connectTimeoutMs = connectTimeoutMs
        self.statementTimeoutMs = statementTimeoutMs
    }

    /// Where the store connects, without the password (for logs and errors).
    public var redacted: String { "postgresql://\(user)@\(endpoint.description)/\(database)" }
}

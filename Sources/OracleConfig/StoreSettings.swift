/// `[store]`: where the daemon keeps its state. SQLite in `state_dir` (the default, one node) or a
/// PostgreSQL database shared by the nodes of a cluster.
public struct StoreSettings: Sendable, Equatable {
    public enum Backend: String, Sendable, CaseIterable {
        case sqlite
        case postgresql
    }

    public var backend: Backend = .sqlite
    /// Set when `backend = "postgresql"` (the loader refuses that backend without a valid url).
    public var postgres: PostgresURL?
    /// The file holding the PostgreSQL password (first line); without it, `PGPASSWORD` if set,
    /// else no password (peer or trust authentication on the socket).
    public var passwordFile: String?
    public var connectTimeoutMs: Int64 = 3000
    /// The server's `statement_timeout`; the client gives up one second after it.
    public var statementTimeoutMs: Int64 = 5000

    public init() {}
}

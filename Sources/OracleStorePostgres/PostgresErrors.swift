import NIOCore
import OracleStore
import PostgresNIO

/// How a postgres-nio failure is reported and whether it is worth retrying. postgres-nio's own
/// description hides everything (it may carry query parameters); we name the SQLSTATE and the
/// server's message, never the parameters.
enum PostgresErrors {
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PostgresDeadlineExceeded { return "no answer within \(e.ms) ms" }
        guard let e = error as? PSQLError else { return "\(error)" }
        if let info = e.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "server error"
            let detail = info[.detail].map { " (\($0))" } ?? ""
            return "SQLSTATE \(state): \(message)\(detail)"
        }
        let underlying = e.underlying.map { ": \($0)" } ?? ""
        return "\(e.code)\(underlying)"
    }

    /// Errors after which the connection cannot be used again: anything that is not an error
    /// answered by a working server.
    static func breaksConnection(_ error: any Error) -> Bool {
        if error is PostgresDeadlineExceeded { return true }
        guard let e = error as? PSQLError else {
            return !(error is PostgresDecodingError) && !(error is StoreFailure) && !(error is StoreError)
        }
        if e.code == .server {
            // admin_shutdown, crash_shutdown, cannot_connect_now, connection exceptions.
            let state = e.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        }
        return true
    }

    /// Worth a retry later (`StoreError.unavailable`): the server is down, restarting, overloaded,
    /// timed out, or a transaction lost a serialization race or a deadlock.
    static func isTransient(_ error: any Error) -> Bool {
        if breaksConnection(error) { return !isAuthentication(error) }
        guard let state = sqlState(error) else { return false }
        return state == "57014" || state == "40001" || state == "40P01" || state == "55P03" || state.hasPrefix("53")
    }

    static func isAuthentication(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError else { return false }
        if e.code == .authMechanismRequiresPassword || e.code == .unsupportedAuthMechanism || e.code == .saslError { return true }
        let state = e.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("28")
    }
}

/// A failure of the store's own checks inside a transaction (bad row data, a refused shard count):
/// the connection stays usable.
struct StoreFailure: Error, CustomStringConvertible {
    let description: String
}

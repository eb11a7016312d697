import Foundation
import Logging
import OracleConfig
import OracleStore
import OracleStorePostgres

/// Opens the store `[store]` names: SQLite in `state_dir` (the default, exactly as before `[store]`
/// existed) or PostgreSQL, whose password comes from `password_file` or `PGPASSWORD`.
enum StateStoreOpener {
    static func open(_ config: OracleConfiguration, logger: Logger) throws -> any StateStore {
        switch config.store.backend {
        case .sqlite:
            do { return try OracleDatabase.open(directory: config.daemon.stateDir) } catch { throw DaemonError("\(error)") }
        case .postgresql:
            let options = try postgresOptions(config.store, environment: ProcessInfo.processInfo.environment, readFile: readPasswordFile)
            do {
                let store = try PostgresStore.open(options)
                logger.info("state store: PostgreSQL at \(options.redacted)")
                return store
            } catch {
                throw DaemonError("\(error)")
            }
        }
    }

    /// `[store]` as connection options (pure: the file read and the environment are passed in).
    static func postgresOptions(_ store: StoreSettings, environment: [String: String],
                                readFile: (String) throws -> String) throws -> PostgresStoreOptions {
        guard let url = store.postgres else {
            throw DaemonError("[store] backend = \"postgresql\" needs url (the configuration loader should have refused this)")
        }
        var password: String?
        if let file = store.passwordFile {
            let text: String
            do { text = try readFile(file) } catch {
                throw DaemonError("[store] password_file \(file) cannot be read: \(error); create it (mode 0600, owned by the daemon's user) with the password on its first line")
            }
            // "\r\n" is one Character in Swift: split on any newline, not on "\n".
            let trimmed = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !trimmed.isEmpty else {
                throw DaemonError("[store] password_file \(file) is empty; write the password on its first line")
            }
            password = trimmed
        } else if let env = environment["PGPASSWORD"], !env.isEmpty {
            password = env
        }
        let endpoint: PostgresStoreOptions.Endpoint
        switch url.endpoint {
        case .tcp(let host, let port): endpoint = .tcp(host: host, port: port)
        case .unixSocket(let dir, let port): endpoint = .unixSocket(directory: dir, port: port)
        }
        return PostgresStoreOptions(endpoint: endpoint, user: url.user, database: url.database, password: password,
                                    connectTimeoutMs: store.connectTimeoutMs, statementTimeoutMs: store.statementTimeoutMs)
    }

    static func readPasswordFile(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }
}

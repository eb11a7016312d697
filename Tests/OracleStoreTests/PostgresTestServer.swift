import Foundation
import OracleStore
import OracleStorePostgres

/// A throwaway PostgreSQL for the store tests, started through scripts/pg-test-server.sh (the
/// script CI and the cluster end-to-end tests use too). One server per test process, stopped and
/// removed at exit; each test gets its own database, so tests run in parallel without sharing rows.
enum PostgresTestServer {
    struct Server: Sendable {
        let dir: String
        let port: Int
        let bin: String

        var url: String { "postgresql://postgres@/oracled?host=\(dir)&port=\(port)" }
        func options(database: String, statementTimeoutMs: Int64 = 5000) -> PostgresStoreOptions {
            PostgresStoreOptions(endpoint: .unixSocket(directory: dir, port: port), user: "postgres", database: database,
                                 connectTimeoutMs: 2000, statementTimeoutMs: statementTimeoutMs)
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg-test-server.sh").path

    /// The newest /usr/lib/postgresql/N/bin (or $PG_BIN), if the server binaries are installed.
    static let binDir: String? = {
        if let env = ProcessInfo.processInfo.environment["PG_BIN"], FileManager.default.isExecutableFile(atPath: env + "/initdb") { return env }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }()

    static let skipReason = "PostgreSQL server binaries are not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql to run the PostgreSQL store tests"

    static var available: Bool { binDir != nil }

    /// The shared server, started on first use.
    static let shared: Result<Server, TestServerError> = {
        guard available else { return .failure(TestServerError(message: skipReason)) }
        let dir = "/tmp/oracled-pgtest-\(getpid())"
        do {
            let server = try start(dir: dir)
            atexit {
                if case .success(let s) = PostgresTestServer.shared {
                    PostgresTestServer.stop(dir: s.dir)
                    try? FileManager.default.removeItem(atPath: s.dir)
                }
            }
            return .success(server)
        } catch let e as TestServerError {
            return .failure(e)
        } catch {
            return .failure(TestServerError(message: "\(error)"))
        }
    }()

    /// Starts (or restarts, keeping data and port) the server under `dir`.
    static func start(dir: String) throws -> Server {
        let (status, out, err) = run(["/bin/bash", script, "start", dir])
        guard status == 0 else { throw TestServerError(message: "pg-test-server.sh start \(dir) failed (\(status)): \(err)\(out)") }
        guard let port = Int((try String(contentsOfFile: dir + "/port", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestServerError(message: "no port file in \(dir)")
        }
        return Server(dir: dir, port: port, bin: binDir ?? "")
    }

    static func stop(dir: String) {
        _ = run(["/bin/bash", script, "stop", dir])
    }

    /// A new empty database on the shared server, and options to open a store on it.
    static func freshDatabase(statementTimeoutMs: Int64 = 5000) throws -> PostgresStoreOptions {
        let server = try shared.get()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try createDatabase(String(name), on: server)
        return server.options(database: String(name), statementTimeoutMs: statementTimeoutMs)
    }

    static func createDatabase(_ name: String, on server: Server) throws {
        let (status, out, err) = run([server.bin + "/psql", "-h", server.dir, "-p", String(server.port), "-U", "postgres", "-d", "postgres",
                                      "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)"])
        guard status == 0 else { throw TestServerError(message: "CREATE DATABASE \(name) failed: \(err)\(out)") }
    }

    /// Runs SQL through psql (as the superuser, on the socket) and returns its unaligned output.
    static func psql(_ sql: String, database: String, on server: Server) throws -> String {
        let (status, out, err) = run([server.bin + "/psql", "-h", server.dir, "-p", String(server.port), "-U", "postgres", "-d", database,
                                      "-v", "ON_ERROR_STOP=1", "-tAqc", sql])
        guard status == 0 else { throw TestServerError(message: "psql failed: \(err)") }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a command to completion: posix_spawn and waitpid, output through temporary files.
    /// (Foundation's Process.waitUntilExit hung here when called during a static initialiser.)
    static func run(_ argv: [String]) -> (Int32, String, String) {
        let tag = "/tmp/oracled-pgrun-\(getpid())-\(UUID().uuidString.prefix(8))"
        let outPath = tag + ".out", errPath = tag + ".err"
        defer { unlink(outPath); unlink(errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
        guard rc == 0 else { return (-1, "", "posix_spawn \(argv[0]) failed: \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), out, err)
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

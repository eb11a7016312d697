import ArgumentParser
import Foundation
import Logging
import OracleDaemon
import OracleSystem

extension Oracled {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the daemon in the foreground (systemd: Type=notify).")

        @Option(name: .shortAndLong, help: "Path to oracles.toml.")
        var config: String = "/etc/oracled/oracles.toml"

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        @Option(help: ArgumentHelp(
            "Where log lines go: journald with fields, or stderr.",
            discussion: "auto writes to journald with fields (ACCOUNT=, PAIR=, LEVEL=, NOTICE_ID=, SOURCE=) when systemd connected stderr to the journal (JOURNAL_STREAM) or ORACLED_JOURNAL_SOCKET names a journal socket, and plain lines to stderr otherwise."))
        var logTarget: LogTarget = .auto

        @Option(help: "Also record every venue response to this tape (see `oracled replay`, docs/replay.md).")
        var record: String?

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            // The executable decides where logs go (stderr → the journal under systemd); libraries only emit.
            // Under systemd, the native journal protocol carries the metadata as fields.
            let environment = ProcessInfo.processInfo.environment
            if let journal = logTarget.journal(environment: environment) {
                LoggingSystem.bootstrap { label in
                    var h = JournalLogHandler(label: label, writer: journal)
                    h.logLevel = level
                    return h
                }
            } else {
                LoggingSystem.bootstrap { label in
                    var h = StreamLogHandler.standardError(label: label)
                    h.logLevel = level
                    return h
                }
            }
            let logger = Logger(label: "oracled")
            // A peer closing a socket mid-write must not kill the daemon (libcurl runs with NOSIGNAL).
            signal(SIGPIPE, SIG_IGN)
            do {
                try await DaemonRunner.run(configPath: config, logger: logger, recordPath: record)
            } catch let error as DaemonError {
                FileHandle.standardError.write(Data("oracled: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

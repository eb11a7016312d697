import ArgumentParser
import Foundation
import Logging
import OracleDaemon

extension Oracled {
    /// Wiring only: the loop and the tape live in OracleDaemon's `RecordRunner` and `TapeRecorder`.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch the configured venues and record every response to a tape until SIGINT/SIGTERM (no API, no margin desk).")

        @Option(name: .shortAndLong, help: "Path to oracles.toml (its sources and pairs).")
        var config: String = "/etc/oracled/oracles.toml"

        @Option(help: "The tape to write (an existing tape is continued).")
        var out: String

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return h
            }
            signal(SIGPIPE, SIG_IGN)
            do {
                try await RecordRunner.run(configPath: config, tapePath: out, logger: Logger(label: "oracled"))
            } catch let error as DaemonError {
                FileHandle.standardError.write(Data("oracled record: \(error.description)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

import ArgumentParser
import Foundation
import OracleConfig

extension Oracled {
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate an oracles.toml; exit 0 when valid, 1 with every problem listed otherwise.",
            discussion: """
                Warnings (a [[source]] no pair uses; a pair whose distinct, quotable sources cannot reach \
                min_sources) are printed to standard error as FILE:LINE: warning: …; they do not change the \
                exit status unless --strict is given.
                """)

        @Argument(help: "Path to oracles.toml.")
        var file: String

        @Flag(help: "Exit 2 when the file is valid but has warnings (for CI and deployment checks).")
        var strict = false

        func run() throws {
            let checked: (configuration: OracleConfiguration, warnings: [ConfigWarning])
            do {
                checked = try ConfigLoader.check(path: file)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
            let c = checked.configuration
            for warning in checked.warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
            let noted = checked.warnings.isEmpty ? "" : ", \(checked.warnings.count) warning\(checked.warnings.count == 1 ? "" : "s")"
            print("\(file): OK — \(c.sources.count) sources, \(c.pairs.count) pairs (\(c.pairs.map(\.symbol).joined(separator: ", "))), margin model \(c.margin.model.rawValue)\(noted)")
            if strict && !checked.warnings.isEmpty { throw ExitCode(2) }
        }
    }
}

import ArgumentParser
import Foundation
import OracleConfig

extension Oracled {
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Validate an oracles.toml; exit 0 when valid, 1 with every problem listed otherwise.")

        @Argument(help: "Path to oracles.toml.")
        var file: String

        func run() throws {
            do {
                let c = try ConfigLoader.load(path: file)
                print("\(file): OK — \(c.sources.count) sources, \(c.pairs.count) pairs (\(c.pairs.map(\.symbol).joined(separator: ", "))), margin model \(c.margin.model.rawValue)")
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

import ArgumentParser
import Foundation
import OracleDaemon

extension Oracled {
    /// Wiring only: the replay lives in OracleDaemon's `TapeReplay` and `ReplayRunner` (docs/replay.md).
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay a tape through the aggregation and the margin trigger on the tape's clock; rebuild its volatility surfaces; write marks, notices, vol surfaces, summary and report.html into DIR.")

        @Argument(help: "The tape (from `oracled record` or `oracled run --record`).")
        var tape: String

        @Option(name: .shortAndLong, help: "Path to oracles.toml (its sources, pairs and [margin] settings).")
        var config: String

        @Option(help: "Accounts, one JSON object per line (as `oraclectl accounts import`); without it no trigger runs.")
        var accounts: String?

        @Option(help: "Output directory (created if missing).")
        var out: String

        func run() throws {
            do {
                let o = try ReplayRunner.run(tapePath: tape, configPath: config, accountsPath: accounts, outDir: out)
                if let t = o.tornTail {
                    FileHandle.standardError.write(Data("oracled replay: \(tape): offset \(t.offset): torn last record ignored (\(t.reason)); the tape ends before it\n".utf8))
                }
                print("replayed \(o.responses) responses over \(o.cycles) cycles, \(o.notices) notices; wrote marks.jsonl, notices.jsonl, vol.jsonl, summary.json and report.html in \(o.outDir)")
            } catch {
                FileHandle.standardError.write(Data("oracled replay: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

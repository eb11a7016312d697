import ArgumentParser
import Foundation
import OracleDaemon

extension Oracled {
    /// Wiring only: the replay, the statistics and the report live in OracleCore's `Backtest` and
    /// OracleDaemon's `BacktestRunner` (docs/backtesting.md).
    struct Backtest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backtest",
            abstract: "Replay a price history through the margin model and level machine; write DIR/report.json and DIR/report.html.")

        @Option(help: "Path to oracles.toml (its [margin] policy, pairs and collateral).")
        var config: String
        @Option(help: "Price history CSV: pair,timestamp,price (Unix s/ms or RFC 3339).")
        var history: String
        @Option(help: "Accounts, one JSON object per line (as `oraclectl accounts import`).")
        var accounts: String
        @Option(help: "Output directory (created if missing).")
        var out: String

        func run() throws {
            do {
                let outcome = try BacktestRunner.run(configPath: config, historyPath: history, accountsPath: accounts, outDir: out)
                for r in outcome.results {
                    print("\(r.id): \(r.observations) observations, \(r.exceedances) exceedances, kupiec_p \(r.kupiecP), christoffersen_p \(r.christoffersenP), traffic_light \(r.trafficLight.rawValue)")
                }
                print("wrote \(outcome.jsonPath) and \(outcome.htmlPath)")
            } catch {
                FileHandle.standardError.write(Data("oracled backtest: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

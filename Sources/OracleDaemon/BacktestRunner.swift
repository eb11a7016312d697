import Foundation
import OracleConfig
import OracleCore

/// `oracled backtest`: reads the config, the price history and the accounts, runs the pure
/// `Backtest` engine and writes `report.json` and `report.html` (docs/backtesting.md).
///
/// All I/O of the command is here so that the subcommand only parses arguments; the report text is
/// built by `BacktestReport` from values alone, so the same inputs give byte-identical files.
public enum BacktestRunner {
    /// What was written, for the command's one-line summary.
    public struct Outcome: Sendable {
        public var results: [BacktestResult]
        public var jsonPath: String
        public var htmlPath: String
    }

    public static func run(configPath: String, historyPath: String, accountsPath: String, outDir: String) throws(BacktestError) -> Outcome {
        let config: OracleConfiguration
        do { config = try ConfigLoader.load(path: configPath) } catch { throw BacktestError("\(error)") }
        let universe = MarginUniverse(policy: config.margin, collateral: config.collateral, pairs: config.pairs)
        let points: [PriceHistoryCSV.Point]
        do {
            points = try PriceHistoryCSV.parse(try read(historyPath, what: "price history"), file: historyPath,
                                               knownPairs: Set(universe.knownPairs))
        } catch let e as PriceHistoryCSV.ParseError {
            throw BacktestError("\(e); nothing was written")
        } catch {
            throw BacktestError("\(error)")
        }
        guard !points.isEmpty else {
            throw BacktestError("\(historyPath): no prices; write lines pair,timestamp,price (e.g. BTC-USD,2024-03-25T00:00:00Z,67210.5)")
        }
        let accounts = try readAccounts(accountsPath, universe: universe)
        let report = BacktestReport(universe: universe, points: points,
                                    results: Backtest.run(universe: universe, points: points, accounts: accounts))
        let json = (outDir as NSString).appendingPathComponent("report.json")
        let html = (outDir as NSString).appendingPathComponent("report.html")
        do {
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            try Data(report.json().utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
            try Data(report.html().utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
        } catch {
            throw BacktestError("cannot write the report to \(outDir): \(error.localizedDescription); check the directory is writable")
        }
        return Outcome(results: report.results, jsonPath: json, htmlPath: html)
    }

    static func read(_ path: String, what: String) throws(BacktestError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BacktestError("\(path): cannot read the \(what) (missing or not readable); check the path")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// One account per line (blank lines and `#` comments skipped); an error names file and line.
    /// `allowOptions`: `oracled replay` values options on the replayed surfaces; the back-test cannot.
    static func readAccounts(_ path: String, universe: MarginUniverse, allowOptions: Bool = false) throws(BacktestError) -> [Account] {
        var out: [Account] = []
        var seen: Set<String> = []
        let text = try read(path, what: "accounts")
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let account: Account
            do { account = try AccountJSON.decode(line, universe: universe) } catch {
                throw BacktestError("\(path):\(i + 1): \(error); fix the account (one JSON object per line)")
            }
            // The back-test replays closing prices only: an option's P&L also depends on the volatility
            // path, which a price history does not hold, so its VaR could not be judged honestly.
            if !allowOptions, let o = account.positions.first(where: { $0.option != nil })?.option {
                throw BacktestError("\(path):\(i + 1): account \"\(account.id)\" holds the option \(o.venueName); the back-test replays prices only and cannot value options (no volatility history); back-test its linear positions in a separate account")
            }
            guard seen.insert(account.id).inserted else {
                throw BacktestError("\(path):\(i + 1): duplicate account id \"\(account.id)\"; ids must be unique")
            }
            out.append(account)
        }
        guard !out.isEmpty else { throw BacktestError("\(path): no accounts; write one account JSON object per line") }
        return out
    }
}

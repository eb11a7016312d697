import ArgumentParser
import Foundation
import OracleCore

extension Oracled {
    /// Wiring only: parsing, checks and formulas live in OracleCore's `OptionCheck` and `Black76`
    /// (docs/options.md). Bad input exits 64 (EX_USAGE) with the offending option named.
    struct OptionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "option",
            abstract: "Price a European option under Black-76 and print its Greeks, to check the daemon's numbers by hand.")

        @Option(help: "call or put.")
        var right: String
        @Option(help: "Strike in USD.")
        var strike: String
        @Option(help: "Expiry, RFC 3339 (2026-12-25T08:00:00Z) or a date (08:00 UTC that day).")
        var expiry: String
        @Option(help: "Forward (the oracle's mark) in USD.")
        var forward: String
        @Option(help: "Volatility as a fraction: 0.4543 for 45.43 %.")
        var vol: String
        @Option(help: "Valuation time, RFC 3339.")
        var at: String
        @Option(help: "Continuously compounded rate as a fraction (default 0).")
        var rate: String = "0"
        @Flag(help: "Print one JSON object: price, delta, gamma, vega, theta, rho, years.")
        var json = false

        func run() throws {
            do {
                let check = try OptionCheck(right: right, strike: strike, expiry: expiry, forward: forward, vol: vol, at: at, rate: rate)
                print(json ? check.json() : check.text())
            } catch {
                FileHandle.standardError.write(Data("oracled option: \(error)\n".utf8))
                throw ExitCode(64)
            }
        }
    }
}

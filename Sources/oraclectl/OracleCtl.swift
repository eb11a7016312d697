import ArgumentParser

/// `oraclectl`: the operator's client for oracled's Unix-socket API.
@main
struct OracleCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oraclectl",
        abstract: "Ask a running oracled for prices, health, accounts and margin calls.",
        discussion: """
            Global options go before or after the subcommand: `oraclectl --socket S price BTC-USD` is \
            `oraclectl price BTC-USD --socket S`.

            --socket <path>: oracled's Unix socket. Default: $ORACLED_SOCKET, else [daemon] socket in \
            ./oracles.toml, else in /etc/oracled/oracles.toml, else /run/oracled/oracled.sock.

            --json: print the daemon's JSON verbatim (history and --follow: one notice per line).

            Exit status is 1 on any error, 64 on a usage error.
            """,
        subcommands: [
            Price.self, Prices.self, Health.self, Reload.self, Watch.self,
            Accounts.self, Calls.self, Hold.self, WhatIf.self, History.self, Calibration.self, Cluster.self,
        ]
    )

    /// Moves global options written before the subcommand to after it (see `GlobalArguments`).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if GlobalArguments.lacksSubcommand(arguments) {
            exit(withError: ValidationError("global options need a subcommand after them, e.g. oraclectl \(arguments.joined(separator: " ")) prices; see oraclectl --help"))
        }
        await main(GlobalArguments.hoist(arguments, root: OracleCtl.self))
    }
}

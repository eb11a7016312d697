import ArgumentParser

/// `oraclectl`: the operator's client for oracled's Unix-socket API.
@main
struct OracleCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oraclectl",
        abstract: "Ask a running oracled for prices, health, accounts and margin calls.",
        discussion: """
            The socket is --socket, else $ORACLED_SOCKET, else [daemon] socket in ./oracles.toml, \
            else in /etc/oracled/oracles.toml, else /run/oracled/oracled.sock. \
            --json prints the daemon's JSON verbatim. Exit status is 1 on any error.
            """,
        subcommands: [
            Price.self, Prices.self, Health.self, Reload.self, Watch.self,
            Accounts.self, Calls.self, Hold.self, WhatIf.self, History.self, Calibration.self,
        ]
    )
}

import ArgumentParser

@main
struct Oracled: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oracled",
        abstract: "Robust price oracle and margin trigger daemon.",
        subcommands: [Run.self, CheckConfig.self, Probe.self, Backtest.self, Record.self, Replay.self, OptionCommand.self],
        defaultSubcommand: nil)
}

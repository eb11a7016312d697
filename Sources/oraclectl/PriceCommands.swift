import ArgumentParser

/// `oraclectl price PAIR`: one mark with per-source verdicts.
struct Price: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the current mark of one pair and why each source was used or not.")

    @Argument(help: ArgumentHelp("Pair symbol, BASE-QUOTE (e.g. BTC-USD).", valueName: "pair"))
    var pair: PairSymbol

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.call("GET", "/v1/prices/" + pathSegment(pair.value), render: Render.mark)
    }
}

/// `oraclectl prices`: every mark, one row per pair.
struct Prices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the current mark of every pair.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.call("GET", "/v1/prices", render: Render.marks)
    }
}

/// `oraclectl watch PAIR`: follows the NDJSON update stream until interrupted.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print one line per price update of a pair until interrupted (Ctrl-C).")

    @Argument(help: ArgumentHelp("Pair symbol, BASE-QUOTE (e.g. BTC-USD).", valueName: "pair"))
    var pair: PairSymbol

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let json = options.json
        let reply = try options.client(timeout: nil).streamLines("/v1/prices/stream?pair=" + pathSegment(pair.value)) { line in
            if json {
                GlobalOptions.printFlushed(line)
            } else if let value = try? JSONValue.parse(line) {
                GlobalOptions.printFlushed(Render.update(value))
            } else {
                GlobalOptions.printFlushed(line)
            }
        }
        try GlobalOptions.checkStatus(reply)
    }
}

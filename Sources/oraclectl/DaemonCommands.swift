import ArgumentParser

/// `oraclectl health`: overall status, then sources and pairs.
struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the daemon's overall, per-source and per-pair health.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.call("GET", "/v1/health", render: Render.health)
    }
}

/// `oraclectl reload`: same as sending SIGHUP to the daemon.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask the daemon to reload its configuration (like SIGHUP).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.call("POST", "/v1/reload", body: [], contentType: "application/json")
    }
}

/// `oraclectl whatif --shock BTC-USD=-0.2 --vol-shock BTC=+0.3 …`: values all accounts under
/// hypothetical price moves and implied-volatility moves (σ × (1 + s) on a `[[vol]]` underlying).
struct WhatIf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Show which accounts would breach under price and volatility shocks (relative moves, -0.2 = -20%)."
    )

    @Option(name: .customLong("shock"), help: ArgumentHelp("PAIR=MOVE, repeatable (e.g. BTC-USD=-0.2).", valueName: "pair=move"))
    var shocks: [String] = []

    @Option(name: .customLong("vol-shock"),
            help: ArgumentHelp("UNDERLYING=MOVE, repeatable: every implied volatility of that [[vol]] underlying (or pair) × (1 + MOVE), e.g. BTC=+0.3.",
                               valueName: "underlying=move"))
    var volShocks: [String] = []

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard !shocks.isEmpty || !volShocks.isEmpty else {
            throw ValidationError("give at least one --shock PAIR=MOVE (e.g. --shock BTC-USD=-0.2) or --vol-shock UNDERLYING=MOVE (e.g. --vol-shock BTC=+0.3)")
        }
        for shock in shocks { _ = try Self.parse(shock) }
        for shock in volShocks { _ = try Self.parseVol(shock) }
    }

    /// Splits `BTC=+0.3` into the underlying as written (the daemon resolves it against `[[vol]]`)
    /// and the move; a volatility move must be > -1 (σ stays positive).
    static func parseVol(_ shock: String) throws -> (String, String) {
        guard let eq = shock.firstIndex(of: "="), eq != shock.startIndex else {
            throw ValidationError("--vol-shock \(shock) must be UNDERLYING=MOVE, e.g. BTC=+0.3")
        }
        let move = String(shock[shock.index(after: eq)...])
        guard let number = Double(move), number.isFinite, number > -1 else {
            throw ValidationError("--vol-shock \(shock): move must be a number > -1 (a relative change of σ, +0.3 = σ × 1.3)")
        }
        return (String(shock[..<eq]).uppercased(), move)
    }

    /// Splits `BTC-USD=-0.2` into a canonical pair and the move as written (decimals travel as strings).
    static func parse(_ shock: String) throws -> (String, String) {
        guard let eq = shock.firstIndex(of: "="),
              let pair = PairSymbol(argument: String(shock[..<eq])) else {
            throw ValidationError("--shock \(shock) must be PAIR=MOVE, e.g. BTC-USD=-0.2")
        }
        let move = String(shock[shock.index(after: eq)...])
        guard let number = Double(move), number.isFinite, number >= -1 else {
            throw ValidationError("--shock \(shock): move must be a number ≥ -1 (a relative change, -0.2 = -20%)")
        }
        return (pair.value, move)
    }

    func run() throws {
        var fields: [(String, JSONValue)] = []
        for shock in shocks {
            let (pair, move) = try Self.parse(shock)
            fields.removeAll { $0.0 == pair }
            fields.append((pair, .string(move)))
        }
        var volFields: [(String, JSONValue)] = []
        for shock in volShocks {
            let (underlying, move) = try Self.parseVol(shock)
            volFields.removeAll { $0.0 == underlying }
            volFields.append((underlying, .string(move)))
        }
        var request: [(String, JSONValue)] = [("shocks", .object(fields))]
        if !volFields.isEmpty { request.append(("vol_shocks", .object(volFields))) }
        let body = JSONValue.object(request).rendered
        try options.call("POST", "/v1/whatif", body: Array(body.utf8), contentType: "application/json")
    }
}

/// `oraclectl history import FILE.csv`: uploads recorded prices for the portfolio risk model.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage price history used by the portfolio model.",
        subcommands: [Import.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a CSV file of historical prices.")

        @Argument(help: ArgumentHelp("CSV file to upload.", valueName: "file.csv"))
        var file: String

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let body = try readFile(file)
            try options.call("POST", "/v1/history/import", body: body, contentType: "text/csv")
        }
    }
}

/// `oraclectl calibration`: the live VaR back-test, book summary then one row per account.
struct Calibration: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the VaR back-test: Kupiec and Christoffersen p-values and the Basel traffic light per account.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.call("GET", "/v1/calibration", render: Render.calibration)
    }
}

import Testing
@testable import OracleConfig

/// Small valid building blocks; tests splice one bad line into them and check that the error
/// names exactly that line.
enum Fixture {
    static let sources = """
    [[source]]
    name = "coinbase"
    kind = "coinbase"

    [[source]]
    name = "kraken"
    kind = "kraken"

    [[source]]
    name = "binance"
    kind = "binance"
    """

    static let usdt = """
    [[pair]]
    symbol = "USDT-USD"
    maintenance_margin = 0.02
    initial_margin = 0.04
    min_sources = 2
    sources = [
      { source = "kraken", symbol = "USDTUSD" },
      { source = "coinbase", symbol = "USDT-USD" },
    ]
    """

    static let btc = """
    [[pair]]
    symbol = "BTC-USD"
    maintenance_margin = 0.05
    initial_margin = 0.10
    min_sources = 2
    sources = [
      { source = "coinbase", symbol = "BTC-USD" },
      { source = "binance",  symbol = "BTCUSDT", convert = "USDT-USD" },
    ]
    """

    /// A complete valid configuration built from sections; empty sections are left out.
    static func config(daemon: String = "", aggregation: String = "", sources: String = Fixture.sources,
                       pairs: String = Fixture.usdt + "\n\n" + Fixture.btc, collateral: String = "",
                       margin: String = "") -> String {
        var parts: [String] = []
        if !daemon.isEmpty { parts.append("[daemon]\n" + daemon) }
        if !aggregation.isEmpty { parts.append("[aggregation]\n" + aggregation) }
        parts.append(sources)
        parts.append(pairs)
        if !collateral.isEmpty { parts.append(collateral) }
        if !margin.isEmpty { parts.append("[margin]\n" + margin) }
        return parts.joined(separator: "\n\n") + "\n"
    }
}

/// The 1-based line of the first line of `text` containing `marker`, for asserting that an
/// error points at the line a test planted its mistake on.
func line(of marker: String, in text: String, occurrence: Int = 1) -> Int? {
    var seen = 0
    for (n, l) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where l.contains(marker) {
        seen += 1
        if seen == occurrence { return n + 1 }
    }
    return nil
}

/// Parses text that must be rejected and returns its problems (records a failure otherwise).
func problems(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigError.Problem] {
    do {
        _ = try ConfigLoader.parse(text, file: "oracles.toml")
        Issue.record("expected the configuration to be rejected", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.problems
    }
}

/// Parses text that must be accepted.
func accepted(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> OracleConfiguration {
    do {
        return try ConfigLoader.parse(text, file: "oracles.toml")
    } catch {
        Issue.record("unexpected rejection:\n\(error.description)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Asserts exactly one problem, on the line of `marker`, with `key`, whose message contains `fragment`.
@discardableResult
func expectSingleProblem(_ text: String, at marker: String, occurrence: Int = 1, key: String, code: ConfigError.Code,
                         mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError.Problem? {
    let found = problems(text, sourceLocation: sourceLocation)
    #expect(found.count == 1, "expected one problem, got:\n\(found.map(\.description).joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    guard let problem = found.first else { return nil }
    #expect(problem.line == line(of: marker, in: text, occurrence: occurrence), "wrong line in: \(problem.description)", sourceLocation: sourceLocation)
    #expect(problem.key == key, "wrong key in: \(problem.description)", sourceLocation: sourceLocation)
    #expect(problem.code == code, "wrong code in: \(problem.description)", sourceLocation: sourceLocation)
    #expect(problem.message.contains(fragment), "message lacks \"\(fragment)\": \(problem.description)", sourceLocation: sourceLocation)
    return problem
}

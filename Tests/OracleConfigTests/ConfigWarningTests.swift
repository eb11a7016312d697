import Testing
@testable import OracleConfig

/// `oracled check-config` warnings (issue 11): a `[[source]]` no pair uses, and a pair whose
/// distinct, quotable sources cannot reach `min_sources`. Each names the file, the line the test
/// planted the problem on, the key, and what to do.
@Suite struct ConfigWarningTests {
    static func warnings(_ text: String) throws -> [ConfigWarning] {
        try ConfigLoader.parseWithWarnings(text, file: "oracles.toml").warnings
    }

    @Test func theFixtureHasNoWarnings() throws {
        #expect(try Self.warnings(Fixture.config()).isEmpty)
    }

    @Test func aSourceNoPairUsesIsNamedOnItsNameLine() throws {
        let text = Fixture.config(sources: Fixture.sources + "\n\n[[source]]\nname = \"bitstamp\"\nkind = \"bitstamp\"\n")
        let w = try Self.warnings(text)
        #expect(w.count == 1)
        let first = try #require(w.first)
        #expect(first.code == .unusedSource)
        #expect(first.line == line(of: "name = \"bitstamp\"", in: text))
        #expect(first.section == "[[source]] bitstamp" && first.key == "name")
        #expect(first.description.hasPrefix("oracles.toml:\(first.line!): warning: [[source]] bitstamp: name: "))
        #expect(first.message.contains("delete this [[source]] block"))
    }

    @Test func twoNamesForOneVenueCountOnce() throws {
        // coinbase-eu is coinbase again (same kind, same default base URL): BTC-USD has 2 entries,
        // min_sources = 2, but only one venue behind them.
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"coinbase-eu\"\nkind = \"coinbase\"\n"
        let btc = """
        [[pair]]
        symbol = "BTC-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        min_sources = 2
        sources = [
          { source = "coinbase", symbol = "BTC-USD" },
          { source = "coinbase-eu", symbol = "BTC-USD" },
        ]
        """
        let text = Fixture.config(sources: sources, pairs: Fixture.usdt + "\n\n" + btc)
        let w = try Self.warnings(text).filter { $0.code == .quorumUnreachable }
        #expect(w.count == 1)
        let first = try #require(w.first)
        #expect(first.section == "[[pair]] BTC-USD" && first.key == "min_sources")
        #expect(first.line == line(of: "min_sources = 2", in: text, occurrence: 2))
        #expect(first.message.contains("only 1 distinct venue"), "\(first.message)")
        #expect(first.message.contains("\"coinbase-eu\" polls the same venue as \"coinbase\""), "\(first.message)")
        #expect(first.message.contains("set min_sources = 1"), "\(first.message)")
        // binance is now unused too.
        #expect(try Self.warnings(text).contains { $0.code == .unusedSource && $0.section == "[[source]] binance" })
    }

    @Test func aConvertThroughAPairThatCanNeverBeOkDoesNotCount() throws {
        // USDT-USD lists two names for one kraken venue with min_sources = 2: never ok. BTC-USD's
        // binance entry converts through it, so BTC-USD has one quotable venue for min_sources = 2.
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"kraken2\"\nkind = \"kraken\"\n"
        let usdt = Fixture.usdt.replacingOccurrences(of: "{ source = \"coinbase\", symbol = \"USDT-USD\" }",
                                                    with: "{ source = \"kraken2\", symbol = \"USDTUSD\" }")
        let text = Fixture.config(aggregation: "min_sources = 2", sources: sources, pairs: usdt + "\n\n" + Fixture.btc)
        let w = try Self.warnings(text).filter { $0.code == .quorumUnreachable }
        #expect(w.map(\.section) == ["[[pair]] USDT-USD", "[[pair]] BTC-USD"])
        let btc = try #require(w.last)
        #expect(btc.message.contains("\"binance\" converts through USDT-USD, whose mark can never be ok"), "\(btc.message)")
        #expect(btc.message.contains("only 1 distinct venue"), "\(btc.message)")
    }

    @Test func theInheritedMinSourcesIsPointedAtOnTheSourcesLine() throws {
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"kraken-again\"\nkind = \"kraken\"\nbase_url = \"https://api.kraken.com/\"\n"
        let pair = """
        [[pair]]
        symbol = "ETH-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        sources = [
          { source = "kraken", symbol = "ETHUSD" },
          { source = "kraken-again", symbol = "ETHUSD" },
          { source = "coinbase", symbol = "ETH-USD" },
        ]
        """
        let text = Fixture.config(aggregation: "min_sources = 3", sources: sources, pairs: Fixture.usdt + "\n\n" + Fixture.btc + "\n\n" + pair)
        let w = try Self.warnings(text).filter { $0.code == .quorumUnreachable }
        let first = try #require(w.first)
        #expect(w.count == 1)
        #expect(first.key == "sources" && first.line == line(of: "sources = [", in: text, occurrence: 3))
        #expect(first.message.contains("[aggregation] min_sources = 3"), "\(first.message)")
        #expect(first.message.contains("only 2 distinct venues"), "\(first.message)")
    }

    @Test func theShippedConfigurationHasNoWarnings() throws {
        let checked = try ConfigLoader.check(path: ShippedConfigTests.root + "/oracles.toml")
        #expect(checked.warnings.isEmpty, "\(checked.warnings.map(\.description).joined(separator: "\n"))")
    }
}

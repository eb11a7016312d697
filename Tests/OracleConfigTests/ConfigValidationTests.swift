import Foundation
import Testing
import OracleCore
@testable import OracleConfig

/// Each validation rule: the error names the right line, section and key and says what to do.
@Suite struct ConfigValidationTests {
    @Test func baseFixtureIsValid() throws {
        let config = try accepted(Fixture.config())
        #expect(config.pairs.map(\.symbol) == ["USDT-USD", "BTC-USD"])
    }

    @Test func syntaxErrorCarriesTheParsersLine() {
        let text = Fixture.config(daemon: "socket = \"./x.sock\"\npoll_interval = \"1s\nuser_agent = \"x\"")
        let found = problems(text)
        #expect(found.count == 1)
        #expect(found.first?.code == .syntax)
        #expect(found.first?.line == line(of: "poll_interval", in: text))
        #expect(found.first?.description.hasPrefix("oracles.toml:\(line(of: "poll_interval", in: text) ?? 0): ") == true)
    }

    @Test func nulByteIsRejectedNotTruncated() {
        let text = Fixture.config() + "\0[daemon]\n"
        let found = problems(text)
        #expect(found.first?.code == .syntax)
        #expect(found.first?.message.contains("NUL") == true)
    }

    @Test func unknownKeyInAggregationSuggestsTheRealOne() {
        let text = Fixture.config(aggregation: "max_age = \"30s\"\nmin_source = 3")
        let problem = expectSingleProblem(text, at: "min_source", key: "min_source", code: .unknownKey, mentioning: "did you mean min_sources?")
        #expect(problem?.section == "[aggregation]")
        #expect(problem?.description == "oracles.toml:\(line(of: "min_source", in: text) ?? 0): [aggregation]: min_source: unknown key; did you mean min_sources?")
    }

    @Test func unknownKeyInsidePairSourceInlineTable() {
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "convert = \"USDT-USD\"", with: "convrt = \"USDT-USD\"")
        let text = Fixture.config(pairs: pairs)
        expectSingleProblem(text, at: "convrt", key: "sources[1].convrt", code: .unknownKey, mentioning: "did you mean convert?")
    }

    @Test func keyInTheWrongSectionIsPointedHome() {
        let text = "poll_interval = \"1s\"\n" + Fixture.config()
        expectSingleProblem(text, at: "poll_interval", key: "poll_interval", code: .unknownKey, mentioning: "belongs in [daemon]")
    }

    @Test func unknownTopLevelTable() {
        let text = Fixture.config() + "\n[[sources]]\nname = \"x\"\n"
        expectSingleProblem(text, at: "[[sources]]", key: "sources", code: .unknownKey, mentioning: "did you mean source?")
    }

    @Test func integersAreAcceptedWhereFloatsAreNeeded() throws {
        let text = Fixture.config(aggregation: "mad_k = 4\nmad_floor_bps = 25\ndispersion_bps = 150\nmax_spread_bps = 300",
                                  margin: "warn_ratio = 2\nwarn_exit_ratio = 3\ncall_ratio = 1\nurgent_ratio = 1\nliquidation_ratio = 0.5")
        let config = try accepted(text)
        #expect(config.margin.warnRatio == 2.0)
        #expect(config.margin.warnExitRatio == 3.0)
        #expect(config.margin.callRatio == 1.0)
        #expect(config.pairs[0].policy.madK == 4.0)
        #expect(config.pairs[0].policy.dispersionBps == 150)
        let rate = Fixture.sources.replacingOccurrences(of: "kind = \"kraken\"", with: "kind = \"kraken\"\nrate_limit = 3")
        #expect(try accepted(Fixture.config(sources: rate)).source(named: "kraken")?.rateLimitPerSecond == 3.0)
    }

    @Test func wrongTypeNamesTheExpectedType() {
        let text = Fixture.config(aggregation: "min_sources = \"three\"")
        expectSingleProblem(text, at: "min_sources = \"three\"", key: "min_sources", code: .wrongType, mentioning: "expected a whole number, found a string")
        let fractional = Fixture.config(aggregation: "min_sources = 2.5")
        expectSingleProblem(fractional, at: "min_sources = 2.5", key: "min_sources", code: .wrongType, mentioning: "whole number")
    }

    @Test func bareNumberDurationAsksForAUnit() {
        let text = Fixture.config(aggregation: "max_age = 30")
        expectSingleProblem(text, at: "max_age = 30", key: "max_age", code: .wrongType, mentioning: "max_age = \"30s\"")
    }

    @Test func badDurationUnitAndZeroDuration() {
        let text = Fixture.config(daemon: "poll_interval = \"1sec\"")
        expectSingleProblem(text, at: "poll_interval", key: "poll_interval", code: .invalidValue, mentioning: "unknown unit \"sec\"")
        let zero = Fixture.config(aggregation: "max_age = \"0s\"")
        expectSingleProblem(zero, at: "max_age", key: "max_age", code: .invalidValue, mentioning: "longer than 0")
    }

    @Test func marginLadderOrder() {
        let text = Fixture.config(margin: "warn_ratio = 1.3\nwarn_exit_ratio = 1.4\ncall_ratio = 1.1\nurgent_ratio = 0.85\nliquidation_ratio = 0.9")
        expectSingleProblem(text, at: "urgent_ratio", key: "urgent_ratio", code: .invalidValue,
                            mentioning: "urgent_ratio = 0.85 must be greater than liquidation_ratio = 0.9")
        let hysteresis = Fixture.config(margin: "warn_ratio = 1.3\nwarn_exit_ratio = 1.2")
        expectSingleProblem(hysteresis, at: "warn_exit_ratio", key: "warn_exit_ratio", code: .invalidValue, mentioning: "warn_exit_ratio")
        // Exit equal to entry is a zero band: refused too (strictly greater).
        let zeroBand = Fixture.config(margin: "warn_ratio = 1.3\nwarn_exit_ratio = 1.3")
        expectSingleProblem(zeroBand, at: "warn_exit_ratio", key: "warn_exit_ratio", code: .invalidValue,
                            mentioning: "warn_exit_ratio = 1.3 must be greater than warn_ratio = 1.3")
        // urgent == call is allowed (<=).
        #expect(throws: Never.self) { try ConfigLoader.parse(Fixture.config(margin: "urgent_ratio = 1.1\ncall_ratio = 1.1"), file: "x") }
    }

    @Test func marginOutOfRangeValues() {
        let text = Fixture.config(margin: "var_confidence = 1.5")
        expectSingleProblem(text, at: "var_confidence", key: "var_confidence", code: .invalidValue, mentioning: "out of range")
        let model = Fixture.config(margin: "model = \"fancy\"")
        expectSingleProblem(model, at: "model", key: "model", code: .invalidValue, mentioning: "use one of \"standard\", \"portfolio\"")
        let currency = Fixture.config(margin: "currency = \"usd\"")
        expectSingleProblem(currency, at: "currency", key: "currency", code: .invalidValue, mentioning: "upper-case")
    }

    @Test func pairMarginsInRangeAndInitialAtLeastMaintenance() {
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "initial_margin = 0.10", with: "initial_margin = 0.03")
        let text = Fixture.config(pairs: pairs)
        expectSingleProblem(text, at: "initial_margin = 0.03", key: "initial_margin", code: .invalidValue, mentioning: "below maintenance_margin")
        let big = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "maintenance_margin = 0.05", with: "maintenance_margin = 1.5")
        expectSingleProblem(Fixture.config(pairs: big), at: "maintenance_margin = 1.5", key: "maintenance_margin",
                            code: .invalidValue, mentioning: "greater than 0 and at most 1")
        let missing = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "maintenance_margin = 0.05\n", with: "")
        let missingText = Fixture.config(pairs: missing)
        // A missing key is reported on its table's header line.
        expectSingleProblem(missingText, at: "[[pair]]", occurrence: 2, key: "", code: .missingKey,
                            mentioning: "maintenance_margin is missing")
    }

    @Test func haircutRange() {
        let text = Fixture.config(collateral: "[[collateral]]\nasset = \"BTC\"\npair = \"BTC-USD\"\nhaircut = 1")
        let problem = expectSingleProblem(text, at: "haircut = 1", key: "haircut", code: .invalidValue, mentioning: "less than 1")
        #expect(problem?.section == "[[collateral]] BTC")
    }

    @Test func minSourcesAtLeastOneAndNoMoreThanListed() {
        let text = Fixture.config(aggregation: "min_sources = 0")
        expectSingleProblem(text, at: "min_sources = 0", key: "min_sources", code: .invalidValue, mentioning: "at least 1")
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "min_sources = 2", with: "min_sources = 3")
        let tooMany = Fixture.config(pairs: pairs)
        expectSingleProblem(tooMany, at: "min_sources = 3", key: "min_sources", code: .invalidValue, mentioning: "could never be ok")
    }

    @Test func rateLimitMustBePositive() {
        let sources = Fixture.sources.replacingOccurrences(of: "kind = \"binance\"", with: "kind = \"binance\"\nrate_limit = 0")
        let problem = expectSingleProblem(Fixture.config(sources: sources), at: "rate_limit = 0", key: "rate_limit",
                                          code: .invalidValue, mentioning: "greater than 0")
        #expect(problem?.section == "[[source]] binance")
    }

    @Test func duplicateSourceNamesAndPairSymbols() {
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"kraken\"   # again\nkind = \"kraken\""
        let text = Fixture.config(sources: sources)
        // The error points at the second definition, and names the first.
        let problem = expectSingleProblem(text, at: "# again", key: "name", code: .duplicate, mentioning: "first defined on line")
        #expect(problem?.message.contains("line \(line(of: "name = \"kraken\"", in: text) ?? 0)") == true)

        let pairs = Fixture.usdt + "\n\n" + Fixture.btc + "\n\n"
            + Fixture.btc.replacingOccurrences(of: "symbol = \"BTC-USD\"\n", with: "symbol = \"BTC-USD\"  # again\n")
        let dup = Fixture.config(pairs: pairs)
        expectSingleProblem(dup, at: "# again", key: "symbol", code: .duplicate, mentioning: "duplicate pair")
    }

    @Test func unknownKindSuggestsSpelling() {
        let sources = Fixture.sources.replacingOccurrences(of: "kind = \"binance\"", with: "kind = \"binanse\"")
        expectSingleProblem(Fixture.config(sources: sources), at: "binanse", key: "kind", code: .invalidValue,
                            mentioning: "did you mean \"binance\"?")
    }

    @Test func pairSymbolMustBeUpperCaseBaseQuote() {
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "symbol = \"BTC-USD\"", with: "symbol = \"btc/usd\"")
        let text = Fixture.config(pairs: pairs)
        expectSingleProblem(text, at: "btc/usd", key: "symbol", code: .invalidValue, mentioning: "write \"BTC-USD\"")
    }

    @Test func unknownSourceInPairNamesLineAndEntry() {
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "source = \"binance\"", with: "source = \"binanc\"")
        let text = Fixture.config(pairs: pairs)
        let problem = expectSingleProblem(text, at: "binanc\"", key: "sources[1].source", code: .unknownReference,
                                          mentioning: "unknown source \"binanc\"")
        let expectedLine = line(of: "binanc\"", in: text) ?? 0
        #expect(problem?.description ==
                "oracles.toml:\(expectedLine): [[pair]] BTC-USD: sources[1].source: unknown source \"binanc\"; did you mean \"binance\"? define a [[source]] with that name or fix the spelling")
    }

    @Test func convertNamingUnknownPair() {
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "convert = \"USDT-USD\"", with: "convert = \"USDC-USD\"")
        expectSingleProblem(Fixture.config(pairs: pairs), at: "USDC-USD", key: "sources[1].convert", code: .unknownReference,
                            mentioning: "unknown pair \"USDC-USD\"")
    }

    @Test func convertIntoAnotherQuoteCurrency() {
        let eur = """
        [[pair]]
        symbol = "USDT-EUR"
        maintenance_margin = 0.02
        initial_margin = 0.04
        min_sources = 1
        sources = [ { source = "kraken", symbol = "USDTEUR" } ]
        """
        let pairs = Fixture.usdt + "\n\n" + eur + "\n\n" + Fixture.btc.replacingOccurrences(of: "convert = \"USDT-USD\"", with: "convert = \"USDT-EUR\"")
        expectSingleProblem(Fixture.config(pairs: pairs), at: "convert = \"USDT-EUR\"", key: "sources[1].convert",
                            code: .invalidValue, mentioning: "quoted in USD")
    }

    @Test func convertCycleIsSpelledOut() {
        // USDT-USD converts through BTC-USD, which converts through USDT-USD.
        let usdt = Fixture.usdt.replacingOccurrences(of: "{ source = \"coinbase\", symbol = \"USDT-USD\" }",
                                                     with: "{ source = \"coinbase\", symbol = \"USDT-BTC\", convert = \"BTC-USD\" }")
        let text = Fixture.config(pairs: usdt + "\n\n" + Fixture.btc)
        let problem = expectSingleProblem(text, at: "convert = \"BTC-USD\"", key: "sources[1].convert", code: .cycle,
                                          mentioning: "USDT-USD → BTC-USD → USDT-USD")
        #expect(problem?.section == "[[pair]] USDT-USD")
    }

    @Test func selfConvertIsACycle() {
        let usdt = Fixture.usdt.replacingOccurrences(of: "symbol = \"USDT-USD\" }", with: "symbol = \"USDT-USD\", convert = \"USDT-USD\" }")
        let text = Fixture.config(pairs: usdt + "\n\n" + Fixture.btc)
        expectSingleProblem(text, at: "convert = \"USDT-USD\" }", key: "sources[1].convert", code: .cycle, mentioning: "USDT-USD → USDT-USD")
    }

    @Test func threePairCycle() {
        func pair(_ symbol: String, via: String) -> String {
            """
            [[pair]]
            symbol = "\(symbol)"
            maintenance_margin = 0.05
            initial_margin = 0.1
            min_sources = 1
            sources = [ { source = "binance", symbol = "X", convert = "\(via)" } ]
            """
        }
        let text = Fixture.config(pairs: [pair("AAA-USD", via: "BBB-USD"), pair("BBB-USD", via: "CCC-USD"), pair("CCC-USD", via: "AAA-USD")]
            .joined(separator: "\n\n"))
        let problem = expectSingleProblem(text, at: "convert = \"BBB-USD\"", key: "sources[0].convert", code: .cycle,
                                          mentioning: "AAA-USD → BBB-USD → CCC-USD → AAA-USD")
        #expect(problem?.section == "[[pair]] AAA-USD")
    }

    @Test func pairsComeInDependencyOrder() throws {
        // BTC-USD is written first but needs USDT-USD, which needs USDC-USD.
        let usdc = """
        [[pair]]
        symbol = "USDC-USD"
        maintenance_margin = 0.02
        initial_margin = 0.04
        min_sources = 1
        sources = [ { source = "kraken", symbol = "USDCUSD" } ]
        """
        let usdt = Fixture.usdt.replacingOccurrences(of: "{ source = \"coinbase\", symbol = \"USDT-USD\" }",
                                                     with: "{ source = \"coinbase\", symbol = \"USDT-USDC\", convert = \"USDC-USD\" }")
        let config = try accepted(Fixture.config(pairs: [Fixture.btc, usdt, usdc].joined(separator: "\n\n")))
        #expect(config.pairs.map(\.symbol) == ["USDC-USD", "USDT-USD", "BTC-USD"])
    }

    @Test func collateralReferences() {
        let unknown = Fixture.config(collateral: "[[collateral]]\nasset = \"ETH\"\npair = \"ETH-USD\"\nhaircut = 0.1")
        expectSingleProblem(unknown, at: "pair = \"ETH-USD\"", key: "pair", code: .unknownReference, mentioning: "unknown pair \"ETH-USD\"")
        let wrongBase = Fixture.config(collateral: "[[collateral]]\nasset = \"ETH\"\npair = \"BTC-USD\"\nhaircut = 0.1")
        expectSingleProblem(wrongBase, at: "pair = \"BTC-USD\"", key: "pair", code: .invalidValue, mentioning: "prices BTC, not ETH")
        let currencyWithPair = Fixture.config(collateral: "[[collateral]]\nasset = \"USD\"\npair = \"USDT-USD\"")
        expectSingleProblem(currencyWithPair, at: "pair = \"USDT-USD\"", key: "pair", code: .invalidValue, mentioning: "margin currency")
    }

    @Test func genericSourceNeedsUrlAndPricePaths() {
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"x\"\nkind = \"generic\"\nbase_url = \"https://x.example\"\nurl = \"/t?m={symbol}\"\nbid_path = \"bid\""
        let text = Fixture.config(sources: sources)
        let found = problems(text)
        #expect(found.contains { $0.key == "bid_path" && $0.line == line(of: "bid_path", in: text) && $0.message.contains("ask_path") })
        let header = (line(of: "name = \"x\"", in: text) ?? 0) - 1
        #expect(found.contains { $0.code == .missingKey && $0.message.contains("price_path") && $0.line == header })

        let noURL = Fixture.sources + "\n\n[[source]]\nname = \"x\"\nkind = \"generic\"\nbase_url = \"https://x.example\"\nprice_path = \"data.0.last\""
        let text2 = Fixture.config(sources: noURL)
        // Reported on the [[source]] header, the line above the name.
        let headerLine = (line(of: "name = \"x\"", in: text2) ?? 0) - 1
        let found2 = problems(text2)
        #expect(found2.count == 1)
        #expect(found2.first?.line == headerLine)
        #expect(found2.first?.code == .missingKey)
        #expect(found2.first?.message.contains("url is missing") == true)
        #expect(found2.first?.section == "[[source]] x")

        let badTemplate = Fixture.sources + "\n\n[[source]]\nname = \"x\"\nkind = \"generic\"\nbase_url = \"https://x.example\"\nurl = \"/ticker\"\nprice_path = \"last\""
        expectSingleProblem(Fixture.config(sources: badTemplate), at: "url = \"/ticker\"", key: "url", code: .invalidValue, mentioning: "{symbol}")
    }

    @Test func genericKeysOnANonGenericSource() {
        let sources = Fixture.sources.replacingOccurrences(of: "kind = \"kraken\"", with: "kind = \"kraken\"\nprice_path = \"result.c.0\"")
        expectSingleProblem(Fixture.config(sources: sources), at: "price_path", key: "price_path", code: .invalidValue,
                            mentioning: "only applies to kind = \"generic\"")
    }

    @Test func baseURLMustBeHTTP() {
        let sources = Fixture.sources.replacingOccurrences(of: "kind = \"kraken\"", with: "kind = \"kraken\"\nbase_url = \"ftp://api.kraken.com\"")
        expectSingleProblem(Fixture.config(sources: sources), at: "ftp://", key: "base_url", code: .invalidValue, mentioning: "not an http(s) URL")
        let query = Fixture.sources.replacingOccurrences(of: "kind = \"kraken\"", with: "kind = \"kraken\"\nbase_url = \"https://k.example/?a=1\"")
        expectSingleProblem(Fixture.config(sources: query), at: "base_url", key: "base_url", code: .invalidValue, mentioning: "no spaces, query or fragment")
    }

    @Test func venueSpecificSymbolShapes() {
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"pyth\"\nkind = \"pyth\""
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "{ source = \"coinbase\", symbol = \"BTC-USD\" },",
                                                                              with: "{ source = \"coinbase\", symbol = \"BTC-USD\" },\n  { source = \"pyth\", symbol = \"BTC/USD\" },")
        expectSingleProblem(Fixture.config(sources: sources, pairs: pairs), at: "BTC/USD", key: "sources[1].symbol",
                            code: .invalidValue, mentioning: "Pyth feed id")
    }

    @Test func sameVenueTwiceInAPair() {
        let pairs = Fixture.usdt + "\n\n" + Fixture.btc.replacingOccurrences(of: "source = \"binance\",  symbol = \"BTCUSDT\"",
                                                                              with: "source = \"coinbase\",  symbol = \"BTCUSDT\"")
        expectSingleProblem(Fixture.config(pairs: pairs), at: "BTCUSDT", key: "sources[1].source", code: .duplicate, mentioning: "counts once")
    }

    @Test func singleBracketSourceIsExplained() {
        let text = Fixture.config(sources: "[source]\nname = \"kraken\"\nkind = \"kraken\"")
        let found = problems(text)
        #expect(found.contains { $0.key == "source" && $0.code == .wrongType && $0.message.contains("[[source]]") && $0.line == 1 })
    }

    @Test func socketPathTooLong() {
        let path = "/tmp/" + String(repeating: "s", count: 120) + ".sock"
        let text = Fixture.config(daemon: "socket = \"\(path)\"")
        expectSingleProblem(text, at: "socket", key: "socket", code: .invalidValue, mentioning: "107 bytes")
    }

    @Test func everyProblemIsReportedOnePerLine() {
        let text = Fixture.config(daemon: "poll_interval = 5\nmax_clientz = 3",
                                  aggregation: "min_sources = 0",
                                  margin: "call_deadline = \"soon\"")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "oracles.toml") }
        let lines = error?.description.split(separator: "\n") ?? []
        #expect(lines.count == 4)
        #expect(error?.problems.map(\.line) == [
            line(of: "poll_interval", in: text), line(of: "max_clientz", in: text),
            line(of: "min_sources = 0", in: text), line(of: "call_deadline", in: text),
        ])
        #expect(error?.line == line(of: "poll_interval", in: text))
        #expect(error?.key == "poll_interval")
    }

    @Test func emptyFileNeedsSourcesAndPairs() {
        let found = problems("")
        #expect(found.map(\.key).sorted() == ["pair", "source"])
        #expect(found.allSatisfy { $0.code == .missingKey })
    }

    @Test func badTierOrder() {
        let btc = Fixture.btc + "\ntiers = [\n  { from_notional = 5000000, maintenance_margin = 0.1, initial_margin = 0.2 },\n  { from_notional = 1000000, maintenance_margin = 0.2, initial_margin = 0.3 },\n]"
        let text = Fixture.config(pairs: Fixture.usdt + "\n\n" + btc)
        expectSingleProblem(text, at: "from_notional = 1000000", key: "tiers[1].from_notional", code: .invalidValue, mentioning: "ascending")
    }
}

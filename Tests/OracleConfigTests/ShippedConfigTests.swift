import Testing
import OracleCore
@testable import OracleConfig

/// The configurations shipped in the repository must load, and must say what they claim.
@Suite struct ShippedConfigTests {
    /// Repository root, found from this file's path (Tests/OracleConfigTests/<file>).
    static let root: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    @Test func realConfigLoads() throws {
        let config = try ConfigLoader.load(path: Self.root + "/oracles.toml")
        #expect(config.daemon.socketPath == "./var/run/oracled.sock")
        #expect(config.daemon.stateDir == "./var/lib")
        #expect(config.daemon.spoolDir == "./var/spool")
        #expect(config.daemon.pollIntervalMs == 1_000)

        for symbol in ["BTC-USD", "ETH-USD", "SOL-USD", "USDT-USD", "USDC-USD"] {
            let pair = try #require(config.pair(symbol), "\(symbol) missing")
            #expect(pair.sources.count >= 5, "\(symbol) has only \(pair.sources.count) sources")
            #expect(Set(pair.sources.map(\.source)).count == pair.sources.count)
        }
        // USDT-USD is quoted in USD directly: it must not depend on itself or anything else.
        let usdt = try #require(config.pair("USDT-USD"))
        #expect(usdt.sources.allSatisfy { $0.convert == nil })
        #expect(usdt.policy.maxAgeMs > config.pair("BTC-USD")?.policy.maxAgeMs ?? .max)
        #expect(usdt.policy.dispersionBps < config.pair("BTC-USD")?.policy.dispersionBps ?? 0)

        let btc = try #require(config.pair("BTC-USD"))
        #expect(btc.sources.contains(PairSourceSpec(source: "binance", symbol: "BTCUSDT", convert: "USDT-USD")))
        #expect(btc.sources.contains(PairSourceSpec(source: "kraken", symbol: "XBTUSD")))
        #expect(btc.sources.contains(PairSourceSpec(source: "bitfinex", symbol: "tBTCUSD")))
        #expect(btc.sources.contains(PairSourceSpec(source: "coingecko", symbol: "bitcoin/usd")))
        #expect(btc.sources.contains(PairSourceSpec(source: "pyth", symbol: "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43")))
        #expect(btc.risk.tiers.count == 2)

        // Dependency order: every convert target precedes its user.
        let position = Dictionary(uniqueKeysWithValues: config.pairs.enumerated().map { ($1.symbol, $0) })
        for pair in config.pairs {
            for source in pair.sources {
                if let convert = source.convert { #expect((position[convert] ?? .max) < (position[pair.symbol] ?? -1)) }
            }
        }

        #expect(Set(config.collateral.map(\.asset)) == ["USD", "USDC", "USDT", "BTC", "ETH", "SOL"])
        #expect(config.collateral.first { $0.asset == "USD" } == CollateralSpec(asset: "USD", pair: nil, haircut: 0))
        #expect(config.margin.currency == "USD")
        #expect(config.margin.callDeadlineMs == 3_600_000)
        #expect(config.sources.count == VenueKind.allCases.count - 1)   // every adapter but generic
        #expect(config.source(named: "coingecko")?.rateLimitPerSecond == 0.1)
    }

    @Test func demoConfigLoadsAndPointsAtTheFakeVenue() throws {
        let real = try ConfigLoader.load(path: Self.root + "/oracles.toml")
        let demo = try ConfigLoader.load(path: Self.root + "/demo/oracles.demo.toml")
        #expect(demo.daemon.pollIntervalMs == 1_000)
        #expect(demo.daemon.socketPath.hasPrefix("./var/demo/"))
        #expect(demo.daemon.stateDir.hasPrefix("./var/demo/"))
        #expect(demo.daemon.spoolDir.hasPrefix("./var/demo/"))
        #expect(demo.sources.map(\.name) == real.sources.map(\.name))
        for source in demo.sources {
            #expect(source.baseURL == "http://127.0.0.1:18080/\(source.name)")
        }
        #expect(demo.pairs == real.pairs)
        #expect(demo.collateral == real.collateral)
        #expect(demo.margin == real.margin)
    }

    @Test func missingFileSaysSo() {
        let missing = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/oracles.toml") }
        #expect(missing?.code == .unreadable)
        #expect(missing?.description.hasPrefix("/nonexistent/oracles.toml: no such file") == true)

        let directory = #expect(throws: ConfigError.self) { try ConfigLoader.load(path: Self.root) }
        #expect(directory?.message.contains("is a directory") == true)
    }
}

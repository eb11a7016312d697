import Testing
import OracleCore
@testable import OracleConfig

@Suite struct ConfigDefaultsTests {
    @Test func omittedSectionsTakeDefaults() throws {
        let config = try accepted(Fixture.config())
        #expect(config.daemon == DaemonSettings())
        #expect(config.daemon.socketPath == "/run/oracled/oracled.sock")
        #expect(config.margin == MarginPolicy())
        // [aggregation] defaults, with the pair's own min_sources override.
        var expected = AggregationPolicy()
        expected.minSources = 2
        #expect(config.pairs[0].policy == expected)
        // The margin currency is always collateral at 1 without haircut.
        #expect(config.collateral == [CollateralSpec(asset: "USD", pair: nil, haircut: 0)])
    }

    @Test func sourceDefaultsFollowTheVenue() throws {
        let sources = Fixture.sources + "\n\n[[source]]\nname = \"coingecko\"\n\n[[source]]\nname = \"gemini\"\nkind = \"gemini\""
        let config = try accepted(Fixture.config(sources: sources))
        let coingecko = try #require(config.source(named: "coingecko"))
        #expect(coingecko.kind == .coingecko)                 // kind defaults to the name when it is an adapter
        #expect(coingecko.rateLimitPerSecond == 0.1)
        #expect(coingecko.baseURL == "https://api.coingecko.com")
        #expect(config.source(named: "gemini")?.rateLimitPerSecond == 1)
        let binance = try #require(config.source(named: "binance"))
        #expect(binance.baseURL == "https://api.binance.com")
        #expect(binance.connectTimeoutMs == 2_000 && binance.totalTimeoutMs == 5_000)
        #expect(binance.maxBodyBytes == 256 * 1024)
        #expect(binance.generic == nil)
    }

    @Test func aggregationDefaultsFlowIntoPairsAndPairsOverride() throws {
        let btc = Fixture.btc + "\nmax_age = \"10s\"\ndispersion_bps = 50"
        let text = Fixture.config(aggregation: "max_age = \"20s\"\nmad_k = 3", pairs: Fixture.usdt + "\n\n" + btc)
        let config = try accepted(text)
        let usdt = try #require(config.pair("USDT-USD")), pair = try #require(config.pair("BTC-USD"))
        #expect(usdt.policy.maxAgeMs == 20_000 && usdt.policy.madK == 3)
        #expect(pair.policy.maxAgeMs == 10_000 && pair.policy.madK == 3 && pair.policy.dispersionBps == 50)
    }

    @Test func everyDocumentedKeyIsAccepted() throws {
        let text = Fixture.config(
            daemon: """
            socket = "./s.sock"
            state_dir = "./lib"
            spool_dir = "./spool"
            poll_interval = "2s"
            user_agent = "test/1"
            syslog_ident = "t"
            syslog_facility = "local3"
            syslog_socket = "/tmp/log.sock"
            stream_heartbeat = "3s"
            stream_deviation_bps = 2.5
            max_clients = 7
            """,
            aggregation: """
            min_sources = 1
            max_age = "5s"
            max_hold = "6s"
            max_future_skew = "7s"
            mad_k = 4.5
            mad_floor_bps = 11
            dispersion_bps = 99
            frozen_cycles = 4
            max_spread_bps = 123
            """,
            sources: Fixture.sources + """


            [[source]]
            name = "gen"
            kind = "generic"
            base_url = "https://gen.example/api/"
            rate_limit = 0.5
            burst = 3
            connect_timeout = "1s"
            timeout = "3s"
            max_body = "64KiB"
            quarantine = "10m"
            backoff_base = "2s"
            backoff_max = "1m"
            url = "/ticker?m={symbol}"
            price_path = "data.0.last"
            bid_path = "data.0.bid"
            ask_path = "data.0.ask"
            timestamp_path = "ts"
            timestamp_unit = "s"
            error_path = "error"
            """,
            pairs: Fixture.usdt + "\n\n" + Fixture.btc + """

            adv = 100
            spread_bps = 3
            impact_bps = 90
            tiers = [ { from_notional = 1000000, maintenance_margin = 0.08, initial_margin = 0.16 } ]
            """,
            collateral: "[[collateral]]\nasset = \"BTC\"\npair = \"BTC-USD\"\nhaircut = 0.1",
            margin: """
            currency = "USD"
            model = "portfolio"
            warn_ratio = 1.5
            warn_exit_ratio = 1.6
            call_ratio = 1.2
            urgent_ratio = 1.1
            liquidation_ratio = 1.0
            call_deadline = "30m"
            price_side = "mid"
            min_trigger_sources = 3
            slow_mark_window = "10m"
            mass_call_share = 0.5
            var_confidence = 0.995
            es_confidence = 0.98
            horizon = "12h"
            ewma_lambda = 0.97
            portfolio_floor = 0.4
            min_history = 50
            history_interval = "5m"
            """)
        let config = try accepted(text)
        #expect(config.daemon == DaemonSettings(socketPath: "./s.sock", stateDir: "./lib", spoolDir: "./spool", pollIntervalMs: 2_000,
                                                userAgent: "test/1", syslogIdent: "t", syslogFacility: .local3,
                                                syslogSocket: "/tmp/log.sock", streamHeartbeatMs: 3_000,
                                                streamDeviationBps: 2.5, maxClients: 7))
        #expect(config.pairs[0].policy == AggregationPolicy(minSources: 2, maxAgeMs: 5_000, maxHoldMs: 6_000, maxFutureSkewMs: 7_000,
                                                            madK: 4.5, madFloorBps: 11, dispersionBps: 99, frozenCycles: 4, maxSpreadBps: 123))
        #expect(config.source(named: "gen") == SourceSpec(
            name: "gen", kind: .generic, baseURL: "https://gen.example/api", rateLimitPerSecond: 0.5, rateLimitBurst: 3,
            connectTimeoutMs: 1_000, totalTimeoutMs: 3_000, maxBodyBytes: 65_536, quarantineMs: 600_000,
            backoffBaseMs: 2_000, backoffMaxMs: 60_000,
            generic: GenericAdapterSpec(urlTemplate: "/ticker?m={symbol}", pricePath: "data.0.last", bidPath: "data.0.bid",
                                        askPath: "data.0.ask", timestampPath: "ts", timestampUnit: .s, errorPath: "error")))
        #expect(config.pair("BTC-USD")?.risk == PairRiskSpec(adv: 100, spreadBps: 3, impactBps: 90,
                                                             tiers: [MarginTier(fromNotional: 1_000_000, maintenanceMargin: 0.08, initialMargin: 0.16)]))
        #expect(config.collateral == [CollateralSpec(asset: "USD", pair: nil, haircut: 0),
                                      CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.1)])
        #expect(config.margin == MarginPolicy(currency: "USD", model: .portfolio, warnRatio: 1.5, warnExitRatio: 1.6, callRatio: 1.2,
                                              urgentRatio: 1.1, liquidationRatio: 1.0, callDeadlineMs: 1_800_000, priceSide: .mid,
                                              minTriggerSources: 3, slowMarkWindowMs: 600_000, massCallShare: 0.5,
                                              varConfidence: 0.995, esConfidence: 0.98, horizonMs: 43_200_000, ewmaLambda: 0.97,
                                              portfolioFloor: 0.4, minHistory: 50, historyIntervalMs: 300_000))
    }
}

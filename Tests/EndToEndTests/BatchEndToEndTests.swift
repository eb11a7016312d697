import Foundation
import Testing

/// Batch endpoints end to end: the real daemon against the fake venue's synthetic pairs, fetched
/// with one request per venue per cycle instead of one per pair.
@Suite(.serialized)
struct BatchEndToEndTests {
    static let pairs = 50
    static let pollMs = 200
    /// The ten batch venues and their spelling of a synthetic base (see `fake-venue --help`).
    static let venues: [(name: String, spell: @Sendable (String) -> String)] = [
        ("binance", { $0 + "USD" }), ("okx", { $0 + "-USD" }), ("bybit", { $0 + "USD" }),
        ("kucoin", { $0 + "-USD" }), ("htx", { ($0 + "usd").lowercased() }), ("bitfinex", { "t" + $0 + ":USD" }),
        ("kraken", { $0 + "USD" }), ("bitstamp", { ($0 + "usd").lowercased() }), ("cryptocom", { $0 + "_USD" }),
        ("gemini", { ($0 + "usd").lowercased() }),
    ]

    static func base(_ i: Int) -> String { "S" + String(repeating: "0", count: 4 - String(i).count) + String(i) }

    static func config(dir: String, venueURL: String) -> String {
        var s = """
        [daemon]
        socket = "\(dir)/oracled.sock"
        state_dir = "\(dir)/lib"
        spool_dir = "\(dir)/spool"
        poll_interval = "\(pollMs)ms"

        [aggregation]
        min_sources = 3

        """
        for v in venues {
            s += """
            [[source]]
            name = "\(v.name)"
            kind = "\(v.name)"
            base_url = "\(venueURL)/\(v.name)"
            rate_limit = 50
            burst = 10
            timeout = "2s"

            """
        }
        for i in 1...pairs {
            s += "[[pair]]\nsymbol = \"\(base(i))-USD\"\nmaintenance_margin = 0.05\ninitial_margin = 0.10\nsources = [\n"
            for v in venues { s += "  { source = \"\(v.name)\", symbol = \"\(v.spell(base(i)))\" },\n" }
            s += "]\n"
        }
        return s
    }

    @Test func fiftySyntheticPairsOnTenVenuesCostOneRequestPerVenuePerCycle() async throws {
        let dir = makeTempDir("batch-e2e")
        let venue = try await FakeVenue(dir: dir, arguments: ["--synthetic-pairs", "\(Self.pairs)"])
        defer { venue.child.kill(SIGKILL) }
        try Self.config(dir: dir, venueURL: venue.baseURL).write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", dir + "/oracles.toml"], logPath: dir + "/oracled.log")
        defer { daemon.kill(SIGKILL) }
        let client = UnixHTTPClient(path: dir + "/oracled.sock")

        // Every mark is the synthetic price 100 + i/7 (recomputed here; the fake's common tick moves
        // it by at most 1e-9 relative), from all ten venues.
        func wrongMarks() -> [String] {
            var wrong: [String] = []
            for i in 1...Self.pairs {
                let pair = Self.base(i) + "-USD"
                let expected = 100 + Double(i) / 7
                guard let r = try? client.request("GET", "/v1/prices/\(pair)"), r.status == 200, let j = r.json,
                      j["status"] as? String == "ok", j["sources_used"] as? Int == Self.venues.count,
                      let text = j["price"] as? String, let price = Double(text),
                      abs(price - expected) <= expected * 2e-9 + 1e-8 else { wrong.append(pair); continue }
            }
            return wrong
        }
        var wrong: [String] = []
        let allRight = await eventually(timeout: 30, interval: 0.25) { wrong = wrongMarks(); return wrong.isEmpty }
        #expect(allRight, "marks not right for \(wrong.prefix(5)) …; daemon log: \(daemon.log.suffix(2000))")

        // Request count over a measured window: about one per venue per cycle, not one per pair.
        try venue.control("/_control/reset-stats")
        let started = Date()
        try await Task.sleep(for: .seconds(3))
        let stats = try venue.stats()
        let cycles = Date().timeIntervalSince(started) * 1000 / Double(Self.pollMs)
        for v in Self.venues {
            let n = stats[v.name] ?? 0
            #expect(Double(n) >= cycles * 0.5, "\(v.name): \(n) requests in \(Int(cycles)) cycles; the source is not polled")
            #expect(Double(n) <= cycles + 3, "\(v.name): \(n) requests in \(Int(cycles)) cycles; batching would make about one per cycle")
        }
        // Still right after more than `frozen_cycles` responses: batch sources without a venue
        // timestamp must not be taken for frozen.
        let stillRight = wrongMarks()
        #expect(stillRight.isEmpty, "after \(Int(cycles)) cycles, marks not right for \(stillRight.prefix(5))")
        print("BATCH e2e pairs=\(Self.pairs) venues=\(Self.venues.count) cycles=\(Int(cycles)) requests=\(stats.values.reduce(0, +)) per_pair_would_be=\(Int(cycles) * Self.pairs * Self.venues.count)")
        try? FileManager.default.removeItem(atPath: dir)
    }
}

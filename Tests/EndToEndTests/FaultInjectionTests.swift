import Foundation
import Testing

/// A config for the stress suites: the seven BTC-USD venues of `OracleEndToEndTests` (coinbase,
/// kraken and bitstamp also serve USDT-USD) with per-source budgets the test chooses.
struct StressConfig {
    var pollInterval = "100ms"
    var rateLimit = 20.0
    var burst = 5
    var timeout = "1s"
    /// nil: the daemon's default (what an operator gets without the key).
    var backoffBase: String? = "200ms"
    var backoffMax: String? = "1s"
    var quarantine = "1s"
    var extraPairs = ""
    var margin = true
    var extraDaemon = ""

    func render(dir: String, venueURL: String) -> String {
        var s = """
        [daemon]
        socket = "\(dir)/oracled.sock"
        state_dir = "\(dir)/lib"
        spool_dir = "\(dir)/spool"
        poll_interval = "\(pollInterval)"
        \(extraDaemon)

        [aggregation]
        min_sources = 3
        max_age = "3s"
        max_hold = "2s"

        """
        for v in OracleEndToEndTests.venues {
            s += """
            [[source]]
            name = "\(v.name)"
            kind = "\(v.kind)"
            base_url = "\(venueURL)/\(v.name)"
            rate_limit = \(rateLimit)
            burst = \(burst)
            timeout = "\(timeout)"
            connect_timeout = "500ms"
            \(backoffBase.map { "backoff_base = \"\($0)\"" } ?? "")
            \(backoffMax.map { "backoff_max = \"\($0)\"" } ?? "")
            quarantine = "\(quarantine)"

            """
        }
        s += """
        [[pair]]
        symbol = "USDT-USD"
        maintenance_margin = 0.02
        initial_margin = 0.04
        sources = [
          { source = "coinbase", symbol = "USDT-USD" },
          { source = "kraken", symbol = "USDTUSD" },
          { source = "bitstamp", symbol = "usdtusd" },
        ]
        min_sources = 2

        [[pair]]
        symbol = "BTC-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        sources = [

        """
        for v in OracleEndToEndTests.venues {
            s += "  { source = \"\(v.name)\", symbol = \"\(v.symbol)\"\(v.convert.map { ", convert = \"\($0)\"" } ?? "") },\n"
        }
        s += "]\n\(extraPairs)\n"
        if margin { s += "\n[margin]\ncurrency = \"USD\"\n" }
        return s
    }
}

/// A fake venue plus the real daemon on a `StressConfig`, torn down by `stop()` (and by deinit).
final class StressRig: @unchecked Sendable {
    let dir: String
    let venue: FakeVenue
    let daemon: ChildProcess
    let configPath: String
    var client: UnixHTTPClient { UnixHTTPClient(path: dir + "/oracled.sock") }
    var socketPath: String { dir + "/oracled.sock" }

    /// - Parameter viaEnv: start the daemon through `/usr/bin/env` (which execs it, same pid): an
    ///   `LD_PRELOAD`ed libfaketime loses the arguments of a binary exec'd directly by Foundation.
    init(_ name: String, config: StressConfig, environment: [String: String]? = nil, viaEnv: Bool = false) async throws {
        dir = makeTempDir(name)
        venue = try await FakeVenue(dir: dir)
        configPath = dir + "/oracles.toml"
        try config.render(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let args = ["run", "--config", configPath]
        daemon = try ChildProcess(viaEnv ? "/usr/bin/env" : Binaries.path("oracled"), viaEnv ? [Binaries.path("oracled")] + args : args,
                                  logPath: dir + "/oracled.log", environment: environment)
    }

    var pid: Int32 { daemon.process.processIdentifier }

    func mark(_ pair: String = "BTC-USD", timeout: Double = 5) throws -> [String: Any] {
        let r = try client.request("GET", "/v1/prices/\(pair)", timeout: timeout)
        guard r.status == 200, let j = r.json else { throw HarnessError("GET /v1/prices/\(pair) → \(r.status) \(r.body)") }
        return j
    }

    func health(timeout: Double = 5) throws -> [String: Any] {
        let r = try client.request("GET", "/v1/health", timeout: timeout)
        guard r.status == 200, let j = r.json else { throw HarnessError("GET /v1/health → \(r.status) \(r.body)") }
        return j
    }

    func sourceHealth(_ name: String) -> [String: Any]? {
        ((try? health())?["sources"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    func waitForOK(_ pair: String = "BTC-USD", timeout: Double = 20) async -> Bool {
        await eventually(timeout: timeout) { (try? self.mark(pair))?["status"] as? String == "ok" }
    }

    func stop() {
        daemon.kill(SIGKILL)
        venue.child.kill(SIGKILL)
        _ = daemon.process.isRunning
    }

    func cleanUp() {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// The most requests in any window of `windowMs` (anchored at each request), for a sorted list of times.
func maxInWindow(_ times: [Int64], windowMs: Int64) -> Int {
    var best = 0
    var j = 0
    for i in times.indices {
        while j < times.count && times[j] < times[i] + windowMs { j += 1 }
        best = max(best, j - i)
    }
    return best
}

/// Every fault mode of the fake venue, cycled across the sources in time windows, against the real
/// daemon: it never crashes or stalls, marks follow the healthy sources, request budgets, Retry-After
/// and quarantine hold, and memory stays bounded under 20 MB bodies.
@Suite(.serialized)
struct FaultInjectionTests {
    static let faultModes = ["crash", "http500", "http502", "http503", "http403", "http451", "rate429", "ban418", "html",
                             "truncated", "empty", "huge", "slowdrip", "hang", "frozen", "stale", "future", "wrongpair",
                             "zero", "negative", "nan", "absurd"]
    static let basePrice = 67_000.0

    @Test func everyFaultModeAcrossSourcesNeitherCrashesNorStallsNorMovesTheMark() async throws {
        let rig = try await StressRig("faults", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await rig.waitForOK(), "BTC-USD never became ok; daemon log:\n\(rig.daemon.log)")
        try rig.venue.control("/_control/retry-after?seconds=1")
        try rig.venue.control("/_control/reset-stats")

        let venues = OracleEndToEndTests.venues.map(\.name)
        let modes = Self.faultModes
        let windowSeconds = 0.8
        var faultWindows = 0
        var probes = 0
        var okProbes = 0
        var worstLatencyMs = 0.0
        var lastCycle = (try? rig.health())?["last_cycle"] as? String ?? ""
        var stalledWindows: [Int] = []
        var wrongMarks: [String] = []

        for i in modes.indices {
            // Three venues misbehave at once, each in a different mode; every mode meets three venues.
            for k in 0..<3 {
                let v = venues[(i * 3 + k) % venues.count]
                let mode = modes[(i + k * 7) % modes.count]
                try rig.venue.setFault(v, mode, seconds: windowSeconds)
                faultWindows += 1
            }
            let end = Date().addingTimeInterval(windowSeconds)
            while Date() < end {
                let t0 = Date()
                let mark = try rig.mark(timeout: 3)
                let latency = Date().timeIntervalSince(t0) * 1000
                worstLatencyMs = max(worstLatencyMs, latency)
                probes += 1
                if mark["status"] as? String == "ok" {
                    okProbes += 1
                    let price = Double(mark["price"] as? String ?? "") ?? .nan
                    // Healthy venues quote within ±0.05 % of the fake's base price, so their median is too.
                    if !(abs(price - Self.basePrice) / Self.basePrice < 0.001) {
                        wrongMarks.append("window \(i) (\(modes[i])…): ok mark \(price) vs healthy ~\(Self.basePrice)")
                    }
                }
                try await Task.sleep(for: .milliseconds(120))
            }
            // Each window lasts ≥ 0.8 s = 8 poll intervals of 100 ms; the loop never waits on a fetch (a
            // hung venue times out on its own), so even with every cycle `jitterSeconds` late at least
            // two cycles end in it. A loop wedged behind a hanging venue shows no new cycle here.
            let cycle = (try rig.health(timeout: 3))["last_cycle"] as? String ?? ""
            if cycle == lastCycle { stalledWindows.append(i) }
            lastCycle = cycle
            #expect(rig.daemon.process.isRunning, "oracled died in window \(i) (\(modes[i])); log:\n\(rig.daemon.log)")
        }

        #expect(wrongMarks.isEmpty, "\(wrongMarks.prefix(5))")
        #expect(stalledWindows.isEmpty, "last_cycle did not advance in windows \(stalledWindows)")
        #expect(worstLatencyMs < WallClockBounds.promptAnswerSeconds * 1000, "a socket answer took \(worstLatencyMs) ms while venues misbehaved")
        #expect(okProbes > 0, "BTC-USD was never ok with 4 of 7 venues healthy")

        // Budget: rate_limit 20/s, burst 5 per source, over any 1 s and 5 s window (see tokenBucketMax).
        let log = try rig.venue.requestLog(nil)
        for v in venues {
            let times = log.filter { $0.venue == v }.map(\.ms).sorted()
            for w in [1_000, 5_000] as [Int64] {
                let bound = WallClockBounds.tokenBucketMax(rate: 20, burst: 5, windowMs: w)
                #expect(maxInWindow(times, windowMs: w) <= bound, "\(v): \(maxInWindow(times, windowMs: w)) requests in \(w) ms > \(bound)")
            }
        }
        let faulted = log.filter { $0.mode != "ok" }.count

        // Everything healthy again: ok returns.
        try rig.venue.setFault("all", "ok")
        #expect(await rig.waitForOK(timeout: 15), "BTC-USD did not recover: \((try? rig.mark()) ?? [:])")
        #expect(rig.daemon.process.isRunning)
        print("RELIABILITY faults windows=\(faultWindows) modes=\(modes.count) faulted_requests=\(faulted) requests=\(log.count) probes=\(probes) ok_probes=\(okProbes) worst_latency_ms=\(Int(worstLatencyMs))")
    }

    @Test func rateLimitRetryAfterAndQuarantineAreHonoured() async throws {
        var config = StressConfig()
        config.rateLimit = 2.0
        config.burst = 2
        config.backoffBase = "100ms"
        config.backoffMax = "4s"      // above Retry-After: the venue's wait is bounded by max(backoff_max, quarantine)
        config.quarantine = "2s"
        let rig = try await StressRig("ratelimit", config: config)
        defer { rig.cleanUp() }
        // 2 req/s with coinbase/kraken/bitstamp serving two pairs: quorum may be slow to form, wait for any mark.
        #expect(await eventually(timeout: 20) { (try? rig.mark())?["price"] as? String != nil }, "no BTC-USD mark; log:\n\(rig.daemon.log)")
        try rig.venue.control("/_control/retry-after?seconds=3")
        try rig.venue.control("/_control/reset-stats")

        // One 429 (gemini) and one 418 (bitfinex) with Retry-After: 3; one 451 (kraken) and one 403 (bitstamp).
        let started = wallMs()
        try rig.venue.setFault("gemini", "rate429", requests: 1)
        try rig.venue.setFault("bitfinex", "ban418", requests: 1)
        try rig.venue.setFault("kraken", "http451", requests: 1)
        try rig.venue.setFault("bitstamp", "http403", requests: 1)

        var sawQuarantine: [String: String] = [:]
        var sawRateLimited = Set<String>()
        let deadline = Date().addingTimeInterval(7)
        while Date() < deadline {
            if let sources = (try? rig.health())?["sources"] as? [[String: Any]] {
                for s in sources {
                    let name = s["name"] as? String ?? ""
                    if s["state"] as? String == "quarantined" { sawQuarantine[name] = s["last_error"] as? String ?? "" }
                    if s["state"] as? String == "rate_limited" { sawRateLimited.insert(name) }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = try rig.venue.requestLog(nil)
        let window = Double(wallMs() - started)

        // Token bucket: never more than rate·(W + jitter) + burst in any window W (see tokenBucketMax).
        for v in OracleEndToEndTests.venues.map(\.name) {
            let times = log.filter { $0.venue == v }.map(\.ms).sorted()
            for w in [1_000, 3_000, Int64(window)] {
                let bound = WallClockBounds.tokenBucketMax(rate: 2, burst: 2, windowMs: w)
                let seen = maxInWindow(times, windowMs: w)
                #expect(seen <= bound, "\(v): \(seen) requests in \(w) ms > rate·W + burst = \(bound)")
            }
            #expect(!times.isEmpty, "\(v) was never asked")
        }

        // Retry-After / quarantine: after the refusal, nothing until the venue's wait is over. A request
        // for the source's other pair that the daemon sent before it had read the refusal may still
        // arrive: that is at most one poll interval (100 ms) plus one scheduling delay after it. The
        // end of the wait needs no headroom for load (load only makes the next request later); the
        // 50 ms cover the venue's and the daemon's clocks reading the same moment differently.
        let inFlightMs = Int64((0.1 + WallClockBounds.jitterSeconds) * 1000)
        for (v, status, waitMs) in [("gemini", 429, 3_000), ("bitfinex", 418, 3_000), ("kraken", 451, 2_000), ("bitstamp", 403, 2_000)] as [(String, Int, Int64)] {
            let rows = log.filter { $0.venue == v }
            guard let refusal = rows.first(where: { $0.status == status }) else {
                Issue.record("\(v) never answered \(status): \(rows.prefix(5))")
                continue
            }
            let early = rows.filter { $0.ms > refusal.ms + inFlightMs && $0.ms < refusal.ms + waitMs - 50 }
            #expect(early.isEmpty, "\(v): \(early.count) requests within \(waitMs) ms of its \(status): offsets \(early.map { $0.ms - refusal.ms })")
            #expect(rows.contains { $0.ms >= refusal.ms + waitMs - 50 }, "\(v) was never asked again after its \(status)")
        }
        #expect(sawRateLimited.contains("gemini") || sawRateLimited.contains("bitfinex"), "no source showed rate_limited: \(sawRateLimited)")
        #expect(sawQuarantine["kraken"]?.contains("451") == true, "kraken not quarantined with a 451 reason: \(sawQuarantine)")
        #expect(sawQuarantine["bitstamp"]?.contains("403") == true, "bitstamp not quarantined with a 403 reason: \(sawQuarantine)")
        // Recovered: quarantine is over and the sources answer again. Every wait (Retry-After 3 s,
        // quarantine 2 s, backoff_max 4 s) began ≥ 7 s ago, so what is left is at most one more
        // backoff_max (4 s) plus 2 s of headroom; a refusal treated as the 1 h default quarantine fails.
        #expect(await eventually(timeout: 6) {
            ["kraken", "bitstamp", "gemini", "bitfinex"].allSatisfy { rig.sourceHealth($0)?["state"] as? String == "ok" }
        }, "sources did not recover: \(((try? rig.health())?["sources"]) ?? "")")
        print("RELIABILITY ratelimit requests=\(log.count) window_ms=\(Int(window)) refusals=4 quarantined=\(sawQuarantine.count)")
    }

    @Test func memoryStaysBoundedWhileVenuesServe20MBBodies() async throws {
        let rig = try await StressRig("huge", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await rig.waitForOK(), "BTC-USD never became ok; daemon log:\n\(rig.daemon.log)")
        let before = residentKiB(pid: rig.pid) ?? 0
        var samples: [Int] = []
        for round in 0..<3 {
            for v in ["gemini", "okx", "bitfinex"] { try rig.venue.setFault(v, "huge", seconds: 2.5) }
            let end = Date().addingTimeInterval(2.5)
            while Date() < end {
                let t0 = Date()
                _ = try rig.mark(timeout: 3)
                #expect(Date().timeIntervalSince(t0) < WallClockBounds.promptAnswerSeconds, "socket slow in round \(round)")
                try await Task.sleep(for: .milliseconds(200))
            }
            samples.append(residentKiB(pid: rig.pid) ?? 0)
        }
        let log = try rig.venue.requestLog(nil)
        let hugeServed = log.filter { $0.mode == "huge" }.count
        #expect(hugeServed >= 9, "the fake served only \(hugeServed) huge bodies")
        #expect(rig.daemon.process.isRunning)
        #expect(samples.allSatisfy { $0 < 300 * 1024 }, "VmRSS \(samples) KiB exceeds 300 MB")
        #expect(samples.last! - samples.first! < 40 * 1024, "VmRSS grows across rounds: \(samples) KiB")
        try rig.venue.setFault("all", "ok")
        #expect(await rig.waitForOK(timeout: 10))
        print("RELIABILITY hugebodies served=\(hugeServed) rss_before_kib=\(before) rss_kib=\(samples.map(String.init).joined(separator: ","))")
    }
}

import Foundation
import Testing

/// The volatility surface end to end: the real daemon fetching option chains from the fake
/// venue's Deribit, OKX and Bybit endpoints (one SVI smile underneath), serving `/v1/vol/BTC`.
@Suite(.serialized)
struct VolEndToEndTests {
    static func config(dir: String, venueURL: String) -> String {
        """
        [daemon]
        socket = "\(dir)/oracled.sock"
        state_dir = "\(dir)/lib"
        spool_dir = "\(dir)/spool"
        poll_interval = "200ms"

        [aggregation]
        min_sources = 1

        [[source]]
        name = "coinbase"
        kind = "coinbase"
        base_url = "\(venueURL)/coinbase"

        [[pair]]
        symbol = "BTC-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        sources = [ { source = "coinbase", symbol = "BTC-USD" } ]

        [[vol]]
        underlying = "BTC"
        forward_pair = "BTC-USD"
        poll_interval = "300ms"
        sources = [
          { name = "deribit-opt", kind = "deribit_options", base_url = "\(venueURL)/deribit", rate_limit = 20 },
          { name = "okx-opt", kind = "okx_options", base_url = "\(venueURL)/okx", rate_limit = 20 },
          { name = "bybit-opt", kind = "bybit_options", base_url = "\(venueURL)/bybit", rate_limit = 20 },
          { name = "deribit-dvol", kind = "deribit_dvol", base_url = "\(venueURL)/deribit", rate_limit = 20 },
        ]
        """
    }

    /// ATM vol of the fake's default smile: √(a + b·√(m² + σ²)) with a = 0.16, b = 0.2, σ = 0.2, m = 0.
    static let atm = (0.16 + 0.2 * 0.2).squareRoot()

    @Test func surfaceFromThreeVenuesThenAnOutlierThenASpike() async throws {
        let dir = makeTempDir("vol-e2e")
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try Self.config(dir: dir, venueURL: venue.baseURL).write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", dir + "/oracles.toml"], logPath: dir + "/oracled.log")
        defer { daemon.kill(SIGKILL) }
        let client = UnixHTTPClient(path: dir + "/oracled.sock")

        func surface() -> [String: Any]? {
            guard let r = try? client.request("GET", "/v1/vol/BTC"), r.status == 200 else { return nil }
            return r.json
        }
        func expiries(_ s: [String: Any]) -> [[String: Any]] { s["expiries"] as? [[String: Any]] ?? [] }
        func atmVols(_ s: [String: Any]) -> [Double] { expiries(s).compactMap { $0["atm_vol"] as? Double } }

        var last: [String: Any]?
        let ok = await eventually(timeout: 30, interval: 0.25) {
            last = surface()
            guard let s = last, s["status"] as? String == "ok", expiries(s).count == 3 else { return false }
            return expiries(s).allSatisfy { ($0["sources_used"] as? [String])?.count == 3 }
        }
        #expect(ok, "surface: \(String(describing: last)); log: \(daemon.log.suffix(1500))")
        if let s = last {
            // Every expiry's ATM vol is the fake's smile at k = 0 (within the fake's 3e-4 wiggle and rounding).
            for v in atmVols(s) { #expect(abs(v - Self.atm) < 0.003, "atm \(v) vs \(Self.atm)") }
            #expect(expiries(s).allSatisfy { $0["method"] as? String == "svi" })
            let sources = s["sources"] as? [[String: Any]] ?? []
            #expect(sources.first { $0["source"] as? String == "deribit-dvol" }?["verdict"] as? String == "outlier",
                    "DVOL is fetched but not needed while options are quoted")
        }
        // /v1/health lists the vol sources (price sources' shape) and the surface; /metrics has both.
        let names = ["deribit-opt", "okx-opt", "bybit-opt", "deribit-dvol"]
        var health: [String: Any]?
        let healthy = await eventually(timeout: 10, interval: 0.25) {
            health = try? client.request("GET", "/v1/health").json
            let vs = health?["vol_sources"] as? [[String: Any]] ?? []
            return vs.map { $0["name"] as? String ?? "" } == names
                && vs.allSatisfy { $0["state"] as? String == "ok" && ($0["requests"] as? Int ?? 0) > 0 && $0["last_success"] is String }
                && ((health?["vol"] as? [[String: Any]])?.first?["status"] as? String) == "ok"
        }
        #expect(healthy, "health: \(String(describing: health))")
        #expect((health?["sources"] as? [[String: Any]])?.map { $0["name"] as? String } == ["coinbase"], "price sources stay apart")
        let metrics = try client.request("GET", "/metrics").body
        #expect(metrics.contains("oracled_vol_surface_status{underlying=\"BTC\",status=\"ok\"} 1"), "\(metrics)")
        for n in names { #expect(metrics.contains("oracled_source_requests_total{source=\"\(n)\"} "), "no requests counter for \(n)") }

        let list = try client.request("GET", "/v1/vol")
        #expect(list.status == 200)
        #expect(((list.json?["surfaces"] as? [[String: Any]])?.first?["underlying"] as? String) == "BTC")
        let unknown = try client.request("GET", "/v1/vol/DOGE")
        #expect(unknown.status == 404)
        #expect((unknown.json?["error"] as? [String: Any])?["message"] as? String != nil || unknown.body.contains("unknown underlying"))

        // Bybit quotes every vol 20 points high: it is an outlier at every strike, the surface stays ok on two venues.
        _ = try venue.control("/_control/vol?outlier=bybit&bump=0.2")
        let excluded = await eventually(timeout: 20, interval: 0.25) {
            last = surface()
            guard let s = last, s["status"] as? String == "ok" else { return false }
            return expiries(s).allSatisfy { ($0["sources_used"] as? [String]) == ["deribit-opt", "okx-opt"] }
                && ((s["sources"] as? [[String: Any]])?.first { $0["source"] as? String == "bybit-opt" }?["verdict"] as? String) == "outlier"
        }
        #expect(excluded, "surface: \(String(describing: last))")
        if let s = last { for v in atmVols(s) { #expect(abs(v - Self.atm) < 0.003) } }

        // A volatility spike (every vol × 1.5) on all venues moves the served surface with it.
        _ = try venue.control("/_control/vol?outlier=none&spike=1.5")
        let spiked = await eventually(timeout: 20, interval: 0.25) {
            last = surface()
            guard let s = last, s["status"] as? String == "ok" else { return false }
            let v = atmVols(s)
            return v.count == 3 && v.allSatisfy { abs($0 - 1.5 * Self.atm) < 0.005 }
        }
        #expect(spiked, "surface: \(String(describing: last))")

        // OKX answers 503: its verdict is error, and two venues still make an ok surface.
        _ = try venue.control("/_control/vol?fail=okx")
        let okxDown = await eventually(timeout: 20, interval: 0.25) {
            last = surface()
            let okx = (last?["sources"] as? [[String: Any]])?.first { $0["source"] as? String == "okx-opt" }
            return okx?["verdict"] as? String == "error" && last?["status"] as? String == "ok"
        }
        #expect(okxDown, "surface: \(String(describing: last))")
    }

    /// `oracled run --record` with a `[[vol]]` block through a volatility spike: the vol answers are on
    /// the tape, and `oracled replay` rebuilds the surfaces from them on the tape's clock — `vol.jsonl`
    /// shows the fake's smile (ATM √(a + bσ), computed here) and then every ATM vol × 1.5, the last
    /// replayed surface matches what the daemon served, and two replays are byte-identical.
    @Test func recordThroughASpikeThenReplayRebuildsTheSurfaces() async throws {
        let dir = makeTempDir("vol-record")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        let configPath = dir + "/oracles.toml"
        try Self.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let tape = dir + "/vol.tape"
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", configPath, "--record", tape], logPath: dir + "/oracled.log")
        defer { daemon.kill(SIGKILL) }
        let client = UnixHTTPClient(path: dir + "/oracled.sock")
        func liveATMs() -> [Double] {
            guard let s = try? client.request("GET", "/v1/vol/BTC").json, s["status"] as? String == "ok" else { return [] }
            return (s["expiries"] as? [[String: Any]] ?? []).compactMap { $0["atm_vol"] as? Double }
        }
        let calm = await eventually(timeout: 30, interval: 0.25) {
            let v = liveATMs()
            return v.count == 3 && v.allSatisfy { abs($0 - Self.atm) < 0.003 }
        }
        #expect(calm, "\(daemon.log.suffix(1500))")
        _ = try venue.control("/_control/vol?spike=1.5")
        var live: [Double] = []
        let spiked = await eventually(timeout: 20, interval: 0.25) {
            live = liveATMs()
            return live.count == 3 && live.allSatisfy { abs($0 - 1.5 * Self.atm) < 0.005 }
        }
        #expect(spiked, "live: \(live)")
        // A few more answers at the spiked level, so the tape ends on it.
        try await Task.sleep(for: .milliseconds(1200))
        daemon.kill(SIGTERM)
        #expect(await daemon.wait(timeout: 15), "daemon did not stop: \(daemon.log.suffix(1500))")

        var outputs: [[Data]] = []
        for run in 1...2 {
            let out = dir + "/out\(run)"
            let r = await runCommand(Binaries.path("oracled"), ["replay", tape, "--config", configPath, "--out", out])
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("vol.jsonl"), "\(r.output)")
            outputs.append(try ["marks.jsonl", "vol.jsonl", "summary.json", "report.html"].map { try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0)) })
        }
        #expect(outputs[0] == outputs[1], "two replays of one tape differ")

        let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out1/summary.json")))) as? [String: Any]
        let sources = summary?["sources"] as? [String: Any] ?? [:]
        for name in ["deribit-opt", "okx-opt", "bybit-opt", "deribit-dvol"] {
            let responses = (sources[name] as? [String: Any])?["responses"] as? Int ?? 0
            #expect(responses > 0, "no \(name) records on the tape: \(String(describing: summary))")
        }
        #expect((summary?["vol_responses"] as? Int ?? 0) >= 4, "\(String(describing: summary))")
        #expect(summary?["skipped_responses"] as? Int == 0)
        #expect(((sources["coinbase"] as? [String: Any])?["responses"] as? Int ?? 0) > 0, "the price side replays as before")

        // vol.jsonl: one line per build; the ok builds start on the smile and end spiked by 1.5.
        let text = try String(contentsOfFile: dir + "/out1/vol.jsonl", encoding: .utf8)
        let lines = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count > 3 && lines.allSatisfy { $0["underlying"] as? String == "BTC" })
        let btc = (summary?["vol"] as? [String: Any])?["BTC"] as? [String: Any]
        #expect(btc?["builds"] as? Int == lines.count && summary?["vol_builds"] as? Int == lines.count, "\(String(describing: btc))")
        func atms(_ l: [String: Any]) -> [Double] { (l["expiries"] as? [[String: Any]] ?? []).compactMap { $0["atm_vol"] as? Double } }
        let ok = lines.filter { $0["status"] as? String == "ok" && atms($0).count == 3 }
        let first = try #require(ok.first, "no ok build in vol.jsonl:\n\(text.prefix(2000))")
        let last = try #require(ok.last)
        for v in atms(first) { #expect(abs(v - Self.atm) < 0.003, "first ok build ATM \(v) vs \(Self.atm)") }
        for v in atms(last) { #expect(abs(v - 1.5 * Self.atm) < 0.005, "last build ATM \(v) vs \(1.5 * Self.atm)") }
        for (a, b) in zip(atms(first), atms(last)) { #expect(abs(b / a - 1.5) < 0.01, "ATM \(a) → \(b): not the spike factor") }
        // The daemon's last served surface and the replay's last build agree (same parsers, same builder).
        for (r, l) in zip(atms(last), live) { #expect(abs(r - l) < 0.003, "replayed \(r) vs live \(l)") }
        let html = String(decoding: outputs[0][3], as: UTF8.self)
        #expect(html.contains("<h2>BTC volatility surface</h2>") && html.contains("<polyline"), "report.html has no vol chart")
        let firstAt = first["at"] as? String ?? "", lastAt = last["at"] as? String ?? ""
        #expect(firstAt < lastAt, "builds are on the tape's clock: \(firstAt) → \(lastAt)")
    }

    /// A short straddle on a live margin desk through a volatility spike (prices unchanged), recorded;
    /// `oracled replay` of the tape with the same account calls it at the same level, at a ratio
    /// within 0.03 of the live one: the replayed account is valued on the replayed surfaces as live.
    @Test func aReplayedOptionAccountIsCalledAsLive() async throws {
        let dir = makeTempDir("vol-opt-replay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        _ = try venue.control("/_control/wiggle?on=0")
        let config = MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: nil) + """

        [[vol]]
        underlying = "BTC"
        forward_pair = "BTC-USD"
        poll_interval = "300ms"
        sources = [
          { name = "deribit-opt", kind = "deribit_options", base_url = "\(venue.baseURL)/deribit", rate_limit = 20 },
          { name = "okx-opt", kind = "okx_options", base_url = "\(venue.baseURL)/okx", rate_limit = 20 },
          { name = "bybit-opt", kind = "bybit_options", base_url = "\(venue.baseURL)/bybit", rate_limit = 20 },
        ]

        """
        let configPath = dir + "/oracles.toml", tape = dir + "/opt.tape"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", configPath, "--record", tape], logPath: dir + "/oracled.log")
        defer { daemon.kill(SIGKILL) }
        let client = UnixHTTPClient(path: dir + "/oracled.sock")
        func number(_ v: Any?) -> Double? { (v as? String).flatMap(Double.init) ?? (v as? NSNumber)?.doubleValue }
        var surface: [String: Any]?
        let ready = await eventually(timeout: 30, interval: 0.25) {
            surface = try? client.request("GET", "/v1/vol/BTC").json
            let mark = try? client.request("GET", "/v1/prices/BTC-USD").json
            return surface?["status"] as? String == "ok" && (surface?["expiries"] as? [Any])?.count == 3 && mark?["status"] as? String == "ok"
        }
        try #require(ready, "\(daemon.log.suffix(1500))")
        let forward = try #require(number(try client.request("GET", "/v1/prices/BTC-USD").json?["price"]))
        let strike = (forward / 1000).rounded() * 1000
        let expiry = try #require(((surface?["expiries"] as? [[String: Any]])?[1])?["expiry"] as? String)
        func straddle(_ id: String, collateral: Double) -> String {
            let legs = ["call", "put"].map { right in
                #"{"option": {"underlying": "BTC-USD", "right": "\#(right)", "strike": "\#(Int(strike))", "expiry": "\#(expiry)"}, "quantity": "-1", "entry_price": "2000"}"#
            }
            return #"{"id": "\#(id)", "collateral": [{"asset": "USD", "amount": "\#(String(format: "%.2f", collateral))"}], "positions": [\#(legs.joined(separator: ", "))]}"#
        }
        func importLine(_ line: String) throws {
            let r = try client.request("POST", "/v1/accounts/import", body: line + "\n", timeout: 30)
            try #require(r.status == 200, "import → \(r.status) \(r.body)")
        }
        // A probe without collateral gives the calm equity and requirement; collateral for a calm ratio of 1.35.
        try importLine(straddle("probe", collateral: 0))
        var probe: [String: Any]?
        #expect(await eventually(timeout: 10, interval: 0.2) {
            probe = try? client.request("GET", "/v1/accounts/probe").json
            return number(probe?["maintenance_requirement"]).map { $0 > 0 } == true
        }, "\(String(describing: probe))")
        let e0 = try #require(number(probe?["equity"])), r0 = try #require(number(probe?["maintenance_requirement"]))
        let collateral = 1.35 * r0 - e0
        let line = straddle("straddle", collateral: collateral)
        try line.write(toFile: dir + "/accounts.ndjson", atomically: true, encoding: .utf8)
        try importLine(line)
        try await Task.sleep(for: .milliseconds(1500))

        // The spike: every vol × 1.5, prices unchanged. The live desk calls the straddle.
        _ = try venue.control("/_control/vol?spike=1.5")
        let spool = SpoolInspector(directory: dir + "/spool")
        var live: [[String: Any]] = []
        let called = await eventually(timeout: 20, interval: 0.25) {
            live = spool.journal().entries.map(\.json).filter { $0["account"] as? String == "straddle" }
            return !live.isEmpty
        }
        #expect(called, "no live notice; account: \(String(describing: try? client.request("GET", "/v1/accounts/straddle").json))")
        try await Task.sleep(for: .milliseconds(1500))
        live = spool.journal().entries.map(\.json).filter { $0["account"] as? String == "straddle" }
        daemon.kill(SIGTERM)
        #expect(await daemon.wait(timeout: 15), "daemon did not stop: \(daemon.log.suffix(1500))")

        let out = dir + "/out"
        let r = await runCommand(Binaries.path("oracled"), ["replay", tape, "--config", configPath, "--accounts", dir + "/accounts.ndjson", "--out", out])
        #expect(r.status == 0, "\(r.output)")
        let replayed = ((try? String(contentsOfFile: out + "/notices.jsonl", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let liveFirst = try #require(live.first), replayFirst = try #require(replayed.first, "the replay called nothing; live: \(live)")
        #expect(replayFirst["account"] as? String == "straddle")
        #expect(replayFirst["level"] as? String == liveFirst["level"] as? String, "replay \(replayFirst) vs live \(liveFirst)")
        let lr = number(liveFirst["ratio"]), rr = number(replayFirst["ratio"])
        #expect(lr != nil && rr != nil && abs(lr! - rr!) < 0.03, "ratio live \(String(describing: lr)) vs replay \(String(describing: rr))")
        #expect(replayed.map { $0["level"] as? String ?? "" } == live.map { $0["level"] as? String ?? "" }, "levels replay \(replayed.map { $0["level"] ?? "" }) vs live \(live.map { $0["level"] ?? "" })")
    }
}

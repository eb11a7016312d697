import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9's recovery matrix: each fault is injected, held, then cleared, and the time from the
/// moment it clears until the oracle is back to normal (BTC-USD `ok` on a fresh quorum) is measured
/// and bounded. Sources run on the daemon's default backoff (no `backoff_*` keys), as an operator's
/// would. Outages of 10 minutes and more are covered on a simulated clock (`SourceRecoveryTests`);
/// `ORACLED_LONG_OUTAGE_SECONDS` (set by `make reliability`) adds a real long outage here.
@Suite(.serialized)
struct RecoveryMatrixTests {
    /// The objective: marks `ok` again within 15 s of quorum being possible.
    static let objective = 15.0

    func rig(_ name: String) async throws -> StressRig {
        var config = StressConfig(pollInterval: "500ms", quarantine: "1h")
        config.backoffBase = nil
        config.backoffMax = nil
        let rig = try await StressRig(name, config: config)
        try #require(await rig.waitForOK(timeout: 30), "BTC-USD never became ok; log:\n\(rig.daemon.log)")
        return rig
    }

    /// Seconds from now until BTC-USD is `ok` again with a quorum of fresh sources (nil past `timeout`).
    func timeToOK(_ rig: StressRig, timeout: Double = 40) async -> Double? {
        let start = Date()
        let ok = await eventually(timeout: timeout, interval: 0.1) {
            let m = try rig.mark(timeout: 2)
            return m["status"] as? String == "ok" && (m["sources_used"] as? Int ?? 0) >= 3 && (m["age_ms"] as? Int ?? .max) < 3_000
        }
        return ok ? Date().timeIntervalSince(start) : nil
    }

    static var outages: [Double] {
        var list = [10.0]
        if let long = Double(ProcessInfo.processInfo.environment["ORACLED_LONG_OUTAGE_SECONDS"] ?? "") { list.append(long) }
        return list
    }

    @Test(.timeLimit(.minutes(15)), arguments: outages)
    func everyVenueButOneDownThenBack(seconds: Double) async throws {
        let rig = try await rig("outage")
        defer { rig.cleanUp() }
        // Every way a venue goes down, at once: 503, timeouts, 502 HTML, truncated bodies, 500s; one venue stays.
        let modes = ["http503", "hang", "html", "truncated", "http500", "http502"]
        let down = OracleEndToEndTests.venues.map(\.name).filter { $0 != "coinbase" }
        for (i, v) in down.enumerated() { try rig.venue.setFault(v, modes[i % modes.count]) }
        let lost = await eventually(timeout: 20) { (try? rig.mark())?["status"] as? String != "ok" }
        #expect(lost, "the mark stayed ok with one venue up")
        try await Task.sleep(for: .seconds(seconds))
        for v in down { try rig.venue.setFault(v, "ok") }
        let t = await timeToOK(rig)
        print("RELIABILITY recovery fault=venues_down lasted_s=\(Int(seconds)) recovery_s=\(t.map { String(format: "%.1f", $0) } ?? "never") objective_s=\(Int(Self.objective)) lost=nothing")
        let recovered = try #require(t, "marks never became ok again; health: \((try? rig.health()) ?? [:])")
        #expect(recovered <= Self.objective, "ok again only \(recovered) s after every venue was back")
    }

    @Test(.timeLimit(.minutes(3)))
    func sigstopThenSigcont() async throws {
        let rig = try await rig("sigstop")
        defer { rig.cleanUp() }
        kill(rig.pid, SIGSTOP)
        try await Task.sleep(for: .seconds(8))
        kill(rig.pid, SIGCONT)
        let t = await timeToOK(rig)
        print("RELIABILITY recovery fault=sigstop lasted_s=8 recovery_s=\(t.map { String(format: "%.1f", $0) } ?? "never") objective_s=\(Int(Self.objective)) lost=nothing")
        let recovered = try #require(t, "marks never became ok after SIGCONT; log:\n\(rig.daemon.log.suffix(2_000))")
        #expect(recovered <= Self.objective)
        #expect(rig.daemon.process.isRunning)
    }

    @Test(.timeLimit(.minutes(3)))
    func dnsFailureFixedByReload() async throws {
        let rig = try await rig("dns")
        defer { rig.cleanUp() }
        let good = try String(contentsOfFile: rig.configPath, encoding: .utf8)
        // `.invalid` never resolves (RFC 6761): every source fails name resolution.
        let port = rig.venue.baseURL.split(separator: ":").last.map(String.init) ?? "1"
        try good.replacingOccurrences(of: rig.venue.baseURL, with: "http://venue.oracled.invalid:\(port)")
            .write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        kill(rig.pid, SIGHUP)
        let failing = await eventually(timeout: 20) {
            ((try? rig.health())?["sources"] as? [[String: Any]])?.allSatisfy { ($0["consecutive_errors"] as? Int ?? 0) > 0 } == true
        }
        #expect(failing, "sources did not fail on an unresolvable host: \((try? rig.health()) ?? [:])")
        let errors = ((try? rig.health())?["sources"] as? [[String: Any]])?.compactMap { $0["last_error"] as? String } ?? []
        #expect(errors.contains { $0.lowercased().contains("resolve") || $0.contains("dns") }, "errors do not say it is DNS: \(errors.prefix(2))")
        try await Task.sleep(for: .seconds(5))
        try good.write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        kill(rig.pid, SIGHUP)
        let t = await timeToOK(rig)
        print("RELIABILITY recovery fault=dns_failure lasted_s=5 recovery_s=\(t.map { String(format: "%.1f", $0) } ?? "never") objective_s=\(Int(Self.objective)) lost=nothing")
        let recovered = try #require(t, "marks never became ok after the fix; log:\n\(rig.daemon.log.suffix(2_000))")
        #expect(recovered <= Self.objective)
    }

    static let libfaketime = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"]
        .first { FileManager.default.fileExists(atPath: $0) }

    /// The host's wall clock steps forward (NTP correction, an operator's `date -s`) by 2 h for 8 s,
    /// then back; the daemon alone sees it (libfaketime; monotonic time stays real). While the clock is
    /// wrong the venues' timestamps look 2 h old, so marks must not be `ok`; once it is right again the
    /// marks are `ok` within the objective.
    ///
    /// A backward step is not run here: libfaketime also shifts CLOCK_BOOTTIME, on which Swift's
    /// `Task.sleep` runs, so every sleep in the process would wait the 2 h — an artefact of the tool
    /// (a real step moves only CLOCK_REALTIME), which hid what the daemon itself does. The fetch
    /// schedules run on monotonic time, so a real backward step cannot starve them.
    @Test(.enabled(if: libfaketime != nil, "needs libfaketime to step the daemon's wall clock (.ci/run installs faketime)"),
          .timeLimit(.minutes(4)), arguments: ["+2h"])
    func wallClockStepThenBack(step: String) async throws {
        let dir = makeTempDir("clock")
        let offsetFile = dir + "/faketime"
        try "+0\n".write(toFile: offsetFile, atomically: true, encoding: .utf8)
        var config = StressConfig(pollInterval: "500ms", quarantine: "1h")
        config.backoffBase = nil
        config.backoffMax = nil
        let rig = try await StressRig("clock", config: config, environment: [
            "LD_PRELOAD": Self.libfaketime!, "FAKETIME_TIMESTAMP_FILE": offsetFile, "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1", "DONT_FAKE_MONOTONIC": "1",
        ], viaEnv: true)
        defer { rig.cleanUp(); try? FileManager.default.removeItem(atPath: dir) }
        try #require(await rig.waitForOK(timeout: 30), "BTC-USD never became ok; log:\n\(rig.daemon.log)")
        // One account in call (its deadline an hour away), one healthy.
        let accounts = #"{"id":"called","collateral":[{"asset":"USD","amount":"3500"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"67000"}]}"# + "\n"
            + #"{"id":"healthy","collateral":[{"asset":"USD","amount":"100000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"67000"}]}"# + "\n"
        let imp = try rig.client.request("POST", "/v1/accounts/import", body: accounts)
        try #require(imp.status == 200, "import → \(imp.status) \(imp.body)")
        let calls = { ((try? rig.client.request("GET", "/v1/calls?state=all").json)?["notices"] as? [[String: Any]]) ?? [] }
        try #require(await eventually(timeout: 10) { calls().count == 1 }, "the called account got no notice: \(calls())")
        let before = calls().count

        try "\(step)\n".write(toFile: offsetFile, atomically: true, encoding: .utf8)
        let degraded = await eventually(timeout: 15) { (try? rig.mark())?["status"] as? String != "ok" }
        #expect(degraded, "marks stayed ok with the clock \(step) off")
        try await Task.sleep(for: .seconds(8))
        try "+0\n".write(toFile: offsetFile, atomically: true, encoding: .utf8)
        let t = await timeToOK(rig)
        print("RELIABILITY recovery fault=wall_clock_step_\(step.hasPrefix("+") ? "forward" : "backward") lasted_s=8 recovery_s=\(t.map { String(format: "%.1f", $0) } ?? "never") objective_s=\(Int(Self.objective)) lost=nothing")
        let recovered = try #require(t, "marks never became ok after the clock was fixed; log:\n\(rig.daemon.log.suffix(2_000))")
        #expect(recovered <= Self.objective)
        try await Task.sleep(for: .seconds(2))
        // Deadlines run on steady time (WallClock.steadyNowMs): the 2 h step must not expire the call.
        #expect(calls().count == before, "a clock step produced notices: \(calls().map { "\($0["id"] ?? "")" })")
        #expect(rig.daemon.process.isRunning)
    }
}

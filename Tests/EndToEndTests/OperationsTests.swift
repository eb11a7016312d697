import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: collects sd_notify messages.
final class NotifySink: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private(set) var messages: [(at: Date, text: String)] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket(AF_UNIX, SOCK_DGRAM) failed: errno \(errno)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { close(fd); throw HarnessError("bind \(path) failed: errno \(errno)") }
    }

    /// Takes every datagram waiting (never blocks).
    func drain() {
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { return }
            messages.append((Date(), String(decoding: buf[0..<n], as: UTF8.self)))
        }
    }

    func count(_ line: String, since: Date = .distantPast) -> Int {
        drain()
        return messages.filter { $0.at >= since && $0.text.split(separator: "\n").contains(Substring(line)) }.count
    }

    /// Arrival times of `line` over the next `seconds`, reading every 20 ms (each time is within
    /// 20 ms of the datagram's arrival; `count` alone stamps them when it happens to be called).
    func arrivals(_ line: String, for seconds: Double) async -> [Date] {
        drain()
        let start = Date(), end = start.addingTimeInterval(seconds)
        while Date() < end {
            try? await Task.sleep(for: .milliseconds(20))
            drain()
        }
        return messages.filter { $0.at >= start && $0.text.split(separator: "\n").contains(Substring(line)) }.map(\.at)
    }

    /// Waits until `line` has not arrived for `quiet` seconds, reading every 20 ms; false past `timeout`.
    func silence(_ line: String, quiet: Double, timeout: Double) async -> Bool {
        drain()
        let deadline = Date().addingTimeInterval(timeout)
        var last = Date()
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            let before = messages.count
            drain()
            if messages[before...].contains(where: { $0.text.split(separator: "\n").contains(Substring(line)) }) { last = Date() }
            if Date().timeIntervalSince(last) >= quiet { return true }
        }
        return false
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

/// Operations under stress: SIGHUP storms, invalid reloads, the watchdog on a stalled loop, SIGTERM
/// during a notice burst, and a second daemon on a live socket.
@Suite(.serialized)
struct OperationsTests {
    /// The message of the API's `{"error": {"code", "message"}}` (or a plain string error).
    static func errorMessage(_ r: UnixHTTPClient.Response) -> String {
        if let e = r.json?["error"] as? [String: Any] { return e["message"] as? String ?? "" }
        return r.json?["error"] as? String ?? ""
    }

    @Test func sighupStormKeepsServingAndMarksFlowing() async throws {
        let rig = try await StressRig("hup", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await rig.waitForOK(), "BTC-USD never became ok; log:\n\(rig.daemon.log)")
        let seq0 = try rig.mark()["seq"] as? Int ?? 0
        var signals = 0
        var slow: [Int] = []
        var failed = 0
        // 50 SIGHUPs in 2 s, a request between each.
        for _ in 0..<50 {
            rig.daemon.kill(SIGHUP)
            signals += 1
            let t0 = Date()
            if (try? rig.mark(timeout: 3)) == nil { failed += 1 }
            let ms = Int(Date().timeIntervalSince(t0) * 1000)
            // A reload must not hold the socket (see WallClockBounds.promptAnswerSeconds).
            if Double(ms) > WallClockBounds.promptAnswerSeconds * 1000 { slow.append(ms) }
            try await Task.sleep(for: .milliseconds(40))
        }
        #expect(rig.daemon.process.isRunning, "oracled died in the SIGHUP storm; log:\n\(rig.daemon.log)")
        #expect(failed == 0, "\(failed) requests failed during the storm")
        #expect(slow.isEmpty, "slow answers during the storm: \(slow) ms")
        let seq1 = try rig.mark()["seq"] as? Int ?? 0
        #expect(await eventually(timeout: 5) { ((try? rig.mark())?["seq"] as? Int ?? 0) > seq1 }, "marks stopped updating after the storm")
        #expect(seq1 > seq0)
        #expect(await rig.waitForOK(timeout: 10))
        let metrics = try rig.client.request("GET", "/metrics").body
        let reloadsOK = metrics.split(separator: "\n").first { $0.hasPrefix("oracled_reloads_total{result=\"ok\"}") }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(reloadsOK >= 1, "no reload counted after \(signals) SIGHUPs")
        #expect(try rig.health()["last_reload_error"] is NSNull)
        print("RELIABILITY sighup signals=\(signals) reloads_ok=\(reloadsOK) failed_requests=\(failed)")
    }

    @Test func invalidReloadKeepsTheOldConfigAndAValidEditIsPickedUp() async throws {
        let rig = try await StressRig("reload", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await rig.waitForOK(), "BTC-USD never became ok; log:\n\(rig.daemon.log)")
        let good = try String(contentsOfFile: rig.configPath, encoding: .utf8)

        // A syntax error on line 6.
        var lines = good.components(separatedBy: "\n")
        lines[5] = "poll_interval = = \"oops"
        try lines.joined(separator: "\n").write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        rig.daemon.kill(SIGHUP)
        #expect(await eventually(timeout: 5) { (try? rig.health())?["last_reload_error"] as? String != nil },
                "SIGHUP with a broken file did not set last_reload_error")
        let r = try rig.client.request("POST", "/v1/reload")
        #expect(r.status == 422, "POST /v1/reload with a broken file → \(r.status) \(r.body)")
        let reason = Self.errorMessage(r)
        #expect(reason.contains("oracles.toml") && (reason.lowercased().contains("line 6") || reason.contains("oracles.toml:6")), "422 reason does not name file and line: \(reason)")
        let seq = try rig.mark()["seq"] as? Int ?? 0
        #expect(await eventually(timeout: 5) { ((try? rig.mark())?["seq"] as? Int ?? 0) > seq + 3 }, "marks stopped after the rejected reload")
        #expect(try rig.mark()["status"] as? String == "ok")

        // A semantic error (unknown source in a pair) is rejected the same way.
        try (good + "\n[[pair]]\nsymbol = \"SOL-USD\"\nmaintenance_margin = 0.1\ninitial_margin = 0.2\nsources = [{ source = \"nowhere\", symbol = \"SOLUSD\" }]\n")
            .write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let r2 = try rig.client.request("POST", "/v1/reload")
        #expect(r2.status == 422 && Self.errorMessage(r2).contains("nowhere"), "unknown source not rejected: \(r2.status) \(r2.body)")
        #expect(try rig.client.request("GET", "/v1/prices/SOL-USD").status == 404)

        // A valid edit: ETH-USD appears.
        #expect(try rig.client.request("GET", "/v1/prices/ETH-USD").status == 404)
        let eth = """

        [[pair]]
        symbol = "ETH-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        sources = [
          { source = "coinbase", symbol = "ETH-USD" },
          { source = "kraken", symbol = "ETHUSD" },
          { source = "bitstamp", symbol = "ethusd" },
          { source = "gemini", symbol = "ethusd" },
        ]

        """
        let edited = good.replacingOccurrences(of: "\n[margin]", with: eth + "\n[margin]")
        try edited.write(toFile: rig.configPath, atomically: true, encoding: .utf8)
        let ok = try rig.client.request("POST", "/v1/reload")
        #expect(ok.status == 200, "valid reload → \(ok.status) \(ok.body)")
        #expect(await eventually(timeout: 10) { (try? rig.mark("ETH-USD"))?["status"] as? String == "ok" },
                "ETH-USD did not appear after the reload: \((try? rig.client.request("GET", "/v1/prices").body) ?? "")")
        #expect(try rig.health()["last_reload_error"] is NSNull, "last_reload_error not cleared by a good reload")
        #expect(try rig.mark()["status"] as? String == "ok")
        print("RELIABILITY reload rejected=3 accepted=1")
    }

    @Test func watchdogStopsWhenThePollLoopStalls() async throws {
        let side = makeTempDir("notify")
        defer { try? FileManager.default.removeItem(atPath: side) }
        let sink = try NotifySink(path: side + "/notify.sock")
        let stall = side + "/stall"
        let rig = try await StressRig("wd", config: StressConfig(), environment: [
            "NOTIFY_SOCKET": sink.path, "WATCHDOG_USEC": "2000000", "ORACLED_FAULT_STALL_FILE": stall,
        ])
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { sink.count("READY=1") >= 1 }, "no READY=1; log:\n\(rig.daemon.log)")
        // The bounds follow from WATCHDOG_USEC = 2 s: systemd restarts a unit silent for that long and
        // asks for a ping every half of it (sd_watchdog_enabled(3)), so a healthy daemon must never be
        // silent for 1 s. It pings once per 100 ms poll cycle: 1 s is 10 cycles, ample for cycles made
        // late by a loaded 2-core machine (WallClockBounds.jitterSeconds each), and a daemon that does
        // not feed the watchdog, or feeds it only as often as systemd's limit, fails it.
        let watchdog = 2.0, half = watchdog / 2, observed = 3.0
        let pings = await sink.arrivals("WATCHDOG=1", for: observed)
        let observedFrom = Date().addingTimeInterval(-observed)
        let edges = [observedFrom] + pings + [Date()]
        let maxGap = zip(edges, edges.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? observed
        let beforeStall = pings.count
        #expect(maxGap <= half, "the watchdog went \(String(format: "%.2f", maxGap)) s without WATCHDOG=1 (\(beforeStall) in \(observed) s of a 100 ms loop)")
        #expect(beforeStall >= Int(observed / half), "only \(beforeStall) WATCHDOG=1 in \(observed) s")

        // Stall: after the cycle in progress, no more WATCHDOG=1; the socket still answers. Waits for
        // the event (1 s without a ping, which a running loop never shows; see above) rather than a
        // fixed time; the cycle in progress ends within a fetch timeout (1 s) plus a poll interval.
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        #expect(await sink.silence("WATCHDOG=1", quiet: half, timeout: 10), "WATCHDOG=1 never stopped after the stall file appeared")
        let stalledFrom = Date()
        let cycleAtStall = try rig.health()["last_cycle"] as? String
        // One whole watchdog interval of silence: systemd would restart the unit.
        try await Task.sleep(for: .seconds(watchdog))
        let duringStall = sink.count("WATCHDOG=1", since: stalledFrom)
        #expect(duringStall == 0, "\(duringStall) WATCHDOG=1 while the poll loop was stalled")
        #expect(try rig.health()["last_cycle"] as? String == cycleAtStall, "last_cycle advanced during the stall")

        // Unstall: feeding resumes at the healthy cadence, at least one ping per half interval (the
        // stall loop looks for the file every 50 ms; the cycles then ping every 100 ms).
        try FileManager.default.removeItem(atPath: stall)
        let resumed = Date()
        #expect(await eventually(timeout: 3 * half, interval: 0.02) { sink.count("WATCHDOG=1", since: resumed) >= 3 }, "WATCHDOG=1 did not resume")

        // SIGTERM while stalled still shuts down gracefully.
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        #expect(await sink.silence("WATCHDOG=1", quiet: half, timeout: 10), "WATCHDOG=1 never stopped after the second stall")
        rig.daemon.kill(SIGTERM)
        #expect(await rig.daemon.wait(timeout: 10), "oracled did not exit on SIGTERM while stalled")
        #expect(rig.daemon.process.terminationStatus == 0, "exit status \(rig.daemon.process.terminationStatus); log:\n\(rig.daemon.log)")
        #expect(sink.count("STOPPING=1") >= 1)
        print("RELIABILITY watchdog fed_before=\(beforeStall) max_gap_s=\(String(format: "%.2f", maxGap)) fed_during_stall=\(duringStall)")
    }

    @Test(.enabled(if: findTool("sqlite3") != nil, "needs the sqlite3 CLI to read the outbox (.ci/run installs it)"))
    func sigtermDuringANoticeBurstDeliversEveryCommittedNotice() async throws {
        let sqlite = try #require(findTool("sqlite3"))
        let rig = try await StressRig("term", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await rig.waitForOK(), "BTC-USD never became ok; log:\n\(rig.daemon.log)")
        // 1000 accounts long 2 BTC at 67000; collateral spread so a fall to 50250 puts each on some level.
        let n = 1000
        let ndjson = (0..<n).map { i in
            #"{"id":"acct-\#(i)","collateral":[{"asset":"USD","amount":"\#(36_000 + i * 4)"}],"positions":[{"pair":"BTC-USD","quantity":"2","entry_price":"67000"}]}"#
        }.joined(separator: "\n") + "\n"
        let imp = try rig.client.request("POST", "/v1/accounts/import", body: ndjson, timeout: 30)
        #expect(imp.status == 200, "import → \(imp.status) \(imp.body.prefix(300))")

        try rig.venue.setPrice("BTC-USD", 50_250)
        let journal = rig.dir + "/spool/calls.jsonl"
        #expect(await eventually(timeout: 15, interval: 0.02) {
            ((try? FileManager.default.contentsOfDirectory(atPath: rig.dir + "/spool/new"))?.count ?? 0) > 0
        }, "no notice appeared; log:\n\(rig.daemon.log)")
        let t0 = Date()
        rig.daemon.kill(SIGTERM)
        // systemd kills the unit TimeoutStopSec = 30 s after SIGTERM (systemd/oracled.service); the final
        // delivery of ~1,000 notices takes ~1 s idle, so 10 s leaves 10× headroom and a third of the unit's limit.
        #expect(await rig.daemon.wait(timeout: 10), "oracled did not exit within 10 s of SIGTERM")
        let exitSeconds = Date().timeIntervalSince(t0)
        #expect(rig.daemon.process.terminationStatus == 0, "exit status \(rig.daemon.process.terminationStatus); log:\n\(rig.daemon.log)")

        let db = rig.dir + "/lib/oracled.sqlite"
        let ids = await runCommand(sqlite, [db, "SELECT id FROM notice ORDER BY id"]).output
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let undelivered = await runCommand(sqlite, [db, "SELECT count(*) FROM notice WHERE delivered = 0"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let files = Set(((try? FileManager.default.contentsOfDirectory(atPath: rig.dir + "/spool/new")) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) })
        let lines = ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").split(separator: "\n")
        var journalIDs: [String: Int] = [:]
        var torn = 0
        for line in lines {
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], let id = obj["id"] as? String else {
                torn += 1
                continue
            }
            journalIDs[id, default: 0] += 1
        }
        #expect(!ids.isEmpty, "no notice committed before SIGTERM")
        #expect(undelivered == "0", "\(undelivered) committed notices left undelivered by a graceful shutdown")
        let missingFiles = ids.filter { !files.contains($0) }
        let missingLines = ids.filter { journalIDs[$0] == nil }
        #expect(missingFiles.isEmpty, "\(missingFiles.count) committed notices without a spool file")
        #expect(missingLines.isEmpty, "\(missingLines.count) committed notices without a calls.jsonl line")
        #expect(journalIDs.values.allSatisfy { $0 == 1 }, "duplicate lines in calls.jsonl")
        #expect(torn == 0, "\(torn) torn lines in calls.jsonl")
        #expect(files.count == ids.count, "spool has \(files.count) files for \(ids.count) notices")
        print("RELIABILITY sigterm notices=\(ids.count) accounts=\(n) exit_s=\(String(format: "%.2f", exitSeconds)) undelivered=\(undelivered)")
    }

    @Test func aSecondDaemonOnTheLiveSocketRefusesToStart() async throws {
        let rig = try await StressRig("second", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { (try? rig.health()) != nil }, "daemon not serving; log:\n\(rig.daemon.log)")
        let inode = (try? FileManager.default.attributesOfItem(atPath: rig.socketPath)[.systemFileNumber] as? Int) ?? -1
        let second = try ChildProcess(Binaries.path("oracled"), ["run", "--config", rig.configPath], logPath: rig.dir + "/second.log")
        defer { second.kill(SIGKILL) }
        #expect(await second.wait(timeout: 15), "the second daemon kept running on a live socket")
        #expect(second.process.terminationStatus != 0, "the second daemon exited 0")
        #expect(second.log.contains(rig.socketPath), "refusal does not name the socket: \(second.log)")
        let inodeAfter = (try? FileManager.default.attributesOfItem(atPath: rig.socketPath)[.systemFileNumber] as? Int) ?? -2
        #expect(inode == inodeAfter, "the socket file was replaced")
        #expect(rig.daemon.process.isRunning)
        #expect(try rig.health()["status"] != nil, "the first daemon stopped serving")
        let seq = try rig.mark()["seq"] as? Int ?? 0
        #expect(await eventually(timeout: 5) { ((try? rig.mark())?["seq"] as? Int ?? 0) > seq }, "the first daemon's marks stopped")
        print("RELIABILITY second-daemon refused=1 exit=\(second.process.terminationStatus)")
    }
}

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
            if ms > 1_000 { slow.append(ms) }
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
        let fed = Date()
        try await Task.sleep(for: .seconds(1))
        let beforeStall = sink.count("WATCHDOG=1", since: fed)
        #expect(beforeStall >= 5, "only \(beforeStall) WATCHDOG=1 in 1 s of a 100 ms loop")

        // Stall: after the cycle in progress, no more WATCHDOG=1; the socket still answers.
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        try await Task.sleep(for: .milliseconds(500))
        let stalledFrom = Date()
        let cycleAtStall = try rig.health()["last_cycle"] as? String
        try await Task.sleep(for: .seconds(2))
        let duringStall = sink.count("WATCHDOG=1", since: stalledFrom)
        #expect(duringStall == 0, "\(duringStall) WATCHDOG=1 while the poll loop was stalled")
        #expect(try rig.health()["last_cycle"] as? String == cycleAtStall, "last_cycle advanced during the stall")

        // Unstall: feeding resumes.
        try FileManager.default.removeItem(atPath: stall)
        let resumed = Date()
        #expect(await eventually(timeout: 3) { sink.count("WATCHDOG=1", since: resumed) >= 3 }, "WATCHDOG=1 did not resume")

        // SIGTERM while stalled still shuts down gracefully.
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        try await Task.sleep(for: .milliseconds(300))
        rig.daemon.kill(SIGTERM)
        #expect(await rig.daemon.wait(timeout: 10), "oracled did not exit on SIGTERM while stalled")
        #expect(rig.daemon.process.terminationStatus == 0, "exit status \(rig.daemon.process.terminationStatus); log:\n\(rig.daemon.log)")
        #expect(sink.count("STOPPING=1") >= 1)
        print("RELIABILITY watchdog fed_before=\(beforeStall) fed_during_stall=\(duringStall)")
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

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `oraclectl calls --since` pages through the notice history and `oraclectl calls --follow` prints
/// each new notice once, across a daemon restart (issue 11). The reference is the API's own history,
/// read page by page with the cursor.
@Suite(.serialized)
struct OracleCtlCallsTests {
    /// Every notice the daemon recorded, by paging `/v1/calls?state=all` with a small page.
    static func history(_ d: RunningDaemon) throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        var target = "/v1/calls?state=all&limit=4"
        for _ in 0..<500 {
            let page = try d.get(target)
            out += page["notices"] as? [[String: Any]] ?? []
            guard page["has_more"] as? Bool == true, let next = page["next_cursor"] as? String else { return out }
            target = "/v1/calls?state=all&limit=4&cursor=\(next)"
        }
        throw HarnessError("history did not end within 500 pages")
    }

    /// The notice ids in the JSON lines of `output` (other lines are oraclectl's notes on stderr).
    static func printedIDs(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"), let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return obj["id"] as? String
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func sinceAndFollowPrintEveryNoticeOnceAcrossARestart() async throws {
        let dir = makeTempDir("ctlcalls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let configPath = dir + "/oracles.toml"
        try MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: nil).write(toFile: configPath, atomically: true, encoding: .utf8)
        let socket = dir + "/oracled.sock"
        var daemon = try await DaemonLauncher.start(config: configPath, socket: socket, log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        try #require(await eventually(timeout: 20) { daemon.mark("BTC-USD")?.status == "ok" })
        let imported = try daemon.client.request("POST", "/v1/accounts/import", body: CrashConsistencyTests.accounts(count: 9, seed: 4), timeout: 30)
        try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")

        // The follower starts before any notice, from now, polling every 200 ms.
        let follower = try ChildProcess(Binaries.path("oraclectl"), ["calls", "--follow", "--json", "--interval", "0.2", "--socket", socket],
                                        logPath: dir + "/follow.log")
        defer { follower.kill(SIGKILL) }
        try await Task.sleep(for: .milliseconds(500))

        // A crash calls the leveraged accounts.
        try venue.setPrice("BTC-USD", CrashConsistencyTests.low)
        try #require(await eventually(timeout: 20) { ((try? Self.history(daemon)) ?? []).count >= 9 }, "no burst of calls")
        try await Task.sleep(for: .seconds(1))   // let the burst settle
        let before = try Self.history(daemon).compactMap { $0["id"] as? String }
        #expect(await eventually(timeout: 10, interval: 0.05) { Self.printedIDs(follower.log) == before },
                "follow printed \(Self.printedIDs(follower.log)), the history holds \(before)")

        // --since pages through all of it (page size 2: several requests) in the API's order.
        let (s1, sinceOut) = try await OracleCtlTests().ctl(["calls", "--since", "1h", "--page-size", "2", "--json", "--socket", socket])
        #expect(s1 == 0 && Self.printedIDs(sinceOut) == before, "\(sinceOut)")
        // The readable form: one line per notice, oldest first.
        let (s2, table) = try await OracleCtlTests().ctl(["--socket", socket, "calls", "--since", "1h"])
        let lines = table.split(separator: "\n")
        #expect(s2 == 0 && lines.count == before.count && zip(lines, before).allSatisfy { $0.contains("id=" + $1) }, "\(table)")
        // An age in two units, and a time the CLI cannot read (refused by name before any request).
        let (s4, combined) = try await OracleCtlTests().ctl(["calls", "--since", "1h30m", "--json", "--socket", socket])
        #expect(s4 == 0 && Self.printedIDs(combined) == before, "\(combined)")
        let (s5, bad) = try await OracleCtlTests().ctl(["calls", "--since", "yesterday", "--socket", socket])
        #expect(s5 != 0 && bad.contains("--since"), "\(bad)")
        // RFC 3339 to the millisecond: from the newest notice's own created_at, exactly the notices of
        // that millisecond; offsets count.
        let history = try Self.history(daemon)
        let newestCreated = try #require(history.last?["created_at"] as? String)
        let sameMs = history.filter { $0["created_at"] as? String == newestCreated }.compactMap { $0["id"] as? String }
        let (s6, fromNewest) = try await OracleCtlTests().ctl(["calls", "--since", newestCreated, "--json", "--socket", socket])
        #expect(s6 == 0 && Self.printedIDs(fromNewest) == sameMs, "--since \(newestCreated): \(fromNewest)")
        let (s7, offset) = try await OracleCtlTests().ctl(["calls", "--since", "2000-01-01T00:00:00.5-05:00", "--json", "--socket", socket])
        #expect(s7 == 0 && Self.printedIDs(offset) == before, "\(offset)")
        // A time after every notice: nothing.
        let (s3, none) = try await OracleCtlTests().ctl(["calls", "--since", "2999-01-01T00:00:00Z", "--socket", socket])
        #expect(s3 == 0 && none.isEmpty, "\(none)")

        // Restart the daemon while following; the follower says it lost it and carries on.
        daemon.child.kill(SIGTERM)
        #expect(await daemon.child.wait(timeout: 15))
        #expect(await eventually(timeout: 5, interval: 0.05) { follower.log.contains("retrying") }, "\(follower.log)")
        daemon = try await DaemonLauncher.start(config: configPath, socket: socket, log: dir + "/oracled2.log")
        try #require(await eventually(timeout: 20) { daemon.mark("BTC-USD")?.status == "ok" })

        // The recovery cures the accounts: notices made after the restart.
        try venue.setPrice("BTC-USD", CrashConsistencyTests.high)
        try #require(await eventually(timeout: 20) { ((try? Self.history(daemon)) ?? []).count > before.count }, "no notice after the restart")
        try await Task.sleep(for: .seconds(1))
        let after = try Self.history(daemon).compactMap { $0["id"] as? String }
        #expect(await eventually(timeout: 10, interval: 0.05) { Self.printedIDs(follower.log) == after },
                "follow printed \(Self.printedIDs(follower.log)), the history holds \(after)")
        let printed = Self.printedIDs(follower.log)
        #expect(Set(printed).count == printed.count, "a notice was printed twice: \(printed)")
        #expect(printed.count > before.count, "nothing made after the restart was printed")
        #expect(follower.log.contains("answers again"), "\(follower.log)")

        // A notice committed late — stamped 2 s before the newest one already printed, as a cluster
        // node with a slightly slow clock or a long commit would — is still printed, once.
        if let sqlite = CrashConsistencyTests.sqliteCLI {
            let db = dir + "/lib/oracled.sqlite"
            let newest = await CrashConsistencyTests.runTool(sqlite, ["-readonly", db, "SELECT max(created_at_ms) FROM notice"])
            let newestMs = try #require(Int64(newest.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(newest.output)")
            let format = ISO8601DateFormatter()
            format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let created = format.string(from: Date(timeIntervalSince1970: Double(newestMs - 2000) / 1000))
            let json = #"{"id":"late-commit-1","account":"crash-0","level":"warning","created_at":"\#(created)"}"#
            let insert = await CrashConsistencyTests.runTool(sqlite, ["-cmd", ".timeout 5000", db, """
                INSERT INTO notice(id, account, level, created_at_ms, json, syslog, delivered, syslogged)
                VALUES ('late-commit-1', 'crash-0', 'warning', \(newestMs - 2000), '\(json)', '', 1, 1)
                """])
            try #require(insert.status == 0, "\(insert.output)")
            #expect(await eventually(timeout: 5, interval: 0.05) { Self.printedIDs(follower.log).contains("late-commit-1") },
                    "a late commit within the window was skipped: \(Self.printedIDs(follower.log))")
            try await Task.sleep(for: .seconds(1))   // several more polls re-read the window
            let final = Self.printedIDs(follower.log)
            #expect(final.filter { $0 == "late-commit-1" }.count == 1 && Set(final).count == final.count, "\(final)")
        }
        #expect(follower.process.isRunning, "follow exited: \(follower.log)")
    }
}

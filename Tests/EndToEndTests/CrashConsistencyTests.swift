import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` at random moments of margin-call bursts, and a spool on a filesystem that fills up:
/// afterwards every notice the database recorded is in the spool exactly once, the journal has no
/// duplicate or torn line, and nothing is lost (DESIGN.md "Margin-call spool", issue 5 item 3).
@Suite(.serialized)
struct CrashConsistencyTests {
    /// BTC base prices the bursts alternate between: leveraged longs are healthy at `high` and in call
    /// (or worse) at `low`, so every move is a burst of calls or of cures.
    static let high = 67_000.0, low = 60_000.0

    /// `count` leveraged BTC longs with ratio 1.6…3.2 at `high` plus a few healthy accounts (so one
    /// update never moves *every* account into call).
    static func accounts(count: Int, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var lines: [String] = []
        for i in 0..<count {
            let q = ModelAccount.round(Double.random(in: 0.5...2, using: &rng), 3)
            let r0 = Double.random(in: 1.6...3.2, using: &rng)
            let usd = ModelAccount.round(r0 * q * high * MarginScenario.btcMaintenance, 2)
            lines.append(ModelAccount(id: "crash-\(i)", usd: usd, btcQty: q, btcEntry: high, ethQty: 0, ethEntry: 0).json())
        }
        for i in 0..<5 {
            lines.append(#"{"id":"calm-\#(i)","collateral":[{"asset":"USD","amount":"1000000"}],"positions":[{"pair":"BTC-USD","quantity":"0.1","entry_price":"67000"}]}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A stored notice as the database holds it.
    struct DBNotice { var id: String; var json: String; var delivered: Bool }

    /// Every notice row, read with the `sqlite3` CLI (read-only), or nil when the CLI is missing.
    static func databaseNotices(stateDir: String) async -> [DBNotice]? {
        guard let sqlite = sqliteCLI else { return nil }
        let r = await runTool(sqlite, ["-readonly", "-json", stateDir + "/oracled.sqlite", "SELECT id, json, delivered FROM notice"])
        guard r.status == 0 else { return nil }
        let text = r.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return [] }
        guard let rows = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] else { return nil }
        return rows.compactMap { row in
            guard let id = row["id"] as? String, let json = row["json"] as? String else { return nil }
            return DBNotice(id: id, json: json, delivered: (row["delivered"] as? NSNumber)?.intValue == 1)
        }
    }

    static var sqliteCLI: String? {
        ["/usr/bin/sqlite3", "/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool to completion (no shell) and returns its status and combined output.
    static func runTool(_ path: String, _ args: [String], timeout: Double = 30) async -> (status: Int32, output: String) {
        let log = "/tmp/oe2e-tool-\(getpid())-\(Int.random(in: 0..<1_000_000)).log"
        defer { unlink(log) }
        guard let child = try? ChildProcess(path, args, logPath: log) else { return (-1, "cannot run \(path)") }
        guard await child.wait(timeout: timeout) else {
            child.kill(SIGKILL)
            return (-1, "\(path) timed out")
        }
        return (child.process.terminationStatus, child.log)
    }

    /// What the spool and database look like after the last restart (see `verify`).
    struct Verdict {
        var notices = 0, duplicates = 0, lost = 0, torn = 0, invented = 0, stranded = 0, gaps = 0, undelivered = 0, tmpNonEmpty = 0
        var problems: [String] = []
    }

    /// Compares the database's notices with new/, cur/, tmp/ and calls.jsonl.
    static func verify(spool: SpoolInspector, recorded: [DBNotice]?, apiNotices: [[String: Any]]) -> Verdict {
        var v = Verdict()
        let files = spool.notices()
        let cur = spool.notices(in: "cur")
        let journal = spool.journal()
        // The database's list: the sqlite3 CLI gives all rows; without it, the API's latest 500.
        let dbIDs: Set<String>
        var dbJSON: [String: String] = [:]
        if let recorded {
            dbIDs = Set(recorded.map(\.id))
            for n in recorded { dbJSON[n.id] = n.json }
            v.undelivered = recorded.filter { !$0.delivered }.count
        } else {
            dbIDs = Set(apiNotices.compactMap { $0["id"] as? String })
        }
        v.notices = dbIDs.count
        for id in dbIDs {
            let inNew = files[id] != nil, inCur = cur[id] != nil
            if !inNew && !inCur { v.lost += 1; v.problems.append("recorded notice \(id) has no file in new/") }
            if inNew && inCur { v.duplicates += 1; v.problems.append("\(id) is in both new/ and cur/") }
        }
        for (id, f) in files {
            if f.json?["id"] as? String != id { v.torn += 1; v.problems.append("new/\(id).json is not a whole notice \(id)") }
            if let want = dbJSON[id],
               let data = FileManager.default.contents(atPath: "\(spool.directory)/new/\(id).json"),
               String(decoding: data, as: UTF8.self) != want + "\n" {
                v.torn += 1
                v.problems.append("new/\(id).json differs from the recorded notice")
            }
            if recorded != nil && !dbIDs.contains(id) { v.invented += 1; v.problems.append("new/\(id).json was never recorded") }
        }
        v.torn += journal.invalid.count + (journal.tornTail ? 1 : 0)
        for bad in journal.invalid.prefix(3) { v.problems.append("calls.jsonl line \(bad.line) is not a notice: \(bad.text)") }
        if journal.tornTail { v.problems.append("calls.jsonl ends in a torn line") }
        v.duplicates += journal.duplicates.count
        for d in journal.duplicates.prefix(5) { v.problems.append("calls.jsonl repeats \(d)") }
        let fileIDs = Set(files.keys).union(cur.keys)
        let missingLines = fileIDs.subtracting(journal.ids), extraLines = journal.ids.subtracting(fileIDs)
        v.lost += missingLines.count
        v.invented += extraLines.count
        if !missingLines.isEmpty { v.problems.append("files without a journal line: \(missingLines.sorted().prefix(5))") }
        if !extraLines.isEmpty { v.problems.append("journal lines without a file: \(extraLines.sorted().prefix(5))") }
        // A complete notice left in tmp/ (under its id or in a pre-created spare) that never reached new/
        // would be a notice stuck half-way; partial or empty leftovers are harmless and counted.
        for t in spool.tmpContents() {
            if t.size > 0 { v.tmpNonEmpty += 1 }
            if let id = t.noticeID, files[id] == nil, cur[id] == nil {
                v.stranded += 1
                v.problems.append("tmp/\(t.name) holds notice \(id), which is missing from new/")
            }
        }
        // Ids are ACCOUNT-LEVEL-SEQ with SEQ counting that account's notices: a gap is a lost notice.
        if recorded != nil {
            var seqs: [String: [Int]] = [:]
            for id in dbIDs {
                let parts = id.split(separator: "-")
                guard parts.count >= 4, let seq = Int(parts.last!) else { continue }
                seqs[parts.prefix(2).joined(separator: "-"), default: []].append(seq)
            }
            for (account, s) in seqs where s.sorted() != Array(1...s.count) {
                v.gaps += 1
                v.problems.append("\(account) notice sequence has gaps: \(s.sorted())")
            }
        }
        return v
    }

    /// The checker itself must be able to fail: a lost file, a repeated and a torn journal line, a
    /// notice stranded in tmp/ and a gap in an account's sequence are all reported.
    @Test func verifierReportsEveryKindOfDamage() throws {
        let dir = makeTempDir("verify")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["new", "cur", "tmp"] { try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }
        func notice(_ id: String) -> String { #"{"id":"\#(id)","account":"a-1","level":"warning"}"# }
        let ids = ["a-1-warning-1", "a-1-margin_call-2", "a-1-cured-4", "a-1-warning-5"]
        for id in ids.dropLast() { try (notice(id) + "\n").write(toFile: "\(dir)/new/\(id).json", atomically: false, encoding: .utf8) }
        try (notice(ids[3]) + "\n").write(toFile: "\(dir)/tmp/\(ids[3]).json", atomically: false, encoding: .utf8)
        let journal = notice(ids[0]) + "\n" + notice(ids[1]) + "\n" + notice(ids[1]) + "\n" + #"{"id":"a-1-cur"#
        try journal.write(toFile: dir + "/calls.jsonl", atomically: false, encoding: .utf8)
        let recorded = ids.map { DBNotice(id: $0, json: notice($0), delivered: true) }
        let v = Self.verify(spool: SpoolInspector(directory: dir), recorded: recorded, apiNotices: [])
        #expect(v.lost == 2)            // a-1-warning-5 has no file; a-1-cured-4 has no journal line
        #expect(v.duplicates == 1)
        #expect(v.torn == 2)            // the invalid last line, and the missing final newline
        #expect(v.stranded == 1)
        #expect(v.gaps == 1)            // seq 3 is missing
        #expect(v.notices == 4)
    }

    /// The seed of the crash run: accounts and kill plan follow from it. `ORACLED_CRASH_SEED=<n>`
    /// replays a failed run (the seed is printed at the start and in the RELIABILITY line).
    static var crashSeed: UInt64 { UInt64(ProcessInfo.processInfo.environment["ORACLED_CRASH_SEED"] ?? "") ?? 20_261_205 }

    /// Where a kill was aimed: inside the SQLite transaction of level changes + notices, between the
    /// first chunk reaching the spool and its `delivered` flag (both through the daemon's
    /// `ORACLED_FAULT_PAUSE_DIR` hook), or at a seeded random moment of the burst.
    enum Aim: String, CaseIterable { case commit, deliver, random }

    /// What the database and spool show right after a kill (read with the sqlite3 CLI).
    struct KillEvidence {
        var notices = 0
        /// Committed but not delivered: the kill came after the commit, before delivery finished.
        var undelivered = 0
        /// Undelivered notices whose file is already in new/ (or whose line is in calls.jsonl): the
        /// kill came mid-delivery.
        var undeliveredInSpool = 0
        /// Files in new/ without a journal line: killed between the rename and the journal append.
        var filesWithoutJournal = 0
    }

    static func evidence(sqlite: String, stateDir: String, spool: SpoolInspector) async -> KillEvidence? {
        guard let rows = await databaseNotices(stateDir: stateDir) else { return nil }
        var e = KillEvidence()
        e.notices = rows.count
        let undelivered = Set(rows.filter { !$0.delivered }.map(\.id))
        e.undelivered = undelivered.count
        let inNew = Set(spool.notices().keys), journal = spool.journal().ids
        e.undeliveredInSpool = undelivered.intersection(inNew.union(journal)).count
        e.filesWithoutJournal = inNew.subtracting(journal).count
        return e
    }

    @Test(.enabled(if: sqliteCLI != nil, "needs the sqlite3 CLI to read the database after every kill (.ci/run installs it)"),
          .timeLimit(.minutes(4)))
    func killNineDuringBurstsLosesNothing() async throws {
        let sqlite = try #require(Self.sqliteCLI)
        let dir = makeTempDir("crash")
        // KEEP_CRASH_DIR=1 keeps the state and spool for a post-mortem.
        defer { if ProcessInfo.processInfo.environment["KEEP_CRASH_DIR"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let configPath = dir + "/oracles.toml"
        try MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: dir + "/no-syslog.sock", pollInterval: "100ms")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let socket = dir + "/oracled.sock"
        let stateDir = dir + "/lib"
        let spool = SpoolInspector(directory: dir + "/spool")
        // The daemon's fault hook (FaultPause.swift): it stops at `commit`/`deliver` while that file exists here.
        let pauseDir = dir + "/pause"
        try FileManager.default.createDirectory(atPath: pauseDir, withIntermediateDirectories: true)
        let env = ["ORACLED_FAULT_PAUSE_DIR": pauseDir]
        let seed = Self.crashSeed
        print("CRASH seed=\(seed) (replay with ORACLED_CRASH_SEED=\(seed))")
        var rng = SplitMix64(seed: seed)

        func markOK(_ d: RunningDaemon) -> Bool { d.mark("BTC-USD")?.status == "ok" }
        func noticeCount() async -> Int? {
            Int(await Self.runTool(sqlite, ["-readonly", stateDir + "/oracled.sqlite", "SELECT count(*) FROM notice"])
                .output.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        var daemon = try await DaemonLauncher.start(config: configPath, socket: socket, log: dir + "/oracled-0.log", environment: env)
        try #require(await eventually(timeout: 20) { markOK(daemon) }, "BTC-USD never ok:\n\(daemon.child.log.suffix(2000))")
        let imported = try daemon.client.request("POST", "/v1/accounts/import", body: Self.accounts(count: 40, seed: seed), timeout: 30)
        try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")

        // 17 kills per aim; every price move is a burst (calls at `low`, cures at `high`).
        let kills = 51
        var aimed: [Aim: Int] = [:], landed: [Aim: Int] = [:]
        var killsAfterCommit = 0, killsMidDelivery = 0, killsMidSpoolWrite = 0, recommitted = 0
        var randomBeforeCommit = 0
        // Notices in the database when a kill left the burst uncommitted (aimed mid-commit, or a random
        // kill before the commit): the restart must produce that burst before the next move.
        var pendingRecommit: (count: Int, aimed: Bool)?
        let started = Date()
        for k in 0..<kills {
            if k > 0 {
                daemon = try await DaemonLauncher.start(config: configPath, socket: socket, log: dir + "/oracled-\(k).log", environment: env)
                let ok = await eventually(timeout: 15, interval: 0.02) { markOK(daemon) }
                try #require(ok, "restart \(k): BTC-USD never ok:\n\(daemon.child.log.suffix(2000))")
            }
            // After a kill before or inside the commit the burst is not in the database; the restarted
            // daemon evaluates the same price from the stored (pre-burst) levels and must produce it
            // again. Waiting for it also keeps that commit out of the next kill's window.
            if let pending = pendingRecommit {
                var now = pending.count
                let deadline = Date().addingTimeInterval(15)
                while now <= pending.count && Date() < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                    now = await noticeCount() ?? now
                }
                let again = now > pending.count
                #expect(again, "restart \(k): the burst killed before its commit was not produced again (\(now) notices, \(pending.count) before)")
                if again && pending.aimed { recommitted += 1 }
                pendingRecommit = nil
            }
            let aim = Aim.allCases[k % Aim.allCases.count]
            aimed[aim, default: 0] += 1
            let before = await noticeCount() ?? 0
            let filesBefore = spool.files(in: "new").count
            let trigger = pauseDir + "/" + aim.rawValue, reached = trigger + ".reached"
            unlink(reached)
            if aim != .random { _ = FileManager.default.createFile(atPath: trigger, contents: nil) }
            try venue.setPrice("BTC-USD", k % 2 == 0 ? Self.low : Self.high)
            var paused = false
            var atPause = -1
            switch aim {
            case .commit, .deliver:
                // Deterministic: the daemon says it is stopped in the window; the kill lands there.
                paused = await eventually(timeout: 10, interval: 0.005) { access(reached, F_OK) == 0 }
                #expect(paused, "kill \(k): the daemon never reached the \(aim) pause")
                // What is committed while the transaction is held open (WAL readers do not wait for it).
                if paused && aim == .commit { atPause = await noticeCount() ?? -1 }
            case .random:
                if k % 2 == 0 {
                    // Wait for the burst's first file, then kill within a few ms, mid-delivery.
                    _ = await eventually(timeout: 3, interval: 0.001) { spool.files(in: "new").count > filesBefore }
                    try await Task.sleep(for: .microseconds(Int.random(in: 0...3_000, using: &rng)))
                } else {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...300, using: &rng)))
                }
            }
            daemon.child.kill(SIGKILL)
            let gone = await daemon.child.wait(timeout: 10)
            try #require(gone, "oracled survived SIGKILL")
            unlink(trigger)
            unlink(reached)

            // Where did it land? Only what the database and the spool show counts.
            let e = try #require(await Self.evidence(sqlite: sqlite, stateDir: stateDir, spool: spool), "cannot read the database after kill \(k)")
            if e.undelivered > 0 { killsAfterCommit += 1 }
            if e.undeliveredInSpool > 0 { killsMidDelivery += 1 }
            if e.filesWithoutJournal > 0 { killsMidSpoolWrite += 1 }
            switch aim {
            case .commit:
                // Stopped inside the transaction: none of its rows became visible.
                if paused && e.notices == atPause && e.undelivered == 0 {
                    landed[.commit, default: 0] += 1
                    pendingRecommit = (e.notices, true)
                } else {
                    Issue.record("kill \(k) aimed mid-commit: \(e.notices) notices (\(atPause) while paused, \(before) before the move), \(e.undelivered) undelivered")
                }
            case .deliver:
                // The first chunk is in new/ and calls.jsonl, its delivered flag is not set.
                if paused && e.undeliveredInSpool > 0 { landed[.deliver, default: 0] += 1 } else {
                    Issue.record("kill \(k) aimed mid-delivery: \(e.undeliveredInSpool) undelivered notices in the spool")
                }
            case .random:
                if e.undelivered > 0 { landed[.random, default: 0] += 1 }
                if e.notices == before { randomBeforeCommit += 1 }
            }
            // Nothing of this move committed (a random kill before the commit, or a delivery pause that
            // caught older notices first): the restart owes this burst.
            if pendingRecommit == nil && e.notices == before { pendingRecommit = (e.notices, false) }
        }
        let killSeconds = Date().timeIntervalSince(started)

        // Last start: it must redeliver whatever the last kill left in the outbox, then settle.
        try venue.setPrice("BTC-USD", Self.high)
        daemon = try await DaemonLauncher.start(config: configPath, socket: socket, log: dir + "/oracled-final.log", environment: env)
        try #require(await eventually(timeout: 15) { markOK(daemon) })
        var lastCount = -1
        let settled = await eventually(timeout: 20, interval: 0.5) {
            let spoolStatus = (daemon.marginHealth()?["spool"] as? [String: Any])
            let n = spool.files(in: "new").count
            defer { lastCount = n }
            return spoolStatus?["deferred_notices"] as? Int == 0 && spoolStatus?["status"] as? String == "ok" && n == lastCount
        }
        #expect(settled, "the spool never settled after the last restart: \(daemon.marginHealth() ?? [:])")
        let apiNotices = (try? daemon.get("/v1/calls?state=all"))?["notices"] as? [[String: Any]] ?? []
        daemon.child.kill(SIGTERM)
        #expect(await daemon.child.wait(timeout: 15), "oracled did not stop on SIGTERM")

        let recorded = try #require(await Self.databaseNotices(stateDir: stateDir), "cannot read the notices with sqlite3")
        let v = Self.verify(spool: spool, recorded: recorded, apiNotices: apiNotices)
        let integrity = await Self.runTool(sqlite, ["-readonly", stateDir + "/oracled.sqlite", "PRAGMA integrity_check"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(integrity == "ok", "SQLite integrity_check: \(integrity)")
        let commitAimed = aimed[.commit] ?? 0, deliverAimed = aimed[.deliver] ?? 0
        let commitLanded = landed[.commit] ?? 0, deliverLanded = landed[.deliver] ?? 0
        print("RELIABILITY crash_kill9 kills=\(kills) notices=\(v.notices) duplicates=\(v.duplicates) lost=\(v.lost) torn=\(v.torn) "
              + "invented=\(v.invented) stranded=\(v.stranded) gaps=\(v.gaps) undelivered=\(v.undelivered) "
              + "kills_mid_commit=\(commitLanded)/\(commitAimed) recommitted=\(recommitted) kills_mid_delivery_aimed=\(deliverLanded)/\(deliverAimed) "
              + "random_after_commit=\(landed[.random] ?? 0)/\(aimed[.random] ?? 0) random_before_commit=\(randomBeforeCommit) kills_after_commit=\(killsAfterCommit) "
              + "kills_mid_delivery=\(killsMidDelivery) kills_mid_spool_write=\(killsMidSpoolWrite) "
              + "tmp_files=\(spool.files(in: "tmp").count) tmp_nonempty=\(v.tmpNonEmpty) integrity=\(integrity.replacingOccurrences(of: " ", with: "_")) seed=\(seed) seconds=\(Int(killSeconds))")
        #expect(v.problems.isEmpty, "\(v.problems.count) problems, first: \(v.problems.prefix(10).joined(separator: "; "))")
        #expect(v.duplicates == 0 && v.lost == 0 && v.torn == 0 && v.invented == 0 && v.stranded == 0 && v.gaps == 0 && v.undelivered == 0)
        // The kills landed where they were aimed: the pause hook makes every aimed kill land, so all
        // must; a hook that stopped working (or a burst that no longer happens) fails here.
        #expect(commitLanded == commitAimed && commitAimed >= 15, "mid-commit kills landed \(commitLanded) of \(commitAimed)")
        #expect(recommitted == commitLanded, "only \(recommitted) of \(commitLanded) bursts killed mid-commit were produced again")
        #expect(deliverLanded == deliverAimed && deliverAimed >= 15, "mid-delivery kills landed \(deliverLanded) of \(deliverAimed)")
        // The bursts really happened: about one notice per leveraged account per move.
        #expect(v.notices >= 200, "only \(v.notices) notices were written; the bursts did not happen")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a size-limited tmpfs for the spool"), .timeLimit(.minutes(2)))
    func fullDiskDefersNoticesAndDeliversThemOnce() async throws {
        let dir = makeTempDir("fulldisk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mountPoint = dir + "/spool"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let tools = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        // As root with mount(8) installed (.ci/run), not being able to mount is a failure, not a skip.
        let mountTool = try #require(tools.map({ $0 + "/mount" }).first(where: FileManager.default.isExecutableFile(atPath:)), "mount(8) is missing")
        let umountTool = try #require(tools.map({ $0 + "/umount" }).first(where: FileManager.default.isExecutableFile(atPath:)), "umount(8) is missing")
        let mount = await Self.runTool(mountTool, ["-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", mountPoint])
        try #require(mount.status == 0, "cannot mount a tmpfs: \(mount.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        var mounted = true
        let spool = SpoolInspector(directory: mountPoint)
        func unmount() async {
            guard mounted else { return }
            if await Self.runTool(umountTool, [mountPoint]).status != 0 { _ = await Self.runTool(umountTool, ["-l", mountPoint]) }
            mounted = false
        }

        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let syslog = try SyslogCollector(path: dir + "/syslog.sock")
        defer { syslog.stop() }
        let configPath = dir + "/oracles.toml"
        try MarginScenario.config(dir: dir, spoolDir: mountPoint, venueURL: venue.baseURL, syslogSocket: syslog.path)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        var daemon: RunningDaemon?
        do {
            let d = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
            daemon = d
            try #require(await eventually(timeout: 20) { d.mark("BTC-USD")?.status == "ok" })
            let imported = try d.client.request("POST", "/v1/accounts/import", body: Self.accounts(count: 12, seed: 7), timeout: 30)
            try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")
            #expect(spool.files(in: "new").isEmpty)

            // Fill the filesystem to the last byte.
            let filler = mountPoint + "/filler"
            try #require(fillFilesystem(with: filler))

            // A burst of calls: nothing fits, every notice waits in SQLite.
            try venue.setPrice("BTC-USD", Self.low)
            let deferred = await eventually(timeout: 15) {
                let s = d.marginHealth()?["spool"] as? [String: Any]
                return s?["status"] as? String == "deferred" && (s?["deferred_notices"] as? Int ?? 0) >= 12
            }
            let health = d.marginHealth()?["spool"] as? [String: Any] ?? [:]
            #expect(deferred, "notices were not deferred on a full spool: \(health)")
            let deferredCount = health["deferred_notices"] as? Int ?? 0
            let recorded = (try? d.get("/v1/calls?state=all"))?["notices"] as? [[String: Any]] ?? []
            #expect(recorded.count == deferredCount, "database holds \(recorded.count) notices, health defers \(deferredCount)")
            #expect(spool.journal().entries.isEmpty && spool.files(in: "new").isEmpty, "something was delivered to a full disk")
            #expect(syslog.all.contains { $0.contains("deferred") }, "syslog did not say the notices are deferred")

            // Space returns: every deferred notice is delivered exactly once.
            unlink(filler)
            let delivered = await eventually(timeout: 15) {
                let s = d.marginHealth()?["spool"] as? [String: Any]
                return s?["status"] as? String == "ok" && s?["deferred_notices"] as? Int == 0
                    && spool.files(in: "new").count == recorded.count
            }
            #expect(delivered, "deferred notices were not delivered once space returned: \(d.marginHealth()?["spool"] ?? "")")
            let v = Self.verify(spool: spool, recorded: nil, apiNotices: recorded)
            let ids = Set(recorded.compactMap { $0["id"] as? String })
            #expect(Set(spool.notices().keys) == ids && spool.journal().ids == ids)
            print("RELIABILITY full_disk deferred=\(deferredCount) delivered=\(spool.files(in: "new").count) "
                  + "lost=\(v.lost) duplicates=\(v.duplicates) torn=\(v.torn)")
            #expect(v.problems.isEmpty, "\(v.problems.prefix(10))")
            #expect(v.lost == 0 && v.duplicates == 0 && v.torn == 0)
        } catch {
            daemon?.child.kill(SIGKILL)
            _ = await daemon?.child.wait(timeout: 10)
            await unmount()
            throw error
        }
        daemon?.child.kill(SIGTERM)
        _ = await daemon?.child.wait(timeout: 10)
        daemon?.child.kill(SIGKILL)
        _ = await daemon?.child.wait(timeout: 5)
        await unmount()
    }
}

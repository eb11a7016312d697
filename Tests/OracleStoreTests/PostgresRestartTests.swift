import Foundation
import Testing
import OracleStore
import OracleStorePostgres

/// PostgreSQL restarted under a loop of writes, on a server of the test's own (the shared one stays
/// up for the other tests): while it is down writes fail at once as unavailable, after it is back they
/// succeed on a new connection without reopening the store, and every write that reported success
/// is in the database.
@Suite(.enabled(if: PostgresTestServer.available, Comment(rawValue: PostgresTestServer.skipReason)))
struct PostgresRestartTests {
    @Test func writesFailAsUnavailableWhileDownThenSucceedAndNothingCommittedIsLost() throws {
        let dir = "/tmp/oracled-pgrestart-\(getpid())"
        defer { PostgresTestServer.stop(dir: dir); try? FileManager.default.removeItem(atPath: dir) }
        let server = try PostgresTestServer.start(dir: dir)
        let store = try PostgresStore.open(server.options(database: "oracled", statementTimeoutMs: 2000))
        defer { store.close() }
        try store.ensureShards(count: 1)

        let stop = Atomic(false)
        let log = Atomic<[(i: Int, ok: Bool, unavailable: Bool, ms: Double)]>([])
        let writer = Thread {
            var i = 0
            while !stop.get() {
                let started = Date()
                let n = StoredNotice(id: "n\(i)", account: "a\(i % 10)", level: "warning", createdAtMs: Int64(i), json: "{\"i\":\(i)}")
                var ok = true, unavailable = false
                do {
                    try store.commitTransitions(levels: [StoredLevel(account: "a\(i % 10)", level: "warning", sinceMs: Int64(i), transitionSeq: Int64(i))],
                                                notices: [n])
                } catch let e as StoreError {
                    ok = false
                    unavailable = e.unavailable
                } catch {
                    ok = false
                }
                let entry = (i: i, ok: ok, unavailable: unavailable, ms: Date().timeIntervalSince(started) * 1000)
                var all = log.get(); all.append(entry); log.set(all)
                i += 1
                Thread.sleep(forTimeInterval: ok ? 0.002 : 0.05)
            }
        }
        writer.start()
        Thread.sleep(forTimeInterval: 0.5)
        let beforeStop = log.get().count
        PostgresTestServer.stop(dir: dir)
        // Down for at least a second and until a few writes have failed (bounded: a write in flight
        // at the stop may wait for its deadline, statement_timeout + 1 s).
        let downSince = Date()
        while Date().timeIntervalSince(downSince) < 1 || (log.get()[beforeStop...].filter { !$0.ok }.count < 3 && Date().timeIntervalSince(downSince) < 10) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let whileDown = log.get()[beforeStop...].filter { !$0.ok }
        _ = try PostgresTestServer.start(dir: dir)
        // Wait for writes to succeed again (bounded).
        let deadline = Date().addingTimeInterval(15)
        var recovered = false
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            let entries = log.get()
            if let lastFail = entries.lastIndex(where: { !$0.ok }), entries.count - lastFail > 20 { recovered = true; break }
        }
        stop.set(true)
        while !writer.isFinished { Thread.sleep(forTimeInterval: 0.01) }

        let entries = log.get()
        let failures = entries.filter { !$0.ok }
        #expect(beforeStop > 10, "writes before the stop: \(beforeStop)")
        #expect(!whileDown.isEmpty, "no write failed while the server was down")
        #expect(failures.allSatisfy { $0.unavailable }, "a failure was not marked unavailable")
        // Down means failing fast (connect refused), not hanging until a timeout; only the write in
        // flight at the stop may take up to its deadline.
        let slowest = whileDown.dropFirst().map(\.ms).max() ?? 0
        #expect(slowest < 500, "a write took \(slowest) ms while the server was down")
        #expect((whileDown.first?.ms ?? 0) < 3500)
        #expect(recovered, "writes did not succeed again after the restart")
        #expect(store.connectionsOpened >= 2)
        let committed = Set(entries.filter(\.ok).map { "n\($0.i)" })
        let stored = Set(try store.notices(account: nil, limit: 1_000_000).map(\.id))
        #expect(committed.isSubset(of: stored), "lost: \(committed.subtracting(stored).sorted().prefix(5))")
        print("restart: \(entries.count) writes, \(failures.count) failed as unavailable while down (first \(Int(whileDown.first?.ms ?? 0)) ms, then at most \(Int(slowest)) ms), \(committed.count) committed, all present")
    }

    /// A server that stops answering (SIGSTOP: the kernel still accepts connections) must not hold a
    /// caller: a statement fails after statement_timeout + 1 s, a reconnect after 2 × connect_timeout,
    /// both as unavailable; after SIGCONT the store works again.
    @Test func aHungServerCannotHoldACallerAndIsUsedAgainWhenItAnswers() throws {
        let dir = "/tmp/oracled-pghung-\(getpid())"
        defer { PostgresTestServer.stop(dir: dir); try? FileManager.default.removeItem(atPath: dir) }
        let server = try PostgresTestServer.start(dir: dir)
        var options = server.options(database: "oracled", statementTimeoutMs: 500)
        options.connectTimeoutMs = 300
        let store = try PostgresStore.open(options)
        defer { store.close() }
        try store.putAccount(StoredAccount(id: "a", json: "{}", updatedAtMs: 1))
        let postmaster = try String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8).split(separator: "\n")[0]
        func signal(_ sig: String) {
            _ = PostgresTestServer.run(["/usr/bin/pkill", "-\(sig)", "-P", String(postmaster)])
            _ = PostgresTestServer.run(["/bin/kill", "-\(sig)", String(postmaster)])
        }
        signal("STOP")
        var resumed = false
        defer { if !resumed { signal("CONT") } }
        for attempt in 0..<2 {
            let started = Date()
            #expect(throws: StoreError.self) { _ = try store.account(id: "a") }
            let elapsed = Date().timeIntervalSince(started)
            // First: the open connection's statement deadline (0.5 s + 1 s); then a reconnect that
            // the stopped server never answers (2 × 0.3 s).
            #expect(elapsed < 2.5, "attempt \(attempt) waited \(elapsed) s")
            do { _ = try store.account(id: "a") } catch { #expect(error.unavailable) }
        }
        signal("CONT")
        resumed = true
        var back = false
        for _ in 0..<50 where !back {
            if (try? store.account(id: "a")) != nil { back = true } else { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(back)
    }
}

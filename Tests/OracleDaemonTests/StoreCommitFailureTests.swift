import Foundation
import GRDB
import Logging
import OracleCore
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon
@testable import OracleOutbox

/// The state database refuses a commit (disk full, I/O error) and later accepts it again, at the
/// desk's depth (the end-to-end form, `SpoolRecoveryTests.stateDirectoryFullThenFreed`, needs root).
///
/// How the database is made to refuse: a second connection to the same file installs triggers that
/// abort every insert of a notice and every write of a level row with SQLITE_FULL's text — the
/// commit fails inside the transaction exactly as it would on a full disk, and dropping the
/// triggers is "space returns". Production code is unchanged.
///
/// What must hold: nothing is recorded or delivered while failing; the level machines roll back
/// (also those without a stored row yet); health's `store` says `failing` then `ok`; afterwards the
/// notices are exactly those of a reference desk whose database never failed — none lost, none doubled.
struct StoreCommitFailureTests {
    static func mark(_ price: Double, seq: UInt64, at: Int64) -> Mark {
        Mark(pair: "BTC-USD", price: price, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: at, seq: seq, sources: [])
    }

    /// 1 BTC @ 60000 with `usd` collateral, long (q = 1) or short (q = −1):
    /// ratio = (usd + q · (P − 60000)) / (0.05 · P).
    /// At 60000 the longs are ≥ 2.0 (none, no stored level row); the short s is 3600 / 3000 = 1.20
    /// (warning, stored with its notice before the failure). At 57000 (maintenance 2850): w 3420 / 2850
    /// = 1.20 (warning, below 1.30), c 2992.5 / 2850 = 1.05 (call, below 1.10), n 7000 / 2850 = 2.46
    /// (none), s 6600 / 2850 = 2.32 (back to none above the 1.40 exit: a level change without a
    /// notice, since only a call ends in `cured`).
    static let accounts = [("w", "6420", "1"), ("c", "5992.5", "1"), ("n", "10000", "1"), ("s", "3600", "-1")]

    static func body(_ id: String, _ usd: String, _ qty: String) -> [UInt8] {
        Array(#"{"id":"\#(id)","collateral":[{"asset":"USD","amount":"\#(usd)"}],"positions":[{"pair":"BTC-USD","quantity":"\#(qty)","entry_price":"60000"}]}"#.utf8)
    }

    /// health's `store` section, as the API renders it.
    static func store(_ desk: MarginDesk) async -> (status: String, lastError: String, failures: Int) {
        let text = await desk.healthJSON().rendered
        let top = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        let store = top?["store"] as? [String: Any] ?? [:]
        return (store["status"] as? String ?? "missing", store["last_error"] as? String ?? "", (store["commit_failures_total"] as? NSNumber)?.intValue ?? -1)
    }

    @Test func commitRefusedThenAcceptedLosesAndDoublesNothing() async throws {
        let dir = NSTemporaryDirectory() + "commitfail-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = dir + "/spool", refSpool = dir + "/ref-spool"
        let db = try OracleDatabase.open(directory: dir)
        let desk = try await MarginRestartTests.desk(db, spool: spool)
        let refDB = try OracleDatabase.inMemory()
        let reference = try await MarginRestartTests.desk(refDB, spool: refSpool)
        let second = try DatabaseQueue(path: dir + "/oracled.sqlite")

        // Both desks see the same history and the same accounts.
        var seq: UInt64 = 0, t: Int64 = 0
        func feed(_ price: Double) async {
            seq += 1
            t += 1_000
            for d in [desk, reference] { await d.onMarks(["BTC-USD": Self.mark(price, seq: seq, at: t)], nowMs: t) }
        }
        for _ in 0..<30 { await feed(60_000) }
        for (id, usd, qty) in Self.accounts {
            for d in [desk, reference] { _ = try await d.put(id: id, body: Self.body(id, usd, qty), nowMs: t) }
        }
        let early = try db.notices().map(\.id)
        #expect(try early == ["s-warning-1"] && refDB.notices().map(\.id) == early, "before the failure: \(early)")
        #expect(try db.levels().map(\.account) == ["s"], "only s has a stored level row")
        #expect(await Self.store(desk).status == "ok")

        // The disk "fills".
        try await second.write { db in
            for (name, when) in [("n", "INSERT ON notice"), ("li", "INSERT ON level_state"), ("lu", "UPDATE ON level_state")] {
                try db.execute(sql: "CREATE TRIGGER refuse_\(name) BEFORE \(when) BEGIN SELECT RAISE(ABORT, 'database or disk is full (test trigger)'); END")
            }
        }
        await feed(57_000)
        let refNotices = try refDB.notices()
        #expect(Set(refNotices.map(\.id)) == ["s-warning-1", "w-warning-1", "c-margin_call-1"], "reference: \(refNotices.map(\.id))")
        #expect(await reference.machines["c"]?.state.level == .marginCall)
        #expect(await reference.machines["s"]?.state.level == MarginLevel.none, "s leaves warning (silently: only a call is cured)")
        let failing = await Self.store(desk)
        #expect(failing.status == "failing" && failing.lastError.contains("full") && failing.failures >= 1, "\(failing)")
        #expect(try db.notices().map(\.id) == early, "a notice was recorded although the commit failed")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: spool + "/new")) ?? []) == ["s-warning-1.json"], "a notice was delivered without being recorded")
        // Rolled back, to the stored row (s) and, without one, to the initial state: the next evaluation
        // must produce the same transitions (and fail again) instead of believing they were recorded.
        for (id, _, _) in Self.accounts {
            #expect(await desk.machines[id]?.state.level == (id == "s" ? .warning : MarginLevel.none), "\(id) not rolled back")
        }
        #expect(await desk.machines["s"]?.state.noticeSeq == 1)
        await feed(57_000)
        let again = await Self.store(desk)
        #expect(again.status == "failing" && again.failures > failing.failures, "the rolled-back transition was not retried: \(again)")
        #expect(try db.notices().map(\.id) == early)

        // Space returns: the next evaluation records and delivers exactly the reference's notices.
        try await second.write { db in for name in ["n", "li", "lu"] { try db.execute(sql: "DROP TRIGGER refuse_\(name)") } }
        await feed(57_000)
        #expect(await Self.store(desk).status == "ok")
        let recorded = try db.notices()
        #expect(recorded.map(\.id).sorted() == refNotices.map(\.id).sorted(), "recorded \(recorded.map(\.id)), reference \(refNotices.map(\.id))")
        #expect(recorded.allSatisfy { $0.delivered }, "not all recorded notices were delivered")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: spool + "/new")) ?? []).sorted()
        #expect(files == refNotices.map { "\($0.id).json" }.sorted(), "spool new/: \(files)")
        for (id, _, _) in Self.accounts {
            // Same level and notice counter (the transition time differs: it was recorded later).
            let mine = await desk.machines[id]?.state, ref = await reference.machines[id]?.state
            #expect(mine?.level == ref?.level && mine?.noticeSeq == ref?.noticeSeq, "\(id): \(String(describing: mine)) vs reference \(String(describing: ref))")
        }
        // Nothing is produced twice by later evaluations.
        await feed(57_000)
        await feed(57_000)
        #expect(try db.notices().count == refNotices.count)
        #expect(try refDB.notices().count == refNotices.count)
    }
}

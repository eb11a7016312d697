import Foundation
import Logging
import OracleCore
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// Expiry settlement at the desk's depth: the settled account is stored (as an API update is),
/// survives re-opening the store, and a new desk on that store never settles it again.
struct OptionExpiryDeskTests {
    /// 2026-12-25T08:00:00Z, the expiry of BTC-25DEC26-*.
    static let expiry: Int64 = 1_798_185_600_000

    @Test func theSettledAccountIsStoredAndSurvivesReopeningTheStore() async throws {
        let dir = NSTemporaryDirectory() + "expiry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = dir + "/spool"
        let t0 = Self.expiry - 60_000
        do {
            let desk = try await MarginRestartTests.desk(try OracleDatabase.open(directory: dir), spool: spool)
            await desk.onMarks(["BTC-USD": MarginRestartTests.mark(64_000, seq: 1, at: t0)], nowMs: t0)
            // Short 5 calls K = 60 000 sold at 2 100, USD 50 000.
            let body = #"{"id":"x1","collateral":[{"asset":"USD","amount":"50000"}],"positions":[{"option":"BTC-25DEC26-60000-C","quantity":"-5","entry_price":"2100"}]}"#
            _ = try await desk.put(id: "x1", body: Array(body.utf8), nowMs: t0)
            await desk.deadlineTick(nowMs: Self.expiry - 1)
            #expect(await desk.accounts["x1"]?.hasOptions == true)
            await desk.deadlineTick(nowMs: Self.expiry + 1_000)
            // Settled in memory: cash −5 × (4 000 − 2 100) = −9 500 → 40 500, option gone.
            let a = try #require(await desk.accounts["x1"])
            #expect(!a.hasOptions && a.collateral.map(\.amount.text) == ["40500"])
            // GET /v1/accounts/{id} shows it.
            let shown = try await desk.account(id: "x1", nowMs: Self.expiry + 2_000)
            let text = shown.rendered
            #expect(text.contains("40500") && !text.contains("60000-C"), "\(text)")
        }
        // A new desk on the re-opened store: the account as settled, and no second settlement.
        let db = try OracleDatabase.open(directory: dir)
        let stored = try #require(try db.account(id: "x1"))
        #expect(stored.json == #"{"id":"x1","collateral":[{"asset":"USD","amount":"40500"}],"positions":[]}"#)
        let second = try await MarginRestartTests.desk(db, spool: spool)
        await second.onMarks(["BTC-USD": MarginRestartTests.mark(70_000, seq: 2, at: Self.expiry + 5_000)], nowMs: Self.expiry + 5_000)
        await second.deadlineTick(nowMs: Self.expiry + 6_000)
        await second.sweep(nowMs: Self.expiry + 7_000)
        #expect(await second.accounts["x1"]?.collateral.map(\.amount.text) == ["40500"])
        #expect(try db.account(id: "x1")?.json == stored.json)
    }
}

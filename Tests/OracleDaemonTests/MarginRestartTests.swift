import Foundation
import Logging
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// The desk across a restart (a new desk on the same database), and the API's status for refused input.
struct MarginRestartTests {
    static let universe: MarginUniverse = {
        var policy = MarginPolicy()
        policy.priceSide = .mid
        return MarginUniverse(policy: policy, collateral: [CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.1)],
                              pairs: MarginRoutesTests.pairs)
    }()

    static func desk(_ db: OracleDatabase, spool: String) async throws -> MarginDesk {
        try await MarginDesk(db: db, spoolDirectory: spool, syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                             universe: universe, logger: Logger(label: "test"))
    }

    static func mark(_ price: Double, seq: UInt64, at: Int64) -> Mark {
        Mark(pair: "BTC-USD", price: price, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: at, seq: seq, sources: [])
    }

    /// Issue 8 item 6: the slow mark survives a restart, so one bad first print cannot liquidate.
    @Test func oneBadPrintAfterARestartDoesNotLiquidate() async throws {
        let dir = NSTemporaryDirectory() + "restart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = dir + "/spool"
        do {
            let first = try await Self.desk(try OracleDatabase.open(directory: dir), spool: spool)
            for i in 0..<30 { await first.onMarks(["BTC-USD": Self.mark(60_000, seq: UInt64(i + 1), at: Int64(i) * 1_000)], nowMs: Int64(i) * 1_000) }
            // USD 2900, long 1 BTC @ 60000: ratio 2900 / 3000 = 0.967 → urgent (not below liquidation 0.9).
            let body = #"{"id":"r1","collateral":[{"asset":"USD","amount":"2900"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"#
            _ = try await first.put(id: "r1", body: Array(body.utf8), nowMs: 30_000)
        }
        let db = try OracleDatabase.open(directory: dir)
        #expect(try db.notices(account: "r1").map(\.level) == ["urgent"])
        #expect(try db.slowMarks().map(\.pair) == ["BTC-USD"])
        // Half an hour later (the call deadline is an hour) a new desk on the same database; its first
        // print is a bad one (58000: ratio 900 / 2900 = 0.31 on the latest mark). The restored slow
        // mark moves 1.65 % of the way (ratio 0.956 on it): urgent stays, no liquidation.
        let second = try await Self.desk(db, spool: spool)
        await second.onMarks(["BTC-USD": Self.mark(58_000, seq: 1, at: 1_830_000)], nowMs: 1_830_000)
        #expect(try db.notices(account: "r1").map(\.level) == ["urgent"])
    }

    /// Threshold-ordering and bounds errors are 422 and name the field; malformed input stays 400.
    @Test func refusedValuesAre422NamingTheField() async throws {
        let spool = NSTemporaryDirectory() + "422-\(UUID().uuidString)"
        let desk = try await Self.desk(try OracleDatabase.inMemory(), spool: spool)
        func status(_ body: String) async -> (Int, String) {
            do {
                _ = try await desk.put(id: "a", body: Array(body.utf8), nowMs: 0)
                return (200, "")
            } catch {
                return (error.status, error.message)
            }
        }
        let exit = await status(#"{"id":"a","thresholds":{"warn_ratio":"1.5","warn_exit_ratio":"1.5"}}"#)
        #expect(exit.0 == 422 && exit.1.contains("thresholds.warn_exit_ratio"), "\(exit)")
        let qty = await status(#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1e306","entry_price":"1"}]}"#)
        #expect(qty.0 == 422 && qty.1.contains("positions[0].quantity"), "\(qty)")
        let price = await status(#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1e300"}]}"#)
        #expect(price.0 == 422 && price.1.contains("positions[0].entry_price"), "\(price)")
        #expect(await status(#"{"id":"a","colateral":[]}"#).0 == 400)
        // The import says the same, with the line.
        do {
            _ = try await desk.importAccounts(ndjson: Array(#"{"id":"b","positions":[{"pair":"BTC-USD","quantity":"1e306","entry_price":"1"}]}"#.utf8), nowMs: 0)
            Issue.record("import accepted a quantity of 1e306")
        } catch {
            #expect(error.status == 422 && error.message.contains("line 1") && error.message.contains("positions[0].quantity"))
        }
    }
}

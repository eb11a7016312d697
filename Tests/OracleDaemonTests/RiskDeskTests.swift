import Foundation
import Logging
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// Issue 8 on the daemon's path: history imports at any resolution and with time-zone offsets,
/// per-account eligibility across a reload, and a model fallback visible in the account and health.
@Suite struct RiskDeskTests {
    static let day: Int64 = 86_400_000

    static func pair(_ symbol: String) -> PairSpec {
        PairSpec(symbol: symbol, sources: [PairSourceSpec(source: "a", symbol: symbol)], policy: AggregationPolicy(),
                 maintenanceMargin: 0.05, initialMargin: 0.10)
    }

    static func policy() -> MarginPolicy {
        var p = MarginPolicy()
        p.model = .portfolio
        p.priceSide = .mid
        p.historyIntervalMs = 60_000 // one-minute grid, daily closes imported
        p.horizonMs = day
        return p
    }

    func mark(_ pair: String, _ price: Double) -> Mark {
        Mark(pair: pair, price: price, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1_000, seq: 1, sources: [])
    }

    func desk(_ universe: MarginUniverse, db: OracleDatabase? = nil) async throws -> MarginDesk {
        try await MarginDesk(db: try db ?? OracleDatabase.inMemory(), spoolDirectory: NSTemporaryDirectory() + "risk-\(UUID().uuidString)",
                             syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe, logger: Logger(label: "test"))
    }

    /// Daily closes, RFC 3339 at midnight UTC, `days` of them ending 2026-01-01.
    static func dailyCSV(_ pairs: [(String, Double)], days: Int, seed: UInt64 = 5) -> String {
        var rng = SplitMix(seed: seed)
        var csv = "pair,timestamp,price\n"
        var prices = pairs.map(\.1)
        let end = RFC3339.unixMs(year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0)
        for d in 0..<days {
            let common = rng.normal() * 0.03
            let ts = RFC3339.format(ms: end - Int64(days - 1 - d) * day)
            for i in prices.indices {
                prices[i] *= exp(common + rng.normal() * 0.01)
                csv += "\(pairs[i].0),\(ts),\(prices[i])\n"
            }
        }
        return csv
    }

    func riskJSON(_ desk: MarginDesk, _ id: String) async -> [String: Any] {
        let json = await desk.render(id: id)?.rendered ?? "{}"
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        return object["risk"] as? [String: Any] ?? [:]
    }

    /// Failed before: the offset was ignored, so 10:45+02:00 was read as 10:45Z.
    @Test func importTimestampsHonourOffsets() {
        let utc = MarginDesk.parseTimestamp("2024-03-25T08:45:00Z")
        #expect(utc == RFC3339.unixMs(year: 2024, month: 3, day: 25, hour: 8, minute: 45, second: 0, millis: 0))
        #expect(MarginDesk.parseTimestamp("2024-03-25T10:45:00+02:00") == utc)
        #expect(MarginDesk.parseTimestamp("2024-03-25T03:15:00-05:30") == utc)
        #expect(MarginDesk.parseTimestamp("2024-03-25t08:45:00.000z") == utc)
        #expect(MarginDesk.parseTimestamp("2024-03-25T10:45:00.5+02:00") == utc.map { $0 + 500 })
        #expect(MarginDesk.parseTimestamp("2024-03-25T08:45:00") == nil)         // no offset: refused, not guessed
        #expect(MarginDesk.parseTimestamp("2024-03-25T08:45:00+0200") == nil)    // not RFC 3339
        #expect(MarginDesk.parseTimestamp("2024-13-25T08:45:00Z") == nil)
        #expect(MarginDesk.parseTimestamp("1700000000") == 1_700_000_000_000)
    }

    /// Failed before: daily closes on a one-minute grid gave zero returns (every return straddled a gap).
    @Test func dailyClosesWithAMinuteIntervalFeedThePortfolioModelAndSurviveARestart() async throws {
        let universe = MarginUniverse(policy: Self.policy(), collateral: [], pairs: [Self.pair("BTC-USD"), Self.pair("ETH-USD")])
        let db = try OracleDatabase.inMemory()
        let d = try await desk(universe, db: db)
        await d.onMarks(["BTC-USD": mark("BTC-USD", 60_000), "ETH-USD": mark("ETH-USD", 3_000)], nowMs: 1_000)
        let body = #"{"id":"h","collateral":[{"asset":"USD","amount":"20000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"},{"pair":"ETH-USD","quantity":"-20","entry_price":"3000"}]}"#
        _ = try await d.put(id: "h", body: Array(body.utf8), nowMs: 1_000)
        #expect((await riskJSON(d, "h"))["model"] as? String == "standard (insufficient history: 0/30 returns)")
        let imported = try await d.importHistory(csv: Self.dailyCSV([("BTC-USD", 60_000), ("ETH-USD", 3_000)], days: 120))
        #expect(imported == 240)
        let risk = await riskJSON(d, "h")
        #expect(risk["model"] as? String == "portfolio", "\(risk)")
        #expect(Double(risk["var"] as? String ?? "") ?? 0 > 0, "\(risk)")

        // A restart rebuilds the daily series from the store (the intraday points alone are far fewer).
        let again = try await desk(universe, db: db)
        await again.onMarks(["BTC-USD": mark("BTC-USD", 60_000), "ETH-USD": mark("ETH-USD", 3_000)], nowMs: 2_000)
        let restarted = await riskJSON(again, "h")
        #expect(restarted["model"] as? String == "portfolio", "\(restarted)")
        #expect(restarted["var"] as? String == risk["var"] as? String)
    }

    /// Failed before: one snapshot aligned over every pair with history, so a pair added by reload
    /// with a short history cut every account's returns to its length.
    @Test func aPairAddedByReloadDoesNotMoveOtherAccounts() async throws {
        let before = MarginUniverse(policy: Self.policy(), collateral: [], pairs: [Self.pair("BTC-USD")])
        let d = try await desk(before)
        await d.onMarks(["BTC-USD": mark("BTC-USD", 60_000)], nowMs: 1_000)
        _ = try await d.importHistory(csv: Self.dailyCSV([("BTC-USD", 60_000)], days: 100))
        let body = #"{"id":"b","collateral":[{"asset":"USD","amount":"20000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"#
        _ = try await d.put(id: "b", body: Array(body.utf8), nowMs: 1_000)
        #expect((await riskJSON(d, "b"))["model"] as? String == "portfolio")

        let after = MarginUniverse(policy: Self.policy(), collateral: [], pairs: [Self.pair("BTC-USD"), Self.pair("SOL-USD")])
        await d.reconfigure(after, nowMs: 2_000)
        _ = try await d.importHistory(csv: Self.dailyCSV([("SOL-USD", 150)], days: 6, seed: 9))
        await d.onMarks(["BTC-USD": mark("BTC-USD", 60_000), "SOL-USD": mark("SOL-USD", 150)], nowMs: 3_000)
        let sol = #"{"id":"s","collateral":[{"asset":"USD","amount":"20000"}],"positions":[{"pair":"SOL-USD","quantity":"10","entry_price":"150"}]}"#
        _ = try await d.put(id: "s", body: Array(sol.utf8), nowMs: 3_000)
        #expect((await riskJSON(d, "b"))["model"] as? String == "portfolio")
        #expect((await riskJSON(d, "s"))["model"] as? String == "standard (insufficient history: 5/30 returns)")
    }

    /// A VaR the model must reject (here: above max_loss_multiple × gross) shows as `model: "standard"`
    /// with a `model_fallback` reason in the account, and health counts it.
    @Test func fallbackIsShownInTheAccountAndCountedInHealth() async throws {
        var policy = Self.policy()
        policy.maxLossMultiple = 1e-9
        let universe = MarginUniverse(policy: policy, collateral: [], pairs: [Self.pair("BTC-USD")])
        let d = try await desk(universe)
        await d.onMarks(["BTC-USD": mark("BTC-USD", 60_000)], nowMs: 1_000)
        _ = try await d.importHistory(csv: Self.dailyCSV([("BTC-USD", 60_000)], days: 100))
        let body = #"{"id":"f","collateral":[{"asset":"USD","amount":"20000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"#
        _ = try await d.put(id: "f", body: Array(body.utf8), nowMs: 1_000)
        let risk = await riskJSON(d, "f")
        #expect(risk["model"] as? String == "standard", "\(risk)")
        #expect((risk["model_fallback"] as? String)?.contains("gross exposure") == true, "\(risk)")
        #expect(risk["var"] is NSNull)
        let health = await d.healthJSON().rendered
        #expect(health.contains(#""risk_model_fallbacks":{"accounts":1"#), "\(health)")
    }
}

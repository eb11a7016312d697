import Foundation
import Testing
@testable import OracleCore

/// Issue 12 (render) item 1: a notice for an account holding options carries the account's Greeks
/// per underlying, the option grid's figures and one line per option (venue name, σ, price, value),
/// equal to the valuation's; the price and delta are recomputed here with Black-76 written out again.
/// An account without options writes exactly the keys it wrote before (the spool contract: add,
/// never rename).
@Suite struct NoticeOptionsTests {
    typealias F = MarginFixtures
    static let day: Int64 = 86_400_000
    /// 2026-12-06T08:00:00Z.
    static let now: Int64 = 1_796_544_000_000

    static func n(_ x: Double) -> VenueNumber { VenueNumber(text: DecimalText.format(x, maxFractionDigits: 8), value: x) }

    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Black-76 at r = 0: price and forward delta (not the code under test).
    static func ref(_ call: Bool, _ f: Double, _ k: Double, _ sigma: Double, _ t: Double) -> (price: Double, delta: Double) {
        let sd = sigma * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd, d2 = d1 - sd
        return call ? (f * cdf(d1) - k * cdf(d2), cdf(d1)) : (k * cdf(-d2) - f * cdf(-d1), cdf(d1) - 1)
    }

    static func number(_ any: Any?) -> Double? { (any as? String).flatMap(Double.init) }

    /// A short 30-day BTC call, a long 30-day put and a linear hedge, valued at σ = 60 %.
    static func valuation() -> (Valuation, OptionContract, OptionContract) {
        let call = OptionContract(underlying: "BTC-USD", right: .call, strike: n(105_000), expiryMs: now + 30 * day)
        let put = OptionContract(underlying: "BTC-USD", right: .put, strike: n(90_000), expiryMs: now + 30 * day)
        let account = Account(id: "opt-7", collateral: [CollateralBalance(asset: "USD", amount: n(12_000))],
                              positions: [Position(option: call, quantity: n(-4), entryPrice: n(2_500)),
                                          Position(option: put, quantity: n(1), entryPrice: n(1_000)),
                                          Position(pair: "BTC-USD", quantity: n(0.5), entryPrice: n(100_000))])
        let v = MarginModel(universe: F.universe()).value(account, marks: F.marks(F.mark("BTC-USD", 100_000)),
                                                         options: OptionMarket(volatility: FlatVolatility(["BTC-USD": 0.6]), nowMs: now))
        return (v, call, put)
    }

    @Test func aNoticeCarriesTheValuationsGreeksGridAndOptionLines() throws {
        let (v, call, put) = Self.valuation()
        #expect(v.priced, "\(v.unpricedReason ?? "")")
        let m = try #require(v.optionMargin)
        let n = Notice(level: .marginCall, seq: 1, createdAtMs: Self.now, deadlineMs: nil, flags: [], valuation: v, currency: "USD")
        let line = n.jsonLine()
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])

        // The grid's figures, as the valuation has them (to the cent).
        let risk = try #require(obj["risk"] as? [String: Any])
        let grid = try #require(risk["option_grid"] as? [String: Any])
        #expect(abs(Self.number(grid["requirement"])! - m.requirement) <= 0.005)
        #expect(abs(Self.number(grid["initial"])! - m.initial) <= 0.005)
        #expect(abs(Self.number(grid["worst_loss"])! - m.worstLoss) <= 0.005)
        #expect(abs(Self.number(grid["short_option_minimum"])! - m.shortOptionMinimum) <= 0.005)
        // The requirement in force contains the grid's (no other pair here): the notice's own figure.
        #expect(abs(Self.number(obj["maintenance_requirement"])! - m.requirement) <= 1e-6 * m.requirement)
        let worst = try #require(grid["worst_scenario"] as? [String: Any])
        let w = try #require(m.worst)
        #expect(worst["driver"] as? String == w.driver && w.driver == "BTC-USD")
        #expect(worst["vol_shock"] as? String == ["down", "none", "up"][w.volShock.rawValue])
        let moves = try #require(worst["moves"] as? [String: Any])
        #expect(abs(Self.number(moves["BTC-USD"])! - w.moves["BTC-USD"]!) <= 1e-6)
        #expect(abs(Self.number(worst["pnl"])! - w.pnl) <= 0.005 && w.pnl < 0)

        // Greeks per underlying: Σ qty × Greeks with the hedge in delta, delta_usd = delta × forward.
        let greeks = try #require(obj["greeks"] as? [String: Any])
        let btc = try #require((greeks["by_underlying"] as? [String: Any])?["BTC-USD"] as? [String: Any])
        let r = try #require(m.risk.first)
        let t = 30.0 / 365
        let c = Self.ref(true, 100_000, 105_000, 0.6, t), p = Self.ref(false, 100_000, 90_000, 0.6, t)
        let delta = -4 * c.delta + 1 * p.delta + 0.5
        #expect(abs(Self.number(btc["delta"])! - delta) <= 1e-6)
        #expect(abs(Self.number(btc["delta"])! - r.greeks.delta) <= 1e-6)
        #expect(abs(Self.number(btc["delta_usd"])! - delta * 100_000) <= 0.01)
        #expect(abs(Self.number(btc["gamma"])! - r.greeks.gamma) <= 1e-10)
        #expect(abs(Self.number(btc["vega"])! - r.greeks.vega) <= 1e-4)
        #expect(abs(Self.number(btc["theta"])! - r.greeks.theta) <= 1e-4)
        #expect(abs(Self.number(btc["option_value"])! - (-4 * c.price + p.price)) <= 0.005)
        #expect(abs(Self.number(greeks["vega"])! - m.vega) <= 1e-4 && abs(Self.number(greeks["theta"])! - m.theta) <= 1e-4)

        // One line per option, by venue name, with σ, price per contract and value.
        let lines = try #require(obj["option_positions"] as? [[String: Any]])
        #expect(lines.map { $0["name"] as? String } == [call.venueName, put.venueName])
        #expect(lines[0]["name"] as? String == "BTC-5JAN27-105000-C")
        #expect(Self.number(lines[0]["volatility"]) == 0.6 && Self.number(lines[0]["quantity"]) == -4)
        #expect(abs(Self.number(lines[0]["price"])! - c.price) <= 1e-6)
        #expect(abs(Self.number(lines[0]["value"])! - -4 * c.price) <= 0.005)
        #expect(abs(Self.number(lines[1]["value"])! - p.price) <= 0.005)
        let lineGreeks = try #require(lines[0]["greeks"] as? [String: Any])
        #expect(abs(Self.number(lineGreeks["delta"])! - -4 * c.delta) <= 1e-6)

        // Syslog names the grid requirement, the worst scenario and the Greeks after the old text.
        let text = n.syslogLine()
        #expect(text.hasPrefix("margin_call opt-7 id opt-7-margin_call-1 ratio "))
        #expect(text.contains(" options: grid \(DecimalText.format(m.requirement, maxFractionDigits: 2)) USD worst BTC-USD "))
        #expect(text.contains("vol \(["down", "none", "up"][w.volShock.rawValue])"))
        #expect(text.contains("; BTC-USD delta \(DecimalText.format(r.greeks.delta, maxFractionDigits: 4)) "))
    }

    /// The keys an existing consumer reads are unchanged and in the same order; the option keys only
    /// follow them, and an account without options gets none of them.
    @Test func optionKeysAreAdditive() throws {
        let (v, _, _) = Self.valuation()
        let with = Notice(level: .warning, seq: 2, createdAtMs: Self.now, deadlineMs: nil, flags: [], valuation: v, currency: "USD")
        var without = with
        without.options = nil
        let old = without.jsonLine(), new = with.jsonLine()
        #expect(!old.contains("option") && !old.contains("greeks"))
        // Removing the added keys from the new line gives the old line back exactly.
        let riskStart = try #require(new.range(of: ",\"option_grid\":"))
        let riskEnd = try #require(new.range(of: "},\"mass_call\""))
        var stripped = new
        stripped.removeSubrange(riskStart.lowerBound..<riskEnd.lowerBound)
        let tail = try #require(stripped.range(of: ",\"greeks\":"))
        stripped.removeSubrange(tail.lowerBound..<stripped.index(before: stripped.endIndex))
        #expect(stripped == old)
        #expect(without.syslogLine() == String(with.syslogLine().prefix(upTo: with.syslogLine().range(of: " options:")!.lowerBound)))
        // A notice from a linear-only valuation carries no options.
        let linear = MarginModel(universe: F.universe()).value(
            F.account("lin", collateral: [("USD", "1000")], positions: [("BTC-USD", "1", "100000")]),
            marks: F.marks(F.mark("BTC-USD", 99_000)))
        #expect(Notice(level: .warning, seq: 1, createdAtMs: 0, deadlineMs: nil, flags: [], valuation: linear, currency: "USD").options == nil)
    }
}

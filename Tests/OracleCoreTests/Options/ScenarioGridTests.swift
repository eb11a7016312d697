import Foundation
import Testing
@testable import OracleCore

/// The grid's claims from the issue, at core level, with P&L recomputed in the test by its own
/// Black-76 (`ref`), not by the code under test.
@Suite struct ScenarioGridTests {
    static let now: Int64 = 1_780_000_000_000            // 2026-05-28T20:26:40Z
    static let day: Int64 = 86_400_000
    static let btc = 100_000.0, eth = 4_000.0

    /// Straightforward Black-76 (r = 0), written out again here.
    static func ref(_ right: OptionRight, _ f: Double, _ k: Double, _ sigma: Double, _ t: Double) -> Double {
        if t <= 0 { return max(right == .call ? f - k : k - f, 0) }
        func n(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
        let d1 = (log(f / k) + sigma * sigma * t / 2) / (sigma * t.squareRoot()), d2 = d1 - sigma * t.squareRoot()
        return right == .call ? f * n(d1) - k * n(d2) : k * n(-d2) - f * n(-d1)
    }

    static func option(_ right: OptionRight, _ k: Double, days: Int64, _ underlying: String = "BTC-USD") -> OptionContract {
        OptionContract(underlying: underlying, right: right, strike: VenueNumber("\(Int(k))")!, expiryMs: now + days * day)
    }

    static let vols = FlatVolatility(["BTC-USD": 0.6, "ETH-USD": 0.7])

    static func grid(_ p: [GridPosition], correlation: GridCorrelation = GridCorrelation(),
                     policy: ScenarioGridPolicy = ScenarioGridPolicy()) throws -> GridResult {
        try ScenarioGrid.evaluate(p, forwards: ["BTC-USD": btc, "ETH-USD": eth], volatility: vols, nowMs: now,
                                  correlation: correlation, policy: policy)
    }

    @Test func shortStraddleLosesHeavilyWhenVolSpikesWithAMove() throws {
        let legs = [GridPosition(option: Self.option(.call, 100_000, days: 7), quantity: -10, entryPrice: 3_300),
                    GridPosition(option: Self.option(.put, 100_000, days: 7), quantity: -10, entryPrice: 3_300)]
        let r = try Self.grid(legs)
        let t = 7.0 / 365
        let premium = 10 * (Self.ref(.call, Self.btc, 100_000, 0.6, t) + Self.ref(.put, Self.btc, 100_000, 0.6, t))
        let worst = try #require(r.worst)
        #expect(worst.volShock == .up)
        #expect(abs(worst.moves["BTC-USD"]!) >= 0.16 - 1e-12)
        // The loss in the +16 %, vol-up scenario, by hand: σ × (1 + 0.45 × (30/7)^0.3).
        let up = 0.6 * (1 + 0.45 * pow(30.0 / 7, 0.3))
        let f = Self.btc * 1.16
        let byHand = 10 * (Self.ref(.call, f, 100_000, up, t) + Self.ref(.put, f, 100_000, up, t)) - premium
        #expect(r.worstLoss >= byHand - 1e-6)
        #expect(byHand > 1.5 * premium, "a 16 % move with a vol spike costs well over the premium taken")
        // The spike's own share: the same move without it loses clearly less.
        let flat = 10 * (Self.ref(.call, f, 100_000, 0.6, t) + Self.ref(.put, f, 100_000, 0.6, t)) - premium
        #expect(byHand > flat * 1.2)
        // The same straddle without the vol shock loses less: the spike is part of the requirement.
        var noVol = ScenarioGridPolicy(); noVol.volUp = 0; noVol.volDown = 0
        #expect(try Self.grid(legs, policy: noVol).requirement < r.requirement)
    }

    @Test func deltaHedgedLongOptionsNeedLessThanTheirLegs() throws {
        let calls = GridPosition(option: Self.option(.call, 100_000, days: 30), quantity: 10, entryPrice: 6_800)
        let t = 30.0 / 365, sd = 0.6 * t.squareRoot()
        let delta = 0.5 * erfc(-((sd * sd / 2) / sd) / 2.0.squareRoot())          // N(d1) at the money
        let hedge = GridPosition(underlying: "BTC-USD", quantity: -10 * delta, entryPrice: Self.btc)
        let book = try Self.grid([calls, hedge]).requirement
        let legs = try Self.grid([calls]).requirement + Self.grid([hedge]).requirement
        #expect(book < legs)
        #expect(book < 0.5 * legs, "a hedged book keeps only the gamma/vega risk: book \(book) vs legs \(legs)")
        let greeks = try Self.grid([calls, hedge]).risk[0].greeks
        #expect(abs(greeks.delta) < 1e-9, "delta-neutral by construction: \(greeks.delta)")
    }

    @Test func calendarSpreadNeedsLessThanItsShortLeg() throws {
        let short = GridPosition(option: Self.option(.call, 100_000, days: 7), quantity: -10, entryPrice: 3_300)
        let long = GridPosition(option: Self.option(.call, 100_000, days: 60), quantity: 10, entryPrice: 9_000)
        let spread = try Self.grid([short, long]).requirement
        let alone = try Self.grid([short]).requirement
        #expect(spread < alone, "spread \(spread) vs short leg \(alone)")
        #expect(spread > 0)
    }

    @Test func everyGridLossRecomputesIndependently() throws {
        let p = [GridPosition(option: Self.option(.call, 110_000, days: 20), quantity: -3, entryPrice: 2_000),
                 GridPosition(option: Self.option(.put, 90_000, days: 90), quantity: 2, entryPrice: 5_000),
                 GridPosition(underlying: "BTC-USD", quantity: 0.7, entryPrice: 95_000)]
        let r = try Self.grid(p)
        #expect(r.pnl.count == 3 * 17 + 4)
        for x in 0..<r.pnl.count {
            let s = r.scenario(x)
            let f = Self.btc * (1 + s.moves["BTC-USD"]!)
            var total = 0.0
            for q in p {
                guard let c = q.option else { total += q.quantity * (f - Self.btc); continue }
                let t = Double(c.expiryMs - Self.now) / (365 * 86_400_000.0)
                let m = min(2, pow(30 / (t * 365), 0.3))
                let sigma = 0.6 * (s.volShock == .up ? 1 + 0.45 * m : s.volShock == .down ? 1 - 0.30 * m : 1)
                total += q.quantity * (Self.ref(c.right, f, c.strike.value, sigma, t) - Self.ref(c.right, Self.btc, c.strike.value, 0.6, t))
            }
            #expect(abs(s.pnl - s.weight * total) <= 1e-7 * max(1, abs(total)), "scenario \(x): \(s)")
        }
        // Worst is the minimum, and the requirement covers it.
        #expect(r.worstLoss == -r.pnl.min()!)
        #expect(r.requirement >= r.worstLoss)
        // Extremes: ±48 % at a third.
        let ext = r.scenario(3 * 17)
        #expect(ext.extreme && abs(ext.moves["BTC-USD"]! + 0.48) < 1e-12 && ext.weight == 0.33)
    }

    @Test func correlationOffsetsAHedgedPairButZeroCorrelationAddsUp() throws {
        let longBTC = GridPosition(underlying: "BTC-USD", quantity: 1, entryPrice: Self.btc)
        let shortETH = GridPosition(underlying: "ETH-USD", quantity: -25, entryPrice: Self.eth)   // same notional
        let alone = try Self.grid([longBTC]).requirement + Self.grid([shortETH]).requirement
        let uncorrelated = try Self.grid([longBTC, shortETH]).requirement
        #expect(abs(uncorrelated - alone) < 1e-6, "ρ = 0: no offset credited")
        var corr = GridCorrelation()
        try corr.set("BTC-USD", "ETH-USD", 0.9)
        let hedged = try Self.grid([longBTC, shortETH], correlation: corr)
        #expect(hedged.requirement < 0.75 * alone, "ρ = 0.9: \(hedged.requirement) vs \(alone)")
        // By hand: BTC −16 % (−16 000), ETH band 0.9·(−1) ± 0.436 → worst at −0.46 range (round to −4/8 … ) for a short: the smallest fall.
        let worst = try #require(hedged.worst)
        #expect(worst.pnl == hedged.pnl.min()!)
        // The extremes move the driver alone, at a third: 0.33 × 48 % × 100 000.
        #expect(hedged.requirement >= 0.33 * 0.48 * Self.btc - 1e-6)
        // ρ = 1 and equal notionals: a perfect hedge inside the joint grid; only the extremes remain.
        var perfect = GridCorrelation()
        try perfect.set("BTC-USD", "ETH-USD", 1)
        let p = try Self.grid([longBTC, shortETH], correlation: perfect)
        #expect(abs(p.requirement - 0.33 * 0.48 * Self.btc) < 1e-6)
        #expect(throws: OptionError.self) { try perfect.set("BTC-USD", "ETH-USD", .nan) }
    }

    @Test func shortOptionMinimumAppliesToFarOutOfTheMoneyShorts() throws {
        let farPut = GridPosition(option: Self.option(.put, 40_000, days: 3), quantity: -5, entryPrice: 1)
        let r = try Self.grid([farPut])
        #expect(r.shortOptionMinimum == 0.01 * Self.btc * 5)
        #expect(r.requirement == max(r.worstLoss, r.shortOptionMinimum))
        #expect(r.requirement == r.shortOptionMinimum, "grid loss \(r.worstLoss) is below the 1 % minimum")
        // Longs get no minimum.
        #expect(try Self.grid([GridPosition(option: Self.option(.put, 40_000, days: 3), quantity: 5, entryPrice: 1)]).shortOptionMinimum == 0)
    }

    @Test func accountGreeksAreSumsOfPositionGreeks() throws {
        let a = Self.option(.call, 105_000, days: 14), b = Self.option(.put, 95_000, days: 45)
        let p = [GridPosition(option: a, quantity: 2, entryPrice: 2_000), GridPosition(option: b, quantity: -3, entryPrice: 4_000),
                 GridPosition(underlying: "BTC-USD", quantity: 0.5, entryPrice: 98_000),
                 GridPosition(option: Self.option(.call, 4_000, days: 10, "ETH-USD"), quantity: 7, entryPrice: 150)]
        let r = try Self.grid(p)
        let ga = try Black76.value(.call, forward: Self.btc, strike: 105_000, volatility: 0.6, years: 14 / 365.0)
        let gb = try Black76.value(.put, forward: Self.btc, strike: 95_000, volatility: 0.6, years: 45 / 365.0)
        let btc = try #require(r.risk.first { $0.underlying == "BTC-USD" })
        #expect(abs(btc.greeks.delta - (2 * ga.delta - 3 * gb.delta + 0.5)) < 1e-12)
        #expect(abs(btc.greeks.vega - (2 * ga.vega - 3 * gb.vega)) < 1e-9)
        #expect(abs(btc.greeks.theta - (2 * ga.theta - 3 * gb.theta)) < 1e-9)
        #expect(abs(btc.greeks.gamma - (2 * ga.gamma - 3 * gb.gamma)) < 1e-15)
        #expect(abs(btc.unrealisedPnL - (2 * (ga.price - 2_000) - 3 * (gb.price - 4_000) + 0.5 * 2_000)) < 1e-6)
        #expect(abs(r.vega - r.risk.reduce(0) { $0 + $1.greeks.vega }) < 1e-12 && r.risk.count == 2)
        #expect(r.pnl.count == 2 * 3 * 17 + 2 * 4)
    }

    @Test func volShockScaleIsLargerForShortExpiries() {
        let p = ScenarioGridPolicy()
        #expect(abs(p.volShockScale(days: 30) - 1) < 1e-15)
        #expect(abs(p.volShockScale(days: 365) - pow(30 / 365.0, 0.3)) < 1e-15)
        #expect(p.volShockScale(days: 1) == 2 && p.volShockScale(days: 0) == 2)
        #expect(p.range(for: "BTC-USD") == 0.16 && p.range(for: "ETH-USD") == 0.16 && p.range(for: "SOL-USD") == 0.25)
    }

    @Test func missingOrNonFiniteInputsAreErrorsNamingTheField() {
        let call = GridPosition(option: Self.option(.call, 100_000, days: 7), quantity: -1, entryPrice: 100)
        func field(_ body: () throws(OptionError) -> GridResult) -> String? {
            do { _ = try body(); return nil } catch { return error.field }
        }
        #expect(field { () throws(OptionError) in try ScenarioGrid.evaluate([call], forwards: [:], volatility: Self.vols, nowMs: Self.now) } == "forwards.BTC-USD")
        #expect(field { () throws(OptionError) in try ScenarioGrid.evaluate([call], forwards: ["BTC-USD": .nan], volatility: Self.vols, nowMs: Self.now) } == "forwards.BTC-USD")
        #expect(field { () throws(OptionError) in try ScenarioGrid.evaluate([call], forwards: ["BTC-USD": Self.btc], volatility: FlatVolatility([:]), nowMs: Self.now) } == "positions[0].volatility")
        #expect(field { () throws(OptionError) in try ScenarioGrid.evaluate([call], forwards: ["BTC-USD": Self.btc], volatility: FlatVolatility(["BTC-USD": .infinity]), nowMs: Self.now) } == "positions[0].volatility")
        var bad = call; bad.quantity = .nan
        #expect(field { () throws(OptionError) in try ScenarioGrid.evaluate([bad], forwards: ["BTC-USD": Self.btc], volatility: Self.vols, nowMs: Self.now) } == "positions[0].quantity")
        var policy = ScenarioGridPolicy(); policy.volDown = 0.6
        #expect(field { () throws(OptionError) in try ScenarioGrid.evaluate([call], forwards: ["BTC-USD": Self.btc], volatility: Self.vols, nowMs: Self.now, policy: policy) } == "vol_down")
    }

    @Test func expiredOptionsAreIntrinsicAndNeedNoVolatility() throws {
        let expired = GridPosition(option: OptionContract(underlying: "BTC-USD", right: .call, strike: VenueNumber("90000")!, expiryMs: Self.now - Self.day),
                                   quantity: 1, entryPrice: 5_000)
        let r = try ScenarioGrid.evaluate([expired], forwards: ["BTC-USD": Self.btc], volatility: FlatVolatility([:]), nowMs: Self.now)
        #expect(r.risk[0].greeks.price == 10_000 && r.risk[0].greeks.delta == 1)
        #expect(abs(r.worstLoss - 10_000) < 1e-6, "worst is −16 % taking it to intrinsic 0 … \(r.worstLoss)")
        var short = expired; short.quantity = -1
        #expect(try ScenarioGrid.evaluate([short], forwards: ["BTC-USD": Self.btc], volatility: FlatVolatility([:]), nowMs: Self.now).shortOptionMinimum == 0,
                "an expired option settles: no short-option floor")
    }
}

import Foundation
import Testing
@testable import OracleCore

/// Options in the portfolio model: each FHS scenario revalues every option in full with Black-76
/// (σ held, T − horizon), recomputed here with an own Black-76 and an own scenario loop over the
/// snapshot's growth, and compared with the delta-only figure the model used before.
@Suite struct PortfolioOptionsTests {
    typealias F = MarginFixtures
    static let day: Int64 = 86_400_000
    /// 2026-12-06T08:00:00Z.
    static let now: Int64 = 1_796_544_000_000
    static let h = 1.0 / 365   // the 1-day horizon in years
    static let pairs = ["BTC-USD", "ETH-USD"]

    static func n(_ x: Double) -> VenueNumber { VenueNumber(text: DecimalText.format(x, maxFractionDigits: 8), value: x) }

    static func option(_ right: OptionRight, _ strike: Double, days: Int64, _ underlying: String = "BTC-USD") -> OptionContract {
        OptionContract(underlying: underlying, right: right, strike: n(strike), expiryMs: now + days * day)
    }

    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Black-76 at r = 0, written out again (not the code under test).
    static func ref(_ right: OptionRight, _ f: Double, _ k: Double, _ sigma: Double, _ t: Double) -> Double {
        guard t > 0 else { return max(0, right == .call ? f - k : k - f) }
        let sd = sigma * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd, d2 = d1 - sd
        return right == .call ? f * cdf(d1) - k * cdf(d2) : k * cdf(-d2) - f * cdf(-d1)
    }

    static func delta(_ right: OptionRight, _ f: Double, _ k: Double, _ sigma: Double, _ t: Double) -> Double {
        let sd = sigma * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd
        return right == .call ? cdf(d1) : cdf(d1) - 1
    }

    /// Daily returns with standard deviation `sd`, ETH's correlated `rho` with BTC's (Box–Muller on
    /// a fixed LCG, so the test is deterministic).
    static func returns(_ count: Int, sd: Double = 0.03, rho: Double = 0, seed: UInt64 = 7) -> [[Double]] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
        }
        return (0..<count).map { _ in
            let r = (-2 * log(uniform())).squareRoot(), a = 2 * Double.pi * uniform()
            let z1 = r * cos(a), z2 = r * sin(a)
            return [sd * z1, sd * (rho * z1 + (1 - rho * rho).squareRoot() * z2)]
        }
    }

    static func snapshot(rho: Double = 0, stress: [[Double]] = []) -> RiskSnapshot {
        RiskSnapshot(returns: returns(250, rho: rho), pairs: pairs, lambda: 0.94, horizonScale: 1, resolution: .daily,
                     intervalMs: day, stress: stress)
    }

    static func model(_ edit: (inout MarginPolicy) -> Void = { _ in }) -> MarginModel {
        // The linear scenario grid and the stress floor off unless a test turns them on: VaR and ES alone.
        var p = MarginPolicy(model: .portfolio, horizonMs: day, portfolioFloor: 0, minHistory: 30, historyIntervalMs: day,
                             stressWeight: 0, scenarioMove: 0, scenarioCrash: 0)
        edit(&p)
        return MarginModel(universe: F.universe(policy: p))
    }

    /// A leg as the test revalues it: option (nil for linear), quantity, forward, σ, years to expiry.
    struct Leg {
        var option: OptionContract?
        var quantity: Double
        var forward: Double
        var sigma: Double = 0
        var years: Double = 0
        /// The pair of a linear leg (0 = BTC-USD, 1 = ETH-USD); an option's is its underlying's.
        var linearPair = 0
        var pair: Int { option.map { $0.underlying == "BTC-USD" ? 0 : 1 } ?? linearPair }
        func pnl(_ g: Double, deltaOnly: Bool) -> Double {
            guard let o = option else { return quantity * forward * g }
            let k = o.strike.value
            if deltaOnly { return quantity * PortfolioOptionsTests.delta(o.right, forward, k, sigma, years) * forward * g }
            let h = PortfolioOptionsTests.h
            return quantity * (ref(o.right, forward * (1 + g), k, sigma, max(0, years - h)) - ref(o.right, forward, k, sigma, years))
        }
    }

    /// Losses of `legs` over the rows of `growth` (2 pairs wide), sorted worst first.
    static func losses(_ legs: [Leg], growth: [Double], deltaOnly: Bool = false) -> [Double] {
        stride(from: 0, to: growth.count, by: 2).map { row in
            -legs.reduce(0.0) { $0 + $1.pnl(growth[row + $1.pair], deltaOnly: deltaOnly) }
        }.sorted(by: >)
    }

    /// VaR 99 % (the ⌈0.01·n⌉-th worst) and ES 97.5 % (mean of the ⌈0.025·n⌉ worst), n = 250: 3rd and 7.
    static func tail(_ sorted: [Double], varShare: Double = 0.01, esShare: Double = 0.025) -> (VaR: Double, ES: Double) {
        let n = Double(sorted.count)
        let mv = Int((varShare * n).rounded(.up)), me = Int((esShare * n).rounded(.up))
        return (sorted[mv - 1], sorted[..<me].reduce(0, +) / Double(me))
    }

    static func close(_ x: Double?, _ y: Double, _ tol: Double = 1e-9) -> Bool {
        guard let x else { return false }
        return abs(x - y) <= tol * max(1, abs(y))
    }

    // MARK: full revaluation

    @Test func shortCallsVaRAndESAreTheFullRevaluationAndExceedDeltaOnly() throws {
        let f = 100_000.0, sigma = 0.6, t = 30.0 / 365
        let o = Self.option(.call, 105_000, days: 30)
        let account = Account(id: "sc", collateral: [CollateralBalance(asset: "USD", amount: Self.n(200_000))],
                              positions: [Position(option: o, quantity: Self.n(-5), entryPrice: Self.n(5_000)),
                                          Position(pair: "ETH-USD", quantity: Self.n(10), entryPrice: Self.n(3_000))])
        // Stress days: ±10..20 % on BTC, ETH along.
        var stress: [[Double]] = []
        for i in 1...10 {
            let sign: Double = i % 2 == 0 ? 1 : -1
            stress.append([sign * (0.10 + 0.01 * Double(i)), -0.05])
        }
        let snap = Self.snapshot(rho: 0.5, stress: stress)
        let model = Self.model { $0.stressWeight = 0.25 }
        let marks = F.marks(F.mark("BTC-USD", f), F.mark("ETH-USD", 3_000))
        let v = model.value(account, marks: marks, risk: snap, options: OptionMarket(volatility: FlatVolatility(["BTC-USD": sigma]), nowMs: Self.now))
        #expect(v.priced, "\(v.unpricedReason ?? "")")
        #expect(v.riskModel == .portfolio)

        let legs = [Leg(option: o, quantity: -5, forward: f, sigma: sigma, years: t),
                    Leg(option: nil, quantity: 10, forward: 3_000, linearPair: 1)]
        func book(deltaOnly: Bool, growth: [Double]) -> [Double] { Self.losses(legs, growth: growth, deltaOnly: deltaOnly) }
        let full = Self.tail(book(deltaOnly: false, growth: snap.growth))
        let deltaOnly = Self.tail(book(deltaOnly: true, growth: snap.growth))
        #expect(Self.close(v.valueAtRisk, full.VaR), "VaR \(v.valueAtRisk ?? -1) vs \(full.VaR)")
        #expect(Self.close(v.expectedShortfall, full.ES), "ES \(v.expectedShortfall ?? -1) vs \(full.ES)")
        // Short gamma: in the tail (large moves) the full loss is above the delta line's.
        #expect(full.VaR > 1.05 * deltaOnly.VaR && full.ES > 1.05 * deltaOnly.ES, "full \(full) delta \(deltaOnly)")
        // Stress ES over the stress rows, revalued the same way.
        let stressTail = Self.tail(book(deltaOnly: false, growth: snap.stressGrowth), varShare: 0.025, esShare: 0.025)
        #expect(Self.close(v.stressFloor, 0.25 * stressTail.ES), "stress \(v.stressFloor ?? -1) vs \(0.25 * stressTail.ES)")
        // The option grid stays a floor; the requirement is at least VaR/ES.
        let grid = try #require(v.optionMargin).requirement
        #expect(v.maintenanceRequirement >= grid - 1e-9 && v.maintenanceRequirement >= full.ES - 1e-9)
    }

    @Test func deltaHedgedLongStraddleHasNearZeroDeltaVaRButPositiveFullVaR() throws {
        let f = 100_000.0, sigma = 0.5, t = 14.0 / 365
        let call = Self.option(.call, 100_000, days: 14), put = Self.option(.put, 100_000, days: 14)
        let netDelta = 10 * (Self.delta(.call, f, 100_000, sigma, t) + Self.delta(.put, f, 100_000, sigma, t))
        let hedge = -(netDelta * 1e8).rounded() / 1e8
        let account = Account(id: "ls", collateral: [CollateralBalance(asset: "USD", amount: Self.n(150_000))],
                              positions: [Position(option: call, quantity: Self.n(10), entryPrice: Self.n(4_000)),
                                          Position(option: put, quantity: Self.n(10), entryPrice: Self.n(4_000)),
                                          Position(pair: "BTC-USD", quantity: Self.n(hedge), entryPrice: Self.n(f))])
        let snap = Self.snapshot()
        let v = Self.model().value(account, marks: F.marks(F.mark("BTC-USD", f), F.mark("ETH-USD", 3_000)), risk: snap,
                                   options: OptionMarket(volatility: FlatVolatility(["BTC-USD": sigma]), nowMs: Self.now))
        #expect(v.priced)
        #expect(v.riskModel == .portfolio)
        let legs = [Leg(option: call, quantity: 10, forward: f, sigma: sigma, years: t),
                    Leg(option: put, quantity: 10, forward: f, sigma: sigma, years: t),
                    Leg(option: nil, quantity: hedge, forward: f)]
        let full = Self.tail(Self.losses(legs, growth: snap.growth))
        let deltaOnly = Self.tail(Self.losses(legs, growth: snap.growth, deltaOnly: true))
        #expect(Self.close(v.valueAtRisk, full.VaR) && Self.close(v.expectedShortfall, full.ES),
                "\(v.valueAtRisk ?? -1) \(v.expectedShortfall ?? -1) vs \(full)")
        // The delta line sees a flat book; the full revaluation sees a day of time value lost where
        // the price barely moves (long gamma earns only on the large moves).
        let callDecay: Double = Self.ref(.call, f, 100_000, sigma, t) - Self.ref(.call, f, 100_000, sigma, t - Self.h)
        let putDecay: Double = Self.ref(.put, f, 100_000, sigma, t) - Self.ref(.put, f, 100_000, sigma, t - Self.h)
        let decay = 10 * (callDecay + putDecay)
        #expect(abs(deltaOnly.VaR) < 1 && abs(deltaOnly.ES) < 1, "\(deltaOnly)")
        #expect(full.VaR > 0.5 * decay && full.VaR <= decay + 1e-6, "VaR \(full.VaR) decay \(decay)")
        #expect((v.valueAtRisk ?? 0) > 100)
    }

    @Test func theLinearScenarioGridRevaluesOptionsToo() throws {
        let f = 100_000.0, sigma = 0.6, t = 7.0 / 365
        let put = Self.option(.put, 95_000, days: 7)
        let account = Account(id: "sp", collateral: [CollateralBalance(asset: "USD", amount: Self.n(100_000))],
                              positions: [Position(option: put, quantity: Self.n(-4), entryPrice: Self.n(1_500)),
                                          Position(pair: "ETH-USD", quantity: Self.n(-20), entryPrice: Self.n(3_000))])
        let model = Self.model { $0.scenarioMove = 0.05; $0.scenarioCrash = 0.10 }
        let v = model.value(account, marks: F.marks(F.mark("BTC-USD", f), F.mark("ETH-USD", 3_000)), risk: Self.snapshot(),
                            options: OptionMarket(volatility: FlatVolatility(["BTC-USD": sigma]), nowMs: Self.now))
        #expect(v.riskModel == .portfolio)
        let option = Leg(option: put, quantity: -4, forward: f, sigma: sigma, years: t)
        let eth = -20 * 3_000.0
        var worst = 0.0
        for s in [-0.05, 0.05] {
            worst = max(worst, -option.pnl(s, deltaOnly: false), -eth * s)
        }
        for s in [-0.10, 0.10] { worst = max(worst, -(option.pnl(s, deltaOnly: false) + eth * s)) }
        #expect(Self.close(v.scenarioFloor, worst), "\(v.scenarioFloor ?? -1) vs \(worst)")
        // The crash down costs the short put more than its delta says.
        let deltaCrash = -(option.pnl(-0.10, deltaOnly: true) + eth * -0.10)
        #expect(worst > deltaCrash)
    }

    @Test func grossExposureCheckCountsAnOptionAtItsUnderlyingNotional() throws {
        let o = Self.option(.call, 100_000, days: 30)
        let account = Account(id: "g", collateral: [CollateralBalance(asset: "USD", amount: Self.n(100_000))],
                              positions: [Position(option: o, quantity: Self.n(-2), entryPrice: Self.n(6_000)),
                                          Position(pair: "ETH-USD", quantity: Self.n(-10), entryPrice: Self.n(3_000))])
        let market = OptionMarket(volatility: FlatVolatility(["BTC-USD": 0.6]), nowMs: Self.now)
        let marks = F.marks(F.mark("BTC-USD", 100_000), F.mark("ETH-USD", 3_000))
        let absurd = Self.model { $0.maxLossMultiple = 1e-6 }.value(account, marks: marks, risk: Self.snapshot(), options: market)
        guard case let .standardFallback(reason) = absurd.riskModel else {
            Issue.record("expected a fallback, got \(absurd.riskModel)")
            return
        }
        // |−2| × 100 000 + |−10| × 3 000.
        #expect(reason.contains("gross exposure 230000.0"), "\(reason)")
        #expect(absurd.priced && absurd.maintenanceRequirement == absurd.standardMaintenance)
    }

    @Test func anOptionBookWithoutLegsIsTheLinearGrid() throws {
        let snap = Self.snapshot()
        for e in [[1_000.0, 500], [1_000, -1_000], [-300, 0]] {
            let book = try #require(OptionScenarioBook(snapshot: snap, lines: [], linear: e, nowMs: Self.now, horizonMs: Self.day, rate: 0))
            #expect(book.gridLoss(move: 0.05, crash: 0.10) == MarginModel.scenarioGridLoss(e, move: 0.05, crash: 0.10))
            let a = try #require(book.measures(snap, varConfidence: 0.99, esConfidence: 0.975))
            let b = try #require(snap.measures(dense: e, varConfidence: 0.99, esConfidence: 0.975))
            #expect(Self.close(a.valueAtRisk, b.valueAtRisk, 1e-12) && Self.close(a.expectedShortfall, b.expectedShortfall, 1e-12))
        }
    }

    // MARK: correlation in the option grid

    @Test func correlatedUnderlyingsOffsetInTheGrid() throws {
        let btc = Self.option(.call, 100_000, days: 30), eth = Self.option(.call, 3_000, days: 30, "ETH-USD")
        // Long BTC calls against short ETH calls of about the same delta in dollars.
        let account = Account(id: "x", collateral: [CollateralBalance(asset: "USD", amount: Self.n(100_000))],
                              positions: [Position(option: btc, quantity: Self.n(1), entryPrice: Self.n(6_000)),
                                          Position(option: eth, quantity: Self.n(-33.3333), entryPrice: Self.n(180))])
        let marks = F.marks(F.mark("BTC-USD", 100_000), F.mark("ETH-USD", 3_000))
        let market = OptionMarket(volatility: FlatVolatility(["BTC-USD": 0.6, "ETH-USD": 0.6]), nowMs: Self.now)
        let model = Self.model()
        let correlated = Self.snapshot(rho: 0.9)
        let rho = model.gridCorrelation(Self.pairs, risk: correlated).rho("BTC-USD", "ETH-USD")
        let c = try #require(correlated.covariance("BTC-USD", "ETH-USD")), a = try #require(correlated.covariance("BTC-USD", "BTC-USD")),
            b = try #require(correlated.covariance("ETH-USD", "ETH-USD"))
        #expect(abs(rho - c / (a * b).squareRoot()) < 1e-12 && rho > 0.7, "ρ \(rho)")
        let withRho = try #require(model.value(account, marks: marks, risk: correlated, options: market).optionMargin).requirement
        let without = try #require(model.value(account, marks: marks, risk: nil, options: market).optionMargin).requirement
        #expect(withRho < 0.8 * without, "ρ \(rho): \(withRho) vs ρ = 0: \(without)")
        // And it is the grid evaluated at that ρ.
        var g = GridCorrelation()
        try g.set("BTC-USD", "ETH-USD", rho)
        let direct = try ScenarioGrid.evaluate([GridPosition(option: btc, quantity: 1, entryPrice: 6_000),
                                                GridPosition(option: eth, quantity: -33.3333, entryPrice: 180)],
                                               forwards: ["BTC-USD": 100_000, "ETH-USD": 3_000], volatility: market.volatility,
                                               nowMs: Self.now, correlation: g, policy: model.policy.optionGrid)
        #expect(abs(direct.requirement - withRho) < 1e-9 * withRho)
    }
}

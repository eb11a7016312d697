import Foundation
import Testing
@testable import OracleCore

@Suite struct PortfolioRiskTests {
    typealias F = MarginFixtures
    let interval: Int64 = 60_000
    let a = 0.01
    let z99 = 2.3263478740408408

    func close(_ x: Double, _ y: Double, _ tol: Double = 1e-9) -> Bool { abs(x - y) <= tol * max(1, abs(y)) }

    /// History where AAA returns alternate +a, −a, … and BBB's are `sign[t]` times AAA's.
    func history(count: Int, sign: (Int) -> Double) -> MarkHistory {
        var h = MarkHistory(intervalMs: interval)
        var pa = 100.0, pb = 100.0
        h.record(pair: "AAA-USD", price: pa, atMs: 0)
        h.record(pair: "BBB-USD", price: pb, atMs: 0)
        for t in 1...count {
            let r = t % 2 == 1 ? a : -a
            pa *= exp(r)
            pb *= exp(sign(t) * r)
            h.record(pair: "AAA-USD", price: pa, atMs: Int64(t) * interval)
            h.record(pair: "BBB-USD", price: pb, atMs: Int64(t) * interval)
        }
        return h
    }

    /// The scenario grid is switched off here (scenario_move = scenario_crash = 0) so the figures are
    /// the FHS ones alone; `PortfolioCalibrationTests` covers the floors. λ is per horizon: with a
    /// horizon of 4 intervals the EWMA decays by λ^(1/4) per interval (horizon-consistent, issue 8).
    func setup(lambda: Double, horizonIntervals: Int64 = 4, floor: Double = 0.5) -> (MarginModel, MarginPolicy) {
        let policy = MarginPolicy(model: .portfolio, horizonMs: horizonIntervals * interval, ewmaLambda: lambda,
                                  portfolioFloor: floor, minHistory: 30, historyIntervalMs: interval,
                                  scenarioMove: 0, scenarioCrash: 0)
        let u = MarginUniverse(policy: policy, collateral: [], pairs: [F.pair("AAA-USD"), F.pair("BBB-USD")])
        return (MarginModel(universe: u), policy)
    }

    let marks = MarginFixtures.marks(MarginFixtures.mark("AAA-USD", 100), MarginFixtures.mark("BBB-USD", 100))

    @Test func hedgedBookNeedsLessThanStandard() {
        let (model, policy) = setup(lambda: 0.94)
        let h = history(count: 40) { _ in 1 } // perfectly co-moving
        let risk = RiskSnapshot(history: h, pairs: ["AAA-USD", "BBB-USD"], policy: policy)
        #expect(risk.returnCount == 40)
        // Every rₜrₜᵀ is a²·[[1,1],[1,1]] and so is the seed: the EWMA stays there.
        #expect(close(risk.covariance("AAA-USD", "BBB-USD") ?? 0, a * a))
        let hedged = F.account(positions: [("AAA-USD", "100", "100"), ("BBB-USD", "-100", "100")])
        let v = model.value(hedged, marks: marks, risk: risk)
        #expect(v.riskModel == .portfolio)
        #expect(close(v.standardMaintenance, 1000))          // 2 × 10000 × 0.05
        #expect(abs(v.valueAtRisk ?? 1) < 1e-9)               // every scenario moves both legs alike
        #expect(abs(v.expectedShortfall ?? 1) < 1e-9)
        #expect(close(v.maintenanceRequirement, 500))         // floor 0.5 × standard: never zero
        #expect(close(v.initialRequirement, 1000))            // × standard initial/maintenance = 2
        #expect(v.maintenanceRequirement < v.standardMaintenance)

        // The same legs both long. Constant |r| = a: every filtered scenario is ±a per interval, √4 to
        // the horizon; the worst (40 scenarios, 1 in the 99 % tail) is both −a: 20000 · (1 − e^(−0.02)).
        let long = model.value(F.account(positions: [("AAA-USD", "100", "100"), ("BBB-USD", "100", "100")]), marks: marks, risk: risk)
        #expect(close(long.valueAtRisk ?? 0, 20000 * (1 - exp(-0.02))))
        #expect(close(long.expectedShortfall ?? 0, 20000 * (1 - exp(-0.02))))
        #expect(close(long.maintenanceRequirement, 500))      // 0.5 × 1000 is above the 396 of risk
    }

    @Test func correlationBreakdownRaisesRequirement() {
        let (model, policy) = setup(lambda: 0.5, floor: 0.1)
        let hedged = F.account(positions: [("AAA-USD", "100", "100"), ("BBB-USD", "-100", "100")])
        let before = model.value(hedged, marks: marks,
                                 risk: RiskSnapshot(history: history(count: 40) { _ in 1 }, pairs: ["AAA-USD", "BBB-USD"], policy: policy))
        // The last two returns move opposite ways.
        let broken = RiskSnapshot(history: history(count: 40) { $0 > 38 ? -1 : 1 }, pairs: ["AAA-USD", "BBB-USD"], policy: policy)
        // λ per interval = 0.5^(1/4). Seed c₁ = (38 − 2)/40 · a² = 0.9a²; 38 steps of +a², two of −a².
        let l = pow(0.5, 0.25)
        var c = 0.9 * a * a
        for t in 1...40 { c = l * c + (1 - l) * (t > 38 ? -1 : 1) * a * a }
        #expect(close(broken.covariance("AAA-USD", "BBB-USD") ?? 0, c, 1e-12))
        #expect(close(broken.covariance("AAA-USD", "AAA-USD") ?? 0, a * a, 1e-12))
        let after = model.value(hedged, marks: marks, risk: broken)
        // FHS: scenario 40 (AAA −a, BBB +a) at √4: loss 10000(1 − e^(−0.02)) + 10000(e^(0.02) − 1)
        let worst = 10000 * (1 - exp(-0.02)) + 10000 * (exp(0.02) - 1)
        #expect(close(after.valueAtRisk ?? 0, worst))
        #expect(close(after.expectedShortfall ?? 0, worst))
        #expect(close(after.maintenanceRequirement, worst))
        #expect(close(before.maintenanceRequirement, 100))    // floor 0.1 × 1000: the hedge had no loss scenario
        #expect(after.maintenanceRequirement > before.maintenanceRequirement)
        #expect(after.maintenanceRequirement < after.standardMaintenance) // still below the sum of the legs here
    }

    @Test func expectedShortfallAtLeastVaRAtSameLevel() {
        var h = MarkHistory(intervalMs: interval)
        var seed: UInt64 = 42
        func rnd() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53) - 0.5
        }
        var p = [100.0, 50.0, 20.0]
        for t in 0...300 {
            for (i, pair) in ["AAA-USD", "BBB-USD", "CCC-USD"].enumerated() {
                if t > 0 { p[i] *= exp(0.02 * rnd() + (i == 1 ? 0.01 * rnd() : 0)) }
                h.record(pair: pair, price: p[i], atMs: Int64(t) * interval)
            }
        }
        let risk = RiskSnapshot(history: h, pairs: ["AAA-USD", "BBB-USD", "CCC-USD"], policy: MarginPolicy(ewmaLambda: 0.94, historyIntervalMs: interval))
        #expect(risk.returnCount == 300)
        let e: [(index: Int, value: Double)] = [(0, 10_000), (1, -4_000), (2, 2_500)]
        for alpha in [0.95, 0.975, 0.99] {
            #expect(risk.historicalES(exposures: e, confidence: alpha) >= risk.historicalVaR(exposures: e, confidence: alpha))
            #expect(risk.parametricES(exposures: e, confidence: alpha) >= risk.parametricVaR(exposures: e, confidence: alpha))
        }
        // Normal ES at 97.5 % ≈ VaR at 99 %: 2.3378σ vs 2.3263σ.
        let sigma = risk.portfolioStdDev(exposures: e)
        #expect(close(risk.parametricES(exposures: e, confidence: 0.975) / sigma, 2.337802, 1e-6))
    }

    @Test func insufficientHistoryFallsBackToStandardAndSaysSo() {
        let (model, policy) = setup(lambda: 0.94)
        let risk = RiskSnapshot(history: history(count: 12) { _ in 1 }, pairs: ["AAA-USD", "BBB-USD"], policy: policy)
        let v = model.value(F.account(positions: [("AAA-USD", "100", "100")]), marks: marks, risk: risk)
        #expect(v.riskModel.description == "standard (insufficient history: 12/30 returns)")
        #expect(close(v.maintenanceRequirement, 500))
        #expect(v.valueAtRisk == nil)
        let none = model.value(F.account(positions: [("AAA-USD", "100", "100")]), marks: marks, risk: nil)
        #expect(none.riskModel == .standardInsufficientHistory(have: 0, need: 30))
    }

    @Test func liquidityAddOnJoinsRiskBasedRequirement() {
        let policy = MarginPolicy(model: .portfolio, horizonMs: 4 * interval, ewmaLambda: 0.94, portfolioFloor: 0.5,
                                  minHistory: 30, historyIntervalMs: interval, scenarioMove: 0, scenarioCrash: 0)
        let u = MarginUniverse(policy: policy, collateral: [],
                               pairs: [F.pair("AAA-USD", risk: PairRiskSpec(adv: 400, spreadBps: 10, impactBps: 200)), F.pair("BBB-USD")])
        let risk = RiskSnapshot(history: history(count: 40) { _ in 1 }, pairs: ["AAA-USD", "BBB-USD"], policy: policy)
        let v = MarginModel(universe: u).value(F.account(positions: [("AAA-USD", "100", "100")]), marks: marks, risk: risk)
        // add-on: 10000 × (10 + 200 × v × √(100/400)) / 1e4 = 110 at v = current/long-run vol = 1;
        // 100/400 of ADV closes within a day at 10 % participation? No: D = 100/(0.1·400) = 2.5 days, so a
        // concentration add-on 10000 · z₉₉ · σ_h · (√2.5 − 1) with σ_h = a·√4 = 0.02.
        let conc = 10000 * z99 * 0.02 * (2.5.squareRoot() - 1)
        #expect(close(v.liquidityAddOn, 110))
        #expect(close(v.concentrationAddOn, conc))
        // FHS VaR: the worst scenario is −a at √4: 10000 · (1 − e^(−0.02)).
        #expect(close(v.maintenanceRequirement, 10000 * (1 - exp(-0.02)) + 110 + conc))
    }

    @Test func markHistoryAlignsAndSkipsGaps() {
        var h = MarkHistory(intervalMs: 1000, capacity: 100)
        for t in 0..<6 { h.record(pair: "X", price: 100 + Double(t), atMs: Int64(t) * 1000 + 500) }
        for t in [0, 1, 2, 4, 5] { h.record(pair: "Y", price: 10, atMs: Int64(t) * 1000) }
        h.record(pair: "Y", price: 20, atMs: 5_999) // replaces slot 5's 10
        let r = h.alignedReturns(pairs: ["X", "Y"])
        // slots 1, 2 (Y flat), slot 5 (Y 10 → 20); slots 3 and 4 need Y at 3
        #expect(r.count == 3)
        #expect(close(r[0][0], log(101.0 / 100)))
        #expect(close(r[2][0], log(105.0 / 104)))
        #expect(close(r[2][1], log(2.0)))
        #expect(h.alignedReturns(pairs: ["X", "Z"]).isEmpty)
        h.record(pair: "X", price: .nan, atMs: 9000)
        h.record(pair: "X", price: -1, atMs: 9000)
        #expect(h.latest(pair: "X")?.price == 105)
    }

    @Test func markHistoryKeepsCapacity() {
        var h = MarkHistory(intervalMs: 1, capacity: 50)
        for t in 0..<1000 { h.record(pair: "X", price: Double(t + 1), atMs: Int64(t)) }
        let r = h.alignedReturns(pairs: ["X"])
        #expect(r.count <= 50 && r.count >= 49)
        #expect(close(r.last?[0] ?? 0, log(1000.0 / 999)))
    }
}

import Foundation
import CBench
import OracleCore

/// Portfolio requirement per account: `MarginModel.value` under `model = portfolio` — the code the
/// daemon runs for every evaluation (equity, standard lines, liquidity and concentration add-ons,
/// FHS VaR + ES over 1000 scenarios, stress ES, scenario grid, floors, the fallback checks) — for
/// an 8-position account whose pair set is prepared in the `RiskBook`, as the daemon's is after a
/// history slot. Beside it, `cbench_portfolio`: the same requirement in plain C on the same
/// snapshot arrays (exposures, tail selection, stress ES, grid, add-ons, floors), without the
/// equity, marks and top-up bookkeeping of a full valuation. Both results are compared so the two
/// sides are known to compute the same thing. Best of 5 runs.
func runPortfolioBench() -> [(name: String, value: Double, unit: String)] {
    let k = 8
    let pairs = (0..<k).map { "P\($0)-USD" }
    let policy = MarginPolicy(model: .portfolio, priceSide: .mid, horizonMs: MarkHistory.dayMs, historyIntervalMs: MarkHistory.dayMs)
    let specs = pairs.enumerated().map { i, p in
        PairSpec(symbol: p, sources: [], policy: AggregationPolicy(), maintenanceMargin: 0.05, initialMargin: 0.10,
                 risk: PairRiskSpec(adv: 50 + Double(i) * 10, spreadBps: 5, impactBps: 100))
    }
    let universe = MarginUniverse(policy: policy, collateral: [], pairs: specs)
    let model = MarginModel(universe: universe)

    // 1100 days of correlated returns from 2019-06-01, so the 2020 and 2022 stress windows are in it.
    var state: UInt64 = 42
    func normal() -> Double {
        func u() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return (Double(state >> 11) + 0.5) / Double(1 << 53) }
        return (-2 * log(u())).squareRoot() * cos(2 * Double.pi * u())
    }
    let start = RFC3339.unixMs(year: 2019, month: 6, day: 1, hour: 0, minute: 0, second: 0, millis: 0)
    var history = MarkHistory(intervalMs: MarkHistory.dayMs)
    var prices = (0..<k).map { 100.0 + Double($0) * 50 }
    for d in 0..<1_100 {
        let common = normal() * 0.03
        for i in 0..<k {
            if d > 0 { prices[i] *= exp(common + normal() * 0.015) }
            history.record(pair: pairs[i], price: prices[i], atMs: start + Int64(d) * MarkHistory.dayMs)
        }
    }
    var marks: [String: Mark] = [:]
    for i in 0..<k {
        marks[pairs[i]] = Mark(pair: pairs[i], price: prices[i], confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5,
                               updatedAtMs: 0, seq: 1, sources: [])
    }
    var quantities: [Double] = []
    for i in 0..<k {
        let sign: Double = i % 2 == 0 ? 1 : -1
        quantities.append(sign * (20 + Double(i) * 7))
    }
    let account = Account(id: "bench", collateral: [CollateralBalance(asset: "USD", amount: VenueNumber("1000000")!)],
                          positions: (0..<k).map { i in
                              Position(pair: pairs[i], quantity: VenueNumber("\(quantities[i])")!, entryPrice: VenueNumber("\(prices[i])")!)
                          })
    let book = RiskBook(history: history, policy: policy, pairSets: [model.riskPairs(account)], pairs: pairs)
    guard let snapshot = book.snapshot(for: pairs) else { return [] }

    let clock = ContinuousClock()
    func ns(_ d: Duration) -> Double { Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9 }
    let iterations = 20_000
    var bestSwift = Double.infinity, swiftResult = 0.0, swiftVaR = 0.0
    for _ in 0..<5 {
        var sink = 0.0
        let t = clock.measure {
            for _ in 0..<iterations {
                let v = model.value(account, marks: marks, risk: book)
                sink += v.maintenanceRequirement
            }
        }
        bestSwift = min(bestSwift, ns(t) / Double(iterations))
        swiftResult = sink / Double(iterations)
    }
    let check = model.value(account, marks: marks, risk: book)
    swiftVaR = check.valueAtRisk ?? .nan

    let pairIndex = pairs.map { Int32(snapshot.index[$0]!) }
    var cPolicy = cbench_portfolio_policy(var_confidence: policy.varConfidence, es_confidence: policy.esConfidence,
                                          portfolio_floor: policy.portfolioFloor, stress_weight: policy.stressWeight,
                                          scenario_move: policy.scenarioMove, scenario_crash: policy.scenarioCrash,
                                          max_participation: policy.maxParticipation,
                                          z_var: NormalDistribution.quantile(policy.varConfidence))
    var mark = [Double](repeating: 0, count: k), adv = mark, spread = mark, impact = mark, mm = mark, scale = mark, sigma = mark
    for (i, p) in pairs.enumerated() {
        let j = snapshot.index[p]!
        mark[j] = prices[i]
        adv[j] = specs[i].risk.adv ?? 0
        spread[j] = specs[i].risk.spreadBps
        impact[j] = specs[i].risk.impactBps
        mm[j] = specs[i].maintenanceMargin
        scale[j] = book.volatility(of: p)?.scale ?? 1
        sigma[j] = book.volatility(of: p)?.horizonSigma ?? 0
    }
    var exposure = [Double](repeating: 0, count: k), tail = [Double](repeating: 0, count: 64)
    var out = cbench_portfolio_out()
    var bestC = Double.infinity, cResult = 0.0
    let growth = snapshot.growth, stress = snapshot.stressGrowth
    for _ in 0..<5 {
        var sink = 0.0
        let t = clock.measure {
            for _ in 0..<iterations {
                cbench_portfolio(growth, snapshot.returnCount, k, stress, snapshot.stressCount, k, pairIndex, quantities, mark,
                                 adv, spread, impact, mm, scale, sigma, &cPolicy, &exposure, &tail, &out)
                sink += out.maintenance
            }
        }
        bestC = min(bestC, ns(t) / Double(iterations))
        cResult = sink / Double(iterations)
    }
    let agree = abs(swiftResult - cResult) <= 1e-9 * max(1, abs(cResult)) && abs(swiftVaR - out.value_at_risk) <= 1e-9 * max(1, abs(swiftVaR))
    print("  \(snapshot.returnCount) scenarios, \(snapshot.stressCount) stress days, 8 positions: requirement Swift \(swiftResult) C \(cResult)"
          + " VaR Swift \(swiftVaR) C \(out.value_at_risk) \(agree ? "(agree)" : "(DISAGREE)")")
    return [("portfolio_us_per_account", bestSwift / 1000, "us"),
            ("portfolio_c_us_per_account", bestC / 1000, "us"),
            ("portfolio_swift_over_c", bestSwift / bestC, "x")]
}

import CBench
import OracleCore

/// Options: `Black76.value` (checked inputs, price + all six Greeks) per option, and
/// `ScenarioGrid.evaluate` for a 20-option BTC account (plus a linear hedge) over the whole default
/// grid (17 moves × 3 vol states + 4 extremes, every option revalued in full), each beside a plain C
/// implementation of the same formulas in the same run (Sources/CBench/options.c). Both sides'
/// results are compared so they are known to compute the same thing. Best of 5 runs.
func runOptionBench() -> [(name: String, value: Double, unit: String)] {
    let clock = ContinuousClock()
    func ns(_ d: Duration) -> Double { Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9 }

    // 1024 varied options so neither side can fold a constant: strikes 60 %…150 % of F, 1 day…1 year.
    let f = 100_000.0
    var strikes = [Double](), years = [Double](), vols = [Double](), rights = [OptionRight]()
    for i in 0..<1024 {
        strikes.append(f * (0.6 + 0.9 * Double((i * 37) % 1024) / 1024))
        years.append((1 + Double((i * 53) % 365)) / 365)
        vols.append(0.3 + 0.6 * Double((i * 71) % 1024) / 1024)
        rights.append(i % 2 == 0 ? .call : .put)
    }
    let iterations = 2_000_000
    var bestSwift = Double.infinity, swiftSum = 0.0
    for _ in 0..<5 {
        var sink = 0.0
        let t = clock.measure {
            for n in 0..<iterations {
                let i = n & 1023
                if let g = try? Black76.value(rights[i], forward: f, strike: strikes[i], volatility: vols[i], years: years[i]) {
                    sink += g.price + g.delta + g.gamma + g.vega + g.theta + g.rho
                }
            }
        }
        bestSwift = min(bestSwift, ns(t) / Double(iterations))
        swiftSum = sink
    }
    var bestC = Double.infinity, cSum = 0.0
    let isCall = rights.map { Int32($0 == .call ? 1 : 0) }
    for _ in 0..<5 {
        var sink = 0.0
        var g = cbench_greeks()
        let t = clock.measure {
            for n in 0..<iterations {
                let i = n & 1023
                cbench_black76(isCall[i], f, strikes[i], vols[i], years[i], 0, &g)
                sink += g.price + g.delta + g.gamma + g.vega + g.theta + g.rho
            }
        }
        bestC = min(bestC, ns(t) / Double(iterations))
        cSum = sink
    }
    let agree = abs(swiftSum - cSum) <= 1e-9 * abs(cSum)
    print("  Black-76 price + 6 Greeks: Swift \(bestSwift) ns, C \(bestC) ns, checksums \(agree ? "agree" : "DISAGREE (\(swiftSum) vs \(cSum))")")

    // A 20-option account: calls and puts around the money, 3 days to 6 months, long and short, plus a hedge.
    let now: Int64 = 1_780_000_000_000
    var positions = [GridPosition]()
    var cStrike = [Double](), cYears = [Double](), cSigma = [Double](), cQty = [Double](), cCall = [Int32]()
    for i in 0..<20 {
        let k = (f * (0.8 + 0.02 * Double(i))).rounded()
        let days = Int64([3, 7, 14, 30, 90, 180][i % 6])
        let right: OptionRight = i % 3 == 0 ? .put : .call
        let q = i % 2 == 0 ? -Double(1 + i % 5) : Double(1 + i % 4)
        let c = OptionContract(underlying: "BTC-USD", right: right, strike: VenueNumber("\(Int(k))")!, expiryMs: now + days * 86_400_000)
        positions.append(GridPosition(option: c, quantity: q, entryPrice: 1_000))
        cStrike.append(k); cYears.append(Black76.years(from: now, to: c.expiryMs)); cSigma.append(0.55); cQty.append(q)
        cCall.append(right == .call ? 1 : 0)
    }
    positions.append(GridPosition(underlying: "BTC-USD", quantity: 2.5, entryPrice: 98_000))
    let vol = FlatVolatility(["BTC-USD": 0.55])
    let policy = ScenarioGridPolicy()
    let gridIterations = 20_000
    var bestGrid = Double.infinity, gridResult = 0.0
    for _ in 0..<5 {
        var sink = 0.0
        let t = clock.measure {
            for _ in 0..<gridIterations {
                if let r = try? ScenarioGrid.evaluate(positions, forwards: ["BTC-USD": f], volatility: vol, nowMs: now, policy: policy) {
                    sink += r.requirement
                }
            }
        }
        bestGrid = min(bestGrid, ns(t) / Double(gridIterations))
        gridResult = sink / Double(gridIterations)
    }
    var cPolicy = cbench_grid_policy(range: policy.majorRange, steps: Int32(policy.steps), vol_up: policy.volUp, vol_down: policy.volDown,
                                     shock_exponent: policy.volShockExponent, shock_cap: policy.volShockCap,
                                     extreme_multiple: policy.extremeMultiple, extreme_weight: policy.extremeWeight,
                                     max_down: policy.maxDownMove, short_minimum: policy.shortOptionMinimum)
    var table = [Double](repeating: 0, count: 3 * (2 * policy.steps + 1))
    var bestGridC = Double.infinity, gridC = 0.0
    for _ in 0..<5 {
        var sink = 0.0
        var g = cbench_greeks()
        let t = clock.measure {
            for _ in 0..<gridIterations {
                sink += cbench_option_grid(20, cCall, cStrike, cYears, cSigma, cQty, 2.5, f, &cPolicy, &table, &g)
            }
        }
        bestGridC = min(bestGridC, ns(t) / Double(gridIterations))
        gridC = sink / Double(gridIterations)
    }
    let gridAgree = abs(gridResult - gridC) <= 1e-9 * max(1, abs(gridC))
    print("  grid, 20 options + hedge, 55 scenarios: requirement Swift \(gridResult) C \(gridC) \(gridAgree ? "(agree)" : "(DISAGREE)")")

    // The same account as the daemon values it: MarginModel.value (each option priced with its Greeks,
    // the grid, the figures), then a volatility event over 1 000 such accounts through the evaluator,
    // which is what a surface rebuild costs the desk. Baseline: the bare grid above.
    let universe = MarginUniverse(policy: MarginPolicy(), collateral: [],
                                  pairs: [PairSpec(symbol: "BTC-USD", sources: [], policy: AggregationPolicy(), maintenanceMargin: 0.05, initialMargin: 0.1)])
    func number(_ x: Double) -> VenueNumber { VenueNumber(text: "\(x)", value: x) }
    func account(_ id: String) -> Account {
        var list = positions.compactMap { p in p.option.map { Position(option: $0, quantity: number(p.quantity), entryPrice: number(p.entryPrice)) } }
        list.append(Position(pair: "BTC-USD", quantity: number(2.5), entryPrice: number(98_000)))
        return Account(id: id, collateral: [CollateralBalance(asset: "USD", amount: number(1_000_000))], positions: list)
    }
    let model = MarginModel(universe: universe)
    let mark = Mark(pair: "BTC-USD", price: f, confidence: 0, status: .ok, sourcesUsed: 4, sourcesTotal: 5, updatedAtMs: now, seq: 1, sources: [])
    let market = OptionMarket(volatility: vol, nowMs: now)
    let one = account("bench")
    var bestValue = Double.infinity, valued = 0.0
    for _ in 0..<5 {
        var sink = 0.0
        let t = clock.measure {
            for _ in 0..<gridIterations / 4 { sink += model.value(one, marks: ["BTC-USD": mark], options: market).maintenanceRequirement }
        }
        bestValue = min(bestValue, ns(t) / Double(gridIterations / 4))
        valued = sink / Double(gridIterations / 4)
    }
    print("  MarginModel.value of that account: maintenance \(valued) (grid \(gridResult) + 0: the hedge is in the grid)")
    var evaluator = MarginEvaluator(universe: universe)
    evaluator.volatility = vol
    _ = evaluator.marksUpdated(["BTC-USD": mark], nowMs: now)
    _ = evaluator.put((0..<1_000).map { account("acct-\($0)") }, nowMs: now)
    var bestEvent = Double.infinity
    for i in 0..<5 {
        let t = clock.measure { _ = evaluator.volatilityUpdated(pairs: ["BTC-USD"], nowMs: now + Int64(i + 1) * 1_000) }
        bestEvent = min(bestEvent, ns(t))
    }
    print("  volatility event over 1 000 such accounts: \(Int(bestEvent / 1e6)) ms")
    return [("black76_ns", bestSwift, "ns"), ("black76_c_ns", bestC, "ns"), ("black76_swift_over_c", bestSwift / bestC, "x"),
            ("grid_us_per_account", bestGrid / 1000, "us"), ("grid_c_us_per_account", bestGridC / 1000, "us"),
            ("grid_swift_over_c", bestGrid / bestGridC, "x"),
            ("option_account_value_us", bestValue / 1000, "us"), ("option_account_value_over_grid", bestValue / bestGrid, "x"),
            ("vol_event_ms_1000_accounts", bestEvent / 1e6, "ms")]
}

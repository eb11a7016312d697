/// An account holding options, as the portfolio model's scenarios see it: linear exposures (one value
/// per pair of the snapshot, positions and non-cash collateral) plus every option leg, revalued in
/// full with Black-76 in each scenario rather than replaced by its delta (docs/margin-model.md
/// "Options in the portfolio model" has the formulas, defaults and why).
///
/// Scenario t moves every pair's forward to F·(1 + gₜ), gₜ = the snapshot's `growth` (exp(√h·s) − 1),
/// and its P&L is
///
///     Σ linear eᵢ·gₜ,ᵢ + Σ options q·(Black76(F·(1 + gₜ,pair), K, σ, max(0, T − h)) − V_now)
///
/// - **σ held** at the surface's value for that option now (sticky strike). The history moves
///   prices only; volatility shocks are the option grid's job, and the grid stays a floor of the
///   portfolio requirement. σ is not scaled by the scenario's filtered-volatility ratio: FHS has
///   already rescaled each return to today's volatility, and today's implied σ is the market's
///   price of exactly that regime — scaling it again would count the regime twice.
/// - **T − h**: the scenario is at the horizon, so each option loses the horizon's time value
///   (floored at 0, where the value is intrinsic). A long option pays its theta in every scenario,
///   a short one earns it; V_now is priced with the same function at T, so a scenario with no
///   move shows exactly the horizon's decay.
///
/// Built only for accounts with options: a linear account keeps `RiskSnapshot.tailMeasures`, one
/// multiply-add per scenario and pair.
struct OptionScenarioBook: Sendable {
    struct Leg: Sendable {
        var pair: Int
        var right: OptionRight
        var quantity: Double
        var forward: Double
        var strike: Double
        var volatility: Double
        /// Years to expiry at the horizon, max(0, T − h).
        var yearsAtHorizon: Double
        /// Black-76 now (at T), the base of each scenario's P&L.
        var valueNow: Double
    }

    /// Linear exposures per pair of the snapshot (options excluded).
    var linear: [Double]
    var legs: [Leg]
    var rate: Double

    /// nil when an option's underlying is not a pair of the snapshot.
    init?(snapshot: RiskSnapshot, lines: [Valuation.PositionLine], linear: [Double], nowMs: Int64,
          horizonMs: Int64, rate: Double) {
        self.linear = linear
        self.rate = rate
        let horizonYears = Double(max(0, horizonMs)) / Black76.msPerYear
        var legs: [Leg] = []
        for line in lines {
            guard let o = line.option else { continue }
            guard let i = snapshot.index[line.pair] else { return nil }
            let t = Black76.years(from: nowMs, to: o.expiryMs)
            // `volatility` is nil for an expired option (valued at intrinsic, no σ needed).
            let sigma = line.volatility ?? 0
            let now = Black76.uncheckedPrice(o.right, forward: line.markPrice, strike: o.strike.value, volatility: sigma,
                                             years: t, rate: rate)
            legs.append(Leg(pair: i, right: o.right, quantity: line.quantity, forward: line.markPrice, strike: o.strike.value,
                            volatility: sigma, yearsAtHorizon: max(0, t - horizonYears), valueNow: now))
        }
        self.legs = legs
    }

    /// P&L of the scenario whose growth per pair starts at `row[0]`.
    @inline(__always)
    func pnl(_ row: UnsafePointer<Double>) -> Double {
        var total = 0.0
        for i in 0..<linear.count { total += linear[i] * row[i] }
        for leg in legs {
            let f = leg.forward * (1 + row[leg.pair])
            let v = Black76.uncheckedPrice(leg.right, forward: f, strike: leg.strike, volatility: leg.volatility,
                                           years: leg.yearsAtHorizon, rate: rate)
            total += leg.quantity * (v - leg.valueNow)
        }
        return total
    }

    /// VaR (the ⌈(1−α)n⌉-th worst loss) and ES (the mean of the ⌈(1−α)n⌉ worst) over `rows`
    /// scenarios of `growth` (row-major, `linear.count` wide), as `RiskSnapshot.tailMeasures` does for
    /// linear books. A NaN loss counts as +∞, so it surfaces as a non-finite measure. nil without scenarios.
    func tailMeasures(growth: [Double], rows n: Int, varConfidence: Double, esConfidence: Double)
        -> (valueAtRisk: Double, expectedShortfall: Double)? {
        let k = linear.count
        guard n > 0, k > 0, growth.count >= n * k else { return nil }
        let mv = RiskSnapshot.tailCount(n, confidence: varConfidence), me = RiskSnapshot.tailCount(n, confidence: esConfidence)
        let m = max(mv, me)
        var worst = [Double](repeating: -.infinity, count: m)
        growth.withUnsafeBufferPointer { g in
            var row = g.baseAddress!
            for _ in 0..<n {
                var loss = -pnl(row)
                row += k
                if loss.isNaN { loss = .infinity }
                guard loss > worst[m - 1] else { continue }
                var j = m - 1
                while j > 0 && worst[j - 1] < loss { worst[j] = worst[j - 1]; j -= 1 }
                worst[j] = loss
            }
        }
        var sum = 0.0
        for j in 0..<me { sum += worst[j] }
        return (worst[mv - 1], sum / Double(me))
    }

    func measures(_ snapshot: RiskSnapshot, varConfidence: Double, esConfidence: Double) -> (valueAtRisk: Double, expectedShortfall: Double)? {
        tailMeasures(growth: snapshot.growth, rows: snapshot.returnCount, varConfidence: varConfidence, esConfidence: esConfidence)
    }

    /// ES over the stress scenarios; nil when the history holds none.
    func stressES(_ snapshot: RiskSnapshot, confidence: Double) -> Double? {
        tailMeasures(growth: snapshot.stressGrowth, rows: snapshot.stressCount, varConfidence: confidence,
                     esConfidence: confidence)?.expectedShortfall
    }

    /// The portfolio model's scenario grid revalued in full: the worst loss of each pair alone at
    /// ±`move`, then all pairs together at ±`crash`, floored at 0. For a book without options this is
    /// exactly `MarginModel.scenarioGridLoss`.
    func gridLoss(move: Double, crash: Double) -> Double {
        let k = linear.count
        var row = [Double](repeating: 0, count: k)
        var worst = 0.0
        func consider() {
            let loss = row.withUnsafeBufferPointer { -pnl($0.baseAddress!) }
            // NaN wins, as in `maxKeepingNaN`: the caller refuses a non-finite floor.
            if loss.isNaN || worst.isNaN { worst = .nan } else if loss > worst { worst = loss }
        }
        guard k > 0 else { return 0 }
        for i in 0..<k {
            for s in [-move, move] {
                row[i] = s
                consider()
            }
            row[i] = 0
        }
        for s in [-crash, crash] {
            for i in 0..<k { row[i] = s }
            consider()
        }
        return worst
    }
}

/// What the scenario grid says about one account: the requirement and why (the worst scenario, or the
/// short-option minimum when that is larger), every scenario's P&L, and the account's Greeks.
public struct GridResult: Sendable, Equatable {
    /// Underlyings in the order the grid used (sorted), and their ± range.
    public var underlyings: [String]
    public var ranges: [Double]
    public var steps: Int
    /// max(worstLoss, shortOptionMinimum), never negative (USD).
    public var requirement: Double
    /// −(the lowest weighted scenario P&L), floored at 0 (USD).
    public var worstLoss: Double
    /// Σ over short options of `shortOptionMinimum` × forward × |qty| (USD).
    public var shortOptionMinimum: Double
    /// Weighted P&L per scenario (USD): joint scenarios first, then extremes (see `scenario(_:)`).
    public var pnl: [Double]
    /// Index into `pnl` of the worst scenario (nil for an empty account).
    public var worstIndex: Int?
    /// The chosen step (−steps…steps) of every underlying in every joint scenario, row-major.
    var choices: [Int32]
    public var extremeMultiple: Double
    public var extremeWeight: Double
    public var maxDownMove: Double
    public var risk: [UnderlyingRisk]

    /// Σ vega over underlyings (USD per vol point): vega is in USD, so it adds across underlyings.
    public var vega: Double { risk.reduce(0) { $0 + $1.greeks.vega } }
    /// Σ theta (USD per day).
    public var theta: Double { risk.reduce(0) { $0 + $1.greeks.theta } }

    /// Joint scenarios: underlyings × 3 vol shocks × (2·steps + 1) moves.
    public var jointCount: Int { underlyings.count * 3 * (2 * steps + 1) }

    public var worst: GridScenario? { worstIndex.map(scenario) }

    /// Scenario `index` with its moves and label, rebuilt from the compact arrays the grid fills.
    public func scenario(_ index: Int) -> GridScenario {
        let points = 2 * steps + 1
        if index < jointCount {
            let driver = index / (3 * points), vol = VolShock(rawValue: index / points % 3)!
            var moves: [String: Double] = [:]
            for (j, u) in underlyings.enumerated() {
                moves[u] = Double(choices[index * underlyings.count + j]) / Double(steps) * ranges[j]
            }
            return GridScenario(driver: underlyings[driver], moves: moves, volShock: vol, extreme: false, weight: 1, pnl: pnl[index])
        }
        let e = index - jointCount, driver = e / 4
        var moves = Dictionary(uniqueKeysWithValues: underlyings.map { ($0, 0.0) })
        moves[underlyings[driver]] = ScenarioGrid.extremeMove(up: e % 4 >= 2, range: ranges[driver],
                                                               multiple: extremeMultiple, maxDown: maxDownMove)
        return GridScenario(driver: underlyings[driver], moves: moves, volShock: e % 2 == 1 ? .up : .none, extreme: true,
                            weight: extremeWeight, pnl: pnl[index])
    }
}

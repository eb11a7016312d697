/// The volatility leg of a grid scenario: every option's σ scaled down, unchanged or up.
public enum VolShock: Int, Sendable, Equatable, CaseIterable {
    case down = 0, none = 1, up = 2
}

/// One scenario of the grid, reconstructed for display (the worst one in a notice, all of them in
/// `GET /v1/accounts/{id}`): which underlying drove it, the fractional price move applied to each
/// underlying (−0.16 = a 16 % fall), the vol shock, and the account's P&L in it (USD, after `weight`;
/// negative is a loss).
public struct GridScenario: Sendable, Equatable {
    public var driver: String
    public var moves: [String: Double]
    public var volShock: VolShock
    /// True for the ±3 × range moves counted at `extremeWeight`.
    public var extreme: Bool
    public var weight: Double
    public var pnl: Double

    public init(driver: String, moves: [String: Double], volShock: VolShock, extreme: Bool, weight: Double, pnl: Double) {
        self.driver = driver
        self.moves = moves
        self.volShock = volShock
        self.extreme = extreme
        self.weight = weight
        self.pnl = pnl
    }
}

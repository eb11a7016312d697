/// One option's value and sensitivities, per unit of the underlying (one BTC option on `BTC-USD`),
/// in the units Deribit publishes so a desk can compare line by line:
/// - `price`: USD (quote currency), discounted;
/// - `delta`: ∂V/∂F, dimensionless (forward delta, not premium-adjusted);
/// - `gamma`: ∂²V/∂F², per USD;
/// - `vega`: USD per volatility point (∂V/∂σ / 100);
/// - `theta`: USD per calendar day (−∂V/∂T / 365; negative for a long option at r = 0);
/// - `rho`: USD per rate point, Black–Scholes style with the spot held (K·T·N(d2)·e^{−rT}/100 for a call).
public struct OptionGreeks: Sendable, Equatable {
    public var price: Double
    public var delta: Double
    public var gamma: Double
    public var vega: Double
    public var theta: Double
    public var rho: Double

    public init(price: Double, delta: Double, gamma: Double, vega: Double, theta: Double, rho: Double) {
        self.price = price
        self.delta = delta
        self.gamma = gamma
        self.vega = vega
        self.theta = theta
        self.rho = rho
    }

    public static let zero = OptionGreeks(price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0)

    /// Every field × `quantity`: a position's contribution (quantity negative for a short).
    public func scaled(by quantity: Double) -> OptionGreeks {
        OptionGreeks(price: price * quantity, delta: delta * quantity, gamma: gamma * quantity,
                     vega: vega * quantity, theta: theta * quantity, rho: rho * quantity)
    }

    /// Field-wise sum, for account totals per underlying.
    public static func + (a: OptionGreeks, b: OptionGreeks) -> OptionGreeks {
        OptionGreeks(price: a.price + b.price, delta: a.delta + b.delta, gamma: a.gamma + b.gamma,
                     vega: a.vega + b.vega, theta: a.theta + b.theta, rho: a.rho + b.rho)
    }
}

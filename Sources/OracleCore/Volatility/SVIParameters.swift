/// Gatheral's raw SVI smile: total implied variance as a function of log-moneyness k = ln(K/F),
///
///     w(k) = a + b · ( ρ (k − m) + √((k − m)² + σ²) )
///
/// with the constraints that make w non-negative and the wings linear with slopes
/// b(1 ± ρ) (Lee's moment bound then asks b(1 + |ρ|) ≤ 2 per unit of T, which the
/// butterfly check enforces in effect):
///
///     b ≥ 0,   |ρ| < 1,   σ > 0,   a + b σ √(1 − ρ²) ≥ 0   (the minimum of w is ≥ 0)
///
/// Units: w is variance × years (σ_implied² · T), so the parameters are per slice, not per year.
public struct SVIParameters: Sendable, Equatable {
    public var a: Double
    public var b: Double
    public var rho: Double
    public var m: Double
    public var sigma: Double

    public init(a: Double, b: Double, rho: Double, m: Double, sigma: Double) {
        self.a = a
        self.b = b
        self.rho = rho
        self.m = m
        self.sigma = sigma
    }

    /// True when Gatheral's constraints hold (with |ρ| strictly below 1) and all are finite.
    public var isAdmissible: Bool {
        guard a.isFinite, b.isFinite, rho.isFinite, m.isFinite, sigma.isFinite else { return false }
        return b >= 0 && abs(rho) < 1 && sigma > 0 && a + b * sigma * (1 - rho * rho).squareRoot() >= -1e-14
    }

    /// Total variance at log-moneyness k.
    public func w(_ k: Double) -> Double {
        let x = k - m
        return a + b * (rho * x + (x * x + sigma * sigma).squareRoot())
    }

    /// dw/dk.
    public func dw(_ k: Double) -> Double {
        let x = k - m
        return b * (rho + x / (x * x + sigma * sigma).squareRoot())
    }

    /// d²w/dk².
    public func d2w(_ k: Double) -> Double {
        let x = k - m
        let r = (x * x + sigma * sigma).squareRoot()
        return b * sigma * sigma / (r * r * r)
    }
}

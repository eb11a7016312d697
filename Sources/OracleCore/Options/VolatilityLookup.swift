/// Where option valuation gets σ for a strike and expiry: the volatility surface in production
/// (OracleCore/Volatility's `VolSurface`, adapted by the daemon), `FlatVolatility` in tests and in
/// `oracled option`. A protocol so valuation and the grid stay pure and testable without a surface.
///
/// `underlying` is the pair as positions name it (`BTC-USD`); an adapter maps it to the surface's key.
/// Returns a fraction (0.4543 for 45.43 %), or nil when there is no usable volatility for that point
/// (unknown underlying, surface `unavailable`): the caller must then refuse to value, not guess.
public protocol VolatilityLookup {
    func volatility(underlying: String, strike: Double, expiryMs: Int64, forward: Double, nowMs: Int64) -> Double?
}

/// One volatility per underlying, for every strike and expiry: a test double, and what a risk manager
/// uses by hand (`oracled option --vol`).
public struct FlatVolatility: VolatilityLookup, Sendable, Equatable {
    public var byUnderlying: [String: Double]

    public init(_ byUnderlying: [String: Double]) {
        self.byUnderlying = byUnderlying
    }

    public func volatility(underlying: String, strike: Double, expiryMs: Int64, forward: Double, nowMs: Int64) -> Double? {
        byUnderlying[underlying]
    }
}

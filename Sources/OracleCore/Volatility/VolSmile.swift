/// One expiry's fitted smile: SVI when it converged, the convex fallback otherwise.
///
/// Whatever the form, what is served is total variance at the fit time T₀ as a function of
/// log-moneyness, clamped to the quoted range [kMin, kMax]: beyond the outermost quoted strikes
/// the implied volatility is held flat rather than extrapolated along SVI's linear wings, which
/// no venue quote supports.
public enum VolSmile: Sendable, Equatable {
    case svi(SVIParameters)
    case convex(ConvexSmile)

    /// Total variance at k (no clamping).
    public func w(_ k: Double) -> Double {
        switch self {
        case .svi(let p): return p.w(k)
        case .convex(let c): return c.w(k)
        }
    }

    /// The form's name in the API: "svi" or "convex_linear".
    public var method: String {
        switch self {
        case .svi: return "svi"
        case .convex: return "convex_linear"
        }
    }
}

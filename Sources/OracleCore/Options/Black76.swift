#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Black-76 on a forward: the price and Greeks of a European option, the model Deribit, Bybit and OKX
/// publish their marks and Greeks under (docs/options.md has every formula).
///
/// With F the forward (the oracle's mark), K the strike, σ the volatility (a fraction: 0.4543 for
/// 45.43 %), T the time to expiry in years (ACT/365: milliseconds to expiry / (365 × 86 400 000)),
/// r the rate and D = e^{−rT}:
///
///     d1 = (ln(F/K) + σ²T/2) / (σ√T),  d2 = d1 − σ√T
///     call = D·(F·N(d1) − K·N(d2)),   put = D·(K·N(−d2) − F·N(−d1))
///
/// N is `erfc`-based, the same form as `NormalDistribution.cdf` (full double precision, also deep in the
/// tails, where a rational approximation's absolute error would swamp an out-of-the-money price),
/// written inline here so the grid's inner loop needs no call across files. A put uses N(−d)
/// directly instead of 1 − N(d), which would cancel to zero for a deep out-of-the-money put.
///
/// Limits are explicit rather than left to floating point: at or after expiry (T ≤ 0) the value is the
/// intrinsic value and every Greek is 0 except delta, a step (½ exactly at the money); with σ√T below
/// 1e-12 (zero vol, or seconds from expiry) the value is the discounted intrinsic value. Inputs that are
/// not finite, or absurd (F or K ≤ 0, σ < 0 or > 10, |r| > 1), throw an `OptionError` naming the field:
/// a NaN must never become a price that a margin decision is taken on.
public enum Black76 {
    /// Days in the ACT/365 year.
    public static let daysPerYear = 365.0
    /// Milliseconds in the ACT/365 year.
    public static let msPerYear = 365.0 * 86_400_000
    /// Above 1000 % a volatility is a unit mistake (percent given as a fraction), not a market.
    public static let maxVolatility = 10.0
    /// σ√T below this is treated as the zero-volatility limit (the error is below 1e-12 × F).
    static let minStdDev = 1e-12

    /// Years from `nowMs` to `expiryMs` (ACT/365); negative once expired.
    @inline(__always)
    public static func years(from nowMs: Int64, to expiryMs: Int64) -> Double {
        Double(expiryMs - nowMs) / msPerYear
    }

    /// Price and all Greeks, after checking the inputs. `years` ≤ 0 means at or after expiry.
    public static func value(_ right: OptionRight, forward: Double, strike: Double, volatility: Double,
                             years: Double, rate: Double = 0) throws(OptionError) -> OptionGreeks {
        try check(forward: forward, strike: strike, volatility: volatility, years: years, rate: rate)
        return uncheckedValue(right, forward: forward, strike: strike, volatility: volatility, years: years, rate: rate)
    }

    /// Price alone, checked; the scenario grid's revaluation uses `uncheckedPrice` after checking once.
    public static func price(_ right: OptionRight, forward: Double, strike: Double, volatility: Double,
                             years: Double, rate: Double = 0) throws(OptionError) -> Double {
        try check(forward: forward, strike: strike, volatility: volatility, years: years, rate: rate)
        return uncheckedPrice(right, forward: forward, strike: strike, volatility: volatility, years: years, rate: rate)
    }

    /// Throws the first input that is not finite or not sane, naming it.
    public static func check(forward: Double, strike: Double, volatility: Double, years: Double, rate: Double) throws(OptionError) {
        func finite(_ v: Double, _ field: String) throws(OptionError) {
            guard v.isFinite else { throw OptionError(.nonFinite, field: field, "is \(v); an option needs finite inputs") }
        }
        try finite(forward, "forward"); try finite(strike, "strike"); try finite(volatility, "volatility")
        try finite(years, "years"); try finite(rate, "rate")
        guard forward > 0 else { throw OptionError(.outOfRange, field: "forward", "\(forward) must be > 0") }
        guard strike > 0 else { throw OptionError(.outOfRange, field: "strike", "\(strike) must be > 0") }
        guard volatility >= 0, volatility <= maxVolatility else {
            throw OptionError(.outOfRange, field: "volatility",
                              "\(volatility) must be a fraction in [0, \(maxVolatility)] (0.4543 for 45.43 %)")
        }
        guard abs(rate) <= 1 else { throw OptionError(.outOfRange, field: "rate", "\(rate) must be a fraction in [−1, 1] (0.05 for 5 %)") }
    }

    /// N(x) with erfc (full precision in both tails).
    @inline(__always)
    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x * 0.70710678118654752440) }

    /// φ(x).
    @inline(__always)
    static func pdf(_ x: Double) -> Double { exp(-0.5 * x * x) * 0.39894228040143267794 }

    /// Price and Greeks for inputs already checked (finite, F, K > 0, σ ≥ 0).
    public static func uncheckedValue(_ right: OptionRight, forward f: Double, strike k: Double, volatility sigma: Double,
                                      years t: Double, rate r: Double = 0) -> OptionGreeks {
        let s = right.sign
        if t <= 0 {
            let m = s * (f - k)
            let delta = m > 0 ? s : (f == k ? 0.5 * s : 0)
            return OptionGreeks(price: max(m, 0), delta: delta, gamma: 0, vega: 0, theta: 0, rho: 0)
        }
        let disc = r == 0 ? 1 : exp(-r * t)
        let sqrtT = t.squareRoot()
        let sd = sigma * sqrtT
        if !(sd >= minStdDev) {
            // Zero-volatility limit: the forward is where the underlying ends up.
            let m = s * (f - k)
            let itm: Double = m > 0 ? 1 : (f == k ? 0.5 : 0)
            let price = disc * max(m, 0)
            let vega = f == k ? disc * f * 0.39894228040143267794 * sqrtT / 100 : 0
            return OptionGreeks(price: price, delta: disc * s * itm, gamma: 0, vega: vega,
                                theta: r * price / daysPerYear, rho: s * k * t * itm * disc / 100)
        }
        let d1 = (log(f / k) + 0.5 * sd * sd) / sd
        let d2 = d1 - sd
        let nd1 = cdf(s * d1), nd2 = cdf(s * d2)   // N(d1), N(d2) for a call; N(−d1), N(−d2) for a put
        let pd1 = pdf(d1)
        let price = disc * s * (f * nd1 - k * nd2)
        let gamma = disc * pd1 / (f * sd)
        let vegaRaw = disc * f * pd1 * sqrtT
        return OptionGreeks(price: max(price, 0),
                            delta: disc * s * nd1,
                            gamma: gamma,
                            vega: vegaRaw / 100,
                            theta: (r * price - vegaRaw * sigma / (2 * t)) / daysPerYear,
                            rho: s * k * t * nd2 * disc / 100)
    }

    /// Price only, for inputs already checked: the grid's inner loop (two erfc and one log per call).
    @inline(__always)
    public static func uncheckedPrice(_ right: OptionRight, forward f: Double, strike k: Double, volatility sigma: Double,
                                      years t: Double, rate r: Double = 0) -> Double {
        let s = right.sign
        if t <= 0 { return max(s * (f - k), 0) }
        let disc = r == 0 ? 1 : exp(-r * t)
        let sd = sigma * t.squareRoot()
        if !(sd >= minStdDev) { return disc * max(s * (f - k), 0) }
        let d1 = (log(f / k) + 0.5 * sd * sd) / sd
        return max(disc * s * (f * cdf(s * d1) - k * cdf(s * (d1 - sd))), 0)
    }
}

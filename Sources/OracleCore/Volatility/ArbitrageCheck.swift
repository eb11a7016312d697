/// The static no-arbitrage checks run on every smile before it is served.
///
/// Butterfly (Gatheral & Jacquier 2014, eq. 2.1): a smile w(k) admits no butterfly arbitrage
/// when the implied risk-neutral density is non-negative, i.e.
///
///     g(k) = (1 − k·w′/(2w))² − (w′²/4)·(1/w + 1/4) + w″/2  ≥ 0
///
/// Derivatives are taken by central differences of step `h` on the served (clamped) function,
/// so SVI and the piecewise-linear fallback are judged by one rule. At a convex kink the second
/// difference is positive, which is the right sign.
///
/// Calendar: total variance must not decrease with maturity at any fixed log-moneyness,
/// w(k, T₂) ≥ w(k, T₁) for T₂ > T₁ (otherwise a calendar spread of equal-moneyness calls has
/// negative cost).
public enum ArbitrageCheck {
    /// Where a check failed and by how much.
    public struct Violation: Sendable, Equatable {
        public var k: Double
        /// g(k) for a butterfly, w(T₂) − w(T₁) for a calendar (negative).
        public var value: Double
    }

    /// Tolerance below zero that rounding alone can produce.
    public static let tolerance = -1e-9

    /// The evenly spaced grid of log-moneyness the checks run on.
    public static func grid(from lo: Double, to hi: Double, points: Int = 61) -> [Double] {
        guard points >= 2, hi > lo else { return [lo] }
        return (0..<points).map { lo + (hi - lo) * Double($0) / Double(points - 1) }
    }

    /// g(k) of a total-variance function at k.
    public static func g(_ w: (Double) -> Double, at k: Double, h: Double = 1e-4) -> Double {
        let w0 = w(k), wp = w(k + h), wm = w(k - h)
        guard w0 > 0 else { return -.infinity }
        let d1 = (wp - wm) / (2 * h)
        let d2 = (wp - 2 * w0 + wm) / (h * h)
        let t = 1 - k * d1 / (2 * w0)
        return t * t - d1 * d1 / 4 * (1 / w0 + 0.25) + d2 / 2
    }

    /// The worst butterfly violation on `grid`, nil when none.
    public static func butterfly(_ w: (Double) -> Double, grid: [Double]) -> Violation? {
        var worst: Violation?
        for k in grid {
            let v = g(w, at: k)
            if !(v >= tolerance), worst.map({ v < $0.value }) ?? true { worst = Violation(k: k, value: v.isNaN ? -.infinity : v) }
        }
        return worst
    }

    /// The worst calendar violation between an earlier (`w1`) and a later (`w2`) slice.
    public static func calendar(earlier w1: (Double) -> Double, later w2: (Double) -> Double, grid: [Double]) -> Violation? {
        var worst: Violation?
        for k in grid {
            let d = w2(k) - w1(k)
            if !(d >= tolerance * max(1, w1(k))), worst.map({ d < $0.value }) ?? true { worst = Violation(k: k, value: d) }
        }
        return worst
    }
}

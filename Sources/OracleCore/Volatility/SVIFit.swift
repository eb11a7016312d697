import Foundation

/// Least-squares fit of raw SVI to one expiry's (k, w) points.
///
/// The quasi-explicit method (Zeliade 2009): for fixed (m, σ) the model is linear in
/// (a, c = bρ, d = b) — w = a + c·(k − m) + d·√((k − m)² + σ²) — so the inner problem is a
/// 3 × 3 weighted least squares solved exactly, then projected onto the constraints (b ≥ 0,
/// |ρ| ≤ 0.999, a ≥ −bσ√(1 − ρ²)). The outer problem over (m, ln σ) is two-dimensional and is
/// solved by Nelder–Mead from a small grid of starts, which avoids the local minima a plain
/// five-parameter descent falls into. A fit "converges" when the simplex shrinks below
/// `tolerance` within `maxIterations` and the result is admissible; the caller falls back to a
/// convex piecewise-linear smile otherwise.
public enum SVIFit {
    public struct Result: Sendable, Equatable {
        public var parameters: SVIParameters
        /// Root-mean-square error in implied volatility (fraction), at the points' T.
        public var rmseVol: Double
        public var converged: Bool
    }

    public static let maxIterations = 400
    public static let tolerance = 1e-10

    /// `k` log-moneyness, `w` total variance, `weights` ≥ 0 (e.g. number of venues), `t` years.
    public static func fit(k: [Double], w: [Double], weights: [Double]? = nil, t: Double) -> Result? {
        let n = k.count
        guard n >= 5, w.count == n, t > 0, k.allSatisfy(\.isFinite), w.allSatisfy({ $0.isFinite && $0 > 0 }) else { return nil }
        let wt = weights ?? Array(repeating: 1, count: n)
        guard wt.count == n, wt.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return nil }
        let kMin = k.min()!, kMax = k.max()!
        let span = max(kMax - kMin, 1e-3)

        func objective(_ x: (Double, Double)) -> (Double, SVIParameters) {
            let p = inner(k: k, w: w, wt: wt, m: x.0, sigma: exp(x.1))
            var e = 0.0
            for i in 0..<n { let r = p.w(k[i]) - w[i]; e += wt[i] * r * r }
            return (e.isFinite ? e : .infinity, p)
        }

        var best: (Double, SVIParameters, Bool)?
        for mStart in [kMin + 0.25 * span, 0.5 * (kMin + kMax), kMax - 0.25 * span] {
            for sStart in [0.05 * span, 0.2 * span, 0.6 * span] {
                let (x, converged) = nelderMead(start: (mStart, log(max(sStart, 1e-4))), step: (0.1 * span, 0.5)) { objective($0).0 }
                let (e, p) = objective(x)
                if best == nil || e < best!.0 { best = (e, p, converged) }
            }
        }
        guard let found = best else { return nil }
        let p = found.1, converged = found.2
        var sq = 0.0, sw = 0.0
        for i in 0..<n {
            let model = max(p.w(k[i]), 0)
            let d = (model / t).squareRoot() - (w[i] / t).squareRoot()
            sq += wt[i] * d * d
            sw += wt[i]
        }
        let rmse = sw > 0 ? (sq / sw).squareRoot() : .infinity
        return Result(parameters: p, rmseVol: rmse, converged: converged && p.isAdmissible && rmse.isFinite)
    }

    /// The constrained inner fit for fixed (m, σ).
    static func inner(k: [Double], w: [Double], wt: [Double], m: Double, sigma: Double) -> SVIParameters {
        // Normal equations for w ≈ a + c·y + d·z.
        var s = [[Double]](repeating: [0, 0, 0], count: 3)
        var r = [0.0, 0.0, 0.0]
        for i in 0..<k.count {
            let y = k[i] - m
            let z = (y * y + sigma * sigma).squareRoot()
            let f = [1, y, z]
            for u in 0..<3 {
                r[u] += wt[i] * f[u] * w[i]
                for v in 0..<3 { s[u][v] += wt[i] * f[u] * f[v] }
            }
        }
        var a = 0.0, b = 0.0, rho = 0.0
        if let x = solve3(s, r) {
            a = x[0]; b = max(x[2], 0)
            rho = b > 0 ? min(max(x[1] / b, -0.999), 0.999) : 0
        }
        // Re-fit a for the projected (b, ρ), then keep the minimum of w non-negative.
        var num = 0.0, den = 0.0
        for i in 0..<k.count {
            let y = k[i] - m
            num += wt[i] * (w[i] - b * (rho * y + (y * y + sigma * sigma).squareRoot()))
            den += wt[i]
        }
        if den > 0 { a = num / den }
        a = max(a, -b * sigma * (1 - rho * rho).squareRoot())
        return SVIParameters(a: a, b: b, rho: rho, m: m, sigma: sigma)
    }

    /// Cramer's rule; nil for a (near-)singular system.
    static func solve3(_ s: [[Double]], _ r: [Double]) -> [Double]? {
        func det(_ m: [[Double]]) -> Double {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        }
        let d = det(s)
        let scale = s[0][0] * s[1][1] * s[2][2]
        guard d.isFinite, abs(d) > 1e-14 * max(abs(scale), 1e-300) else { return nil }
        var out = [0.0, 0.0, 0.0]
        for c in 0..<3 {
            var m = s
            for row in 0..<3 { m[row][c] = r[row] }
            out[c] = det(m) / d
        }
        return out.allSatisfy(\.isFinite) ? out : nil
    }

    /// Two-dimensional Nelder–Mead (standard coefficients 1, 2, ½, ½). Returns the best vertex
    /// and whether the objective spread fell below `tolerance` within `maxIterations`.
    static func nelderMead(start: (Double, Double), step: (Double, Double),
                           f: ((Double, Double)) -> Double) -> ((Double, Double), Bool) {
        var p = [start, (start.0 + step.0, start.1), (start.0, start.1 + step.1)]
        var v = p.map(f)
        for _ in 0..<maxIterations {
            let order = [0, 1, 2].sorted { v[$0] < v[$1] }
            p = order.map { p[$0] }; v = order.map { v[$0] }
            // Converged when the values agree (relative) or the simplex itself has collapsed.
            let size = max(abs(p[1].0 - p[0].0) + abs(p[1].1 - p[0].1), abs(p[2].0 - p[0].0) + abs(p[2].1 - p[0].1))
            if abs(v[2] - v[0]) <= tolerance * (abs(v[0]) + 1e-20) || abs(v[2] - v[0]) < 1e-24 || size < 1e-9 { return (p[0], true) }
            let c = ((p[0].0 + p[1].0) / 2, (p[0].1 + p[1].1) / 2)
            let xr = (c.0 + (c.0 - p[2].0), c.1 + (c.1 - p[2].1))
            let fr = f(xr)
            if fr < v[0] {
                let xe = (c.0 + 2 * (c.0 - p[2].0), c.1 + 2 * (c.1 - p[2].1))
                let fe = f(xe)
                if fe < fr { p[2] = xe; v[2] = fe } else { p[2] = xr; v[2] = fr }
            } else if fr < v[1] {
                p[2] = xr; v[2] = fr
            } else {
                let xc = (c.0 + 0.5 * (p[2].0 - c.0), c.1 + 0.5 * (p[2].1 - c.1))
                let fc = f(xc)
                if fc < v[2] {
                    p[2] = xc; v[2] = fc
                } else {
                    for i in 1...2 {
                        p[i] = (p[0].0 + 0.5 * (p[i].0 - p[0].0), p[0].1 + 0.5 * (p[i].1 - p[0].1))
                        v[i] = f(p[i])
                    }
                }
            }
        }
        let i = v.indices.min { v[$0] < v[$1] }!
        return (p[i], false)
    }
}

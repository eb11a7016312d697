import Foundation

/// The portfolio model's view of market risk over one set of pairs at one moment, built from
/// `MarkHistory` and shared by every account on those pairs until the next history slot.
/// docs/margin-model.md states every formula with its default; in short:
///
/// **Estimation series** (horizon-consistent): for a horizon of a day or more, daily closes
/// (returns at the horizon's scale, λ as configured, the RiskMetrics daily decay); for a shorter
/// horizon, or while the daily series is too short, the intraday series with λ converted to the
/// interval, λ^(interval / horizon), so the decay per unit of time is the same. Never λ per
/// minute scaled by √1440 (an 11-minute half-life dressed up as a daily figure).
///
/// **EWMA** (RiskMetrics, zero mean) over the last `lookback_returns` returns: seeded with their
/// equally weighted second moment, Cₜ₊₁ = λ Cₜ + (1−λ) rₜ rₜᵀ; the current forecast is Cₙ₊₁. Each
/// step is a convex combination of positive semi-definite matrices, so a portfolio variance can
/// never come out negative.
///
/// **Filtered historical simulation**: each return is devolatilised by the filtering volatility
/// forecast for it, sₜ = max(σₜ, φ·σ_LR) (φ = `vol_floor`, σ_LR the window's root mean square),
/// clipped to |z| ≤ `z_max`, and rescaled by the current filtering volatility. The floor is what
/// stops a flat stretch from driving σₜ to zero and the next move's z (and ES) to infinity.
/// Scenario t applies those joint returns to today's exposures, so correlations and fat tails
/// come from history, not from a normal assumption.
///
/// **Stress scenarios**: the raw (unfiltered) daily returns that ended inside a configured stress
/// window, for the anti-procyclicality floor.
///
/// Returns are per estimation interval and scaled to the horizon by √(horizon / interval);
/// `growth` holds exp(√h · s) − 1 per scenario and pair so an account's losses are one
/// multiply-add per scenario and pair.
public struct RiskSnapshot: Sendable, Equatable {
    public let pairs: [String]
    public let index: [String: Int]
    /// Number of FHS scenarios (aligned returns in the lookback).
    public let returnCount: Int
    public let resolution: MarkHistory.Resolution
    /// Length of one return (the estimation interval), ms.
    public let intervalMs: Int64
    /// Current EWMA covariance forecast, row-major k×k, per interval (unfloored).
    public let covariance: [Double]
    /// Filtered scenarios, row-major n×k, per interval.
    public let scenarios: [Double]
    /// exp(horizonScale · scenario) − 1, row-major n×k: the relative price change at the horizon.
    public let growth: [Double]
    /// Same for the stress scenarios (m×k).
    public let stressGrowth: [Double]
    public let stressCount: Int
    /// Per pair: current filtering volatility (floored) and long-run volatility, per interval.
    public let currentVol: [Double]
    public let longRunVol: [Double]
    /// Devolatilised returns whose |z| exceeded z_max and were clipped.
    public let clippedCount: Int
    /// √(horizon / interval).
    public let horizonScale: Double

    /// Builds from aligned returns (`returns[t][k]`, oldest first) with the calibration above.
    /// `lambda` is the decay per return of this series (already converted).
    public init(returns: [[Double]], pairs: [String], lambda: Double, horizonScale: Double,
                volFloorShare: Double = 0.25, zMax: Double = 12, resolution: MarkHistory.Resolution = .intraday,
                intervalMs: Int64 = 60_000, stress: [[Double]] = [], stressScale: Double? = nil) {
        let k = pairs.count, n = returns.count
        self.pairs = pairs
        var idx: [String: Int] = [:]
        for (i, p) in pairs.enumerated() { idx[p] = i }
        self.index = idx
        self.returnCount = n
        self.resolution = resolution
        self.intervalMs = intervalMs
        self.horizonScale = horizonScale
        var c = [Double](repeating: 0, count: k * k)
        var longRun = [Double](repeating: 0, count: k)
        var clipped = 0
        var z = [Double](repeating: 0, count: n * k)
        var current = [Double](repeating: 0, count: k)
        if n > 0 && k > 0 {
            for r in returns {
                for i in 0..<k { for j in 0..<k { c[i * k + j] += r[i] * r[j] / Double(n) } }
            }
            for i in 0..<k { longRun[i] = c[i * k + i].squareRoot() }
            let floor = longRun.map { max(0, volFloorShare) * $0 }
            let bound = zMax > 0 ? zMax : .infinity
            for (t, r) in returns.enumerated() {
                for i in 0..<k {
                    let sd = c[i * k + i].squareRoot()
                    // A NaN stays a NaN (Swift's max would drop it): the scenario then fails the model.
                    let s = sd.isNaN || floor[i].isNaN ? Double.nan : max(sd, floor[i])
                    var v = s > 0 ? r[i] / s : (s.isNaN || r[i].isNaN ? .nan : 0)
                    if abs(v) > bound { v = v < 0 ? -bound : bound; clipped += 1 }
                    z[t * k + i] = v
                }
                for i in 0..<k { for j in 0..<k { c[i * k + j] = lambda * c[i * k + j] + (1 - lambda) * r[i] * r[j] } }
            }
            for i in 0..<k {
                let sd = c[i * k + i].squareRoot()
                current[i] = sd.isNaN || floor[i].isNaN ? .nan : max(sd, floor[i])
            }
            for t in 0..<n { for i in 0..<k { z[t * k + i] *= current[i] } }
        }
        covariance = c
        scenarios = z
        currentVol = current
        longRunVol = longRun
        clippedCount = clipped
        growth = z.map { expm1(horizonScale * $0) }
        let ss = stressScale ?? horizonScale
        var sg: [Double] = []
        sg.reserveCapacity(stress.count * k)
        for r in stress where r.count == k { for v in r { sg.append(expm1(ss * v)) } }
        stressGrowth = sg
        stressCount = k > 0 ? sg.count / k : 0
    }

    /// Builds from the stored history of `pairs` with the policy's calibration, choosing the
    /// estimation series (see the type's comment).
    public init(history: MarkHistory, pairs: [String], policy: MarginPolicy) {
        let need = max(1, policy.minHistory)
        let daily = history.aligned(pairs: pairs, resolution: .daily)
        let intraday = history.intervalMs == MarkHistory.dayMs ? daily : history.aligned(pairs: pairs, resolution: .intraday)
        let preferDaily = policy.horizonMs >= MarkHistory.dayMs
        let order = preferDaily ? [daily, intraday] : [intraday, daily]
        let chosen = order.first { $0.count >= need } ?? (order[0].count >= order[1].count ? order[0] : order[1])
        let lookback = max(need, policy.lookbackReturns)
        let recent = Array(chosen.returns.suffix(lookback))
        let horizon = Double(max(1, policy.horizonMs))
        let interval = Double(chosen.intervalMs)
        let lambda = pow(policy.ewmaLambda, interval / horizon)
        var stress: [[Double]] = []
        for (t, end) in daily.endMs.enumerated() where policy.stressWindows.contains(where: { $0.contains(end) }) {
            stress.append(daily.returns[t])
        }
        self.init(returns: recent, pairs: pairs, lambda: min(lambda, 1), horizonScale: (horizon / interval).squareRoot(),
                  volFloorShare: policy.volFloorShare, zMax: policy.zMax,
                  resolution: chosen.intervalMs == MarkHistory.dayMs ? .daily : .intraday, intervalMs: chosen.intervalMs,
                  stress: stress, stressScale: (horizon / Double(MarkHistory.dayMs)).squareRoot())
    }

    public func covariance(_ a: String, _ b: String) -> Double? {
        guard let i = index[a], let j = index[b] else { return nil }
        return covariance[i * pairs.count + j]
    }

    /// Horizon standard deviation of the P&L of `exposures` (pair index → value q·price, in the
    /// margin currency), linear in log returns: √(eᵀ C e) · √h (EWMA, for information).
    public func portfolioStdDev(exposures: [(index: Int, value: Double)]) -> Double {
        let k = pairs.count
        var v = 0.0
        for a in exposures { for b in exposures { v += a.value * b.value * covariance[a.index * k + b.index] } }
        return max(0, v).squareRoot() * horizonScale
    }

    /// Parametric VaR: z_α · σ_P (normal, zero mean). Not used for the requirement (crypto's tails
    /// are too fat for it); kept as a reference figure.
    public func parametricVaR(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        NormalDistribution.quantile(confidence) * portfolioStdDev(exposures: exposures)
    }

    /// Parametric (normal) ES: σ_P · φ(z_α) / (1 − α).
    public func parametricES(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        portfolioStdDev(exposures: exposures) * NormalDistribution.pdf(NormalDistribution.quantile(confidence)) / (1 - confidence)
    }

    /// Loss (positive = money lost) of `exposures` under each filtered scenario at the horizon:
    /// −Σ value · (exp(√h · s) − 1).
    public func scenarioLosses(exposures: [(index: Int, value: Double)]) -> [Double] {
        let k = pairs.count
        var out = [Double](repeating: 0, count: returnCount)
        for t in 0..<returnCount {
            var pnl = 0.0
            for e in exposures { pnl += e.value * growth[t * k + e.index] }
            out[t] = -pnl
        }
        return out
    }

    /// Number of worst scenarios in the tail at `confidence` out of `n`: ⌈(1−α)·n⌉, at least 1.
    public static func tailCount(_ n: Int, confidence: Double) -> Int {
        guard n > 0 else { return 0 }
        return min(n, max(1, Int(((1 - confidence) * Double(n) - 1e-9).rounded(.up))))
    }

    /// FHS VaR at `varConfidence` (the ⌈(1−α)n⌉-th worst loss) and ES at `esConfidence` (the mean
    /// of the ⌈(1−α)n⌉ worst), in one pass. Not floored: a caller checks the sign. nil without scenarios.
    public func measures(exposures: [(index: Int, value: Double)], varConfidence: Double, esConfidence: Double)
        -> (valueAtRisk: Double, expectedShortfall: Double)? {
        measures(dense: dense(exposures), varConfidence: varConfidence, esConfidence: esConfidence)
    }

    /// The same with exposures as one value per pair of `pairs` (0 where none).
    public func measures(dense e: [Double], varConfidence: Double, esConfidence: Double) -> (valueAtRisk: Double, expectedShortfall: Double)? {
        Self.tailMeasures(growth: growth, rows: returnCount, width: pairs.count, exposures: e,
                          varConfidence: varConfidence, esConfidence: esConfidence)
    }

    /// ES of `exposures` over the stress scenarios at `confidence`; nil when no stress window is in the history.
    public func stressES(exposures: [(index: Int, value: Double)], confidence: Double) -> Double? {
        stressES(dense: dense(exposures), confidence: confidence)
    }

    public func stressES(dense e: [Double], confidence: Double) -> Double? {
        Self.tailMeasures(growth: stressGrowth, rows: stressCount, width: pairs.count, exposures: e,
                          varConfidence: confidence, esConfidence: confidence)?.expectedShortfall
    }

    private func dense(_ exposures: [(index: Int, value: Double)]) -> [Double] {
        var e = [Double](repeating: 0, count: pairs.count)
        for x in exposures { e[x.index] += x.value }
        return e
    }

    /// Historical ES: the mean of the worst ⌈(1−α)·n⌉ scenario losses, floored at 0.
    public func historicalES(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        max(0, measures(exposures: exposures, varConfidence: confidence, esConfidence: confidence)?.expectedShortfall ?? 0)
    }

    /// Historical VaR: the ⌈(1−α)·n⌉-th worst scenario loss, floored at 0 (≤ the ES at the same α).
    public func historicalVaR(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        max(0, measures(exposures: exposures, varConfidence: confidence, esConfidence: confidence)?.valueAtRisk ?? 0)
    }

    /// Keeps only the worst `m` losses in a small descending buffer (m is ⌈2.5 %·n⌉, about 25), so
    /// an account costs n·k multiply-adds and no sort of all n losses. A NaN loss is kept as +∞ so
    /// it can never be skipped silently: the caller sees a non-finite measure and falls back.
    static func tailMeasures(growth: [Double], rows n: Int, width k: Int, exposures: [Double],
                             varConfidence: Double, esConfidence: Double) -> (valueAtRisk: Double, expectedShortfall: Double)? {
        guard n > 0, k > 0, exposures.count == k, growth.count >= n * k else { return nil }
        let mv = tailCount(n, confidence: varConfidence), me = tailCount(n, confidence: esConfidence)
        let m = max(mv, me)
        var worst = [Double](repeating: -.infinity, count: m)
        growth.withUnsafeBufferPointer { g in
            exposures.withUnsafeBufferPointer { e in
                worst.withUnsafeMutableBufferPointer { w in
                    var row = g.baseAddress!
                    let ep = e.baseAddress!
                    var last = w[m - 1]
                    for _ in 0..<n {
                        var pnl = 0.0
                        for i in 0..<k { pnl += ep[i] * row[i] }
                        row += k
                        var loss = -pnl
                        if loss.isNaN { loss = .infinity }
                        guard loss > last else { continue }
                        var j = m - 1
                        while j > 0 && w[j - 1] < loss { w[j] = w[j - 1]; j -= 1 }
                        w[j] = loss
                        last = w[m - 1]
                    }
                }
            }
        }
        var sum = 0.0
        for j in 0..<me { sum += worst[j] }
        return (worst[mv - 1], sum / Double(me))
    }
}

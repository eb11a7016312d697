import Foundation

/// The portfolio model's view of market risk at one moment, built once from `MarkHistory` and
/// shared by every account valued until the next history slot: the EWMA covariance of the pairs'
/// log returns and the filtered-historical-simulation scenarios.
///
/// **EWMA covariance** (RiskMetrics, zero mean): seeded with the equally weighted second moment of
/// all n returns, C₁ = (1/n) Σ r rᵀ, then Cₜ₊₁ = λ Cₜ + (1−λ) rₜ rₜᵀ; the current forecast is Cₙ₊₁.
/// Each step is a convex combination of positive semi-definite matrices, so the result is one too
/// and a portfolio variance can never come out negative. Correlation is included: a long and a
/// short in two co-moving pairs offset (hedged books need less than the sum of their legs), and
/// when the co-movement breaks down the recent returns pull the covariance over within a few
/// 1/(1−λ) intervals and the requirement rises.
///
/// **Filtered historical simulation**: each return is devolatilised by the EWMA volatility that
/// was forecast for it (the diagonal of Cₜ), then rescaled by the current volatility; scenario t
/// applies those joint returns to today's positions. Unlike the parametric VaR it keeps fat tails
/// and the joint shape of past moves.
///
/// Both are per history interval and scaled to the horizon by √(horizon / interval).
public struct RiskSnapshot: Sendable, Equatable {
    public let pairs: [String]
    public let index: [String: Int]
    /// Number of aligned returns it was built from.
    public let returnCount: Int
    /// Current covariance forecast, row-major k×k, per history interval.
    public let covariance: [Double]
    /// Filtered scenarios, row-major n×k, per history interval.
    public let scenarios: [Double]
    /// √(horizon / interval).
    public let horizonScale: Double

    /// Builds from aligned returns (`returns[t][k]`, oldest first).
    public init(returns: [[Double]], pairs: [String], lambda: Double, horizonScale: Double) {
        let k = pairs.count, n = returns.count
        self.pairs = pairs
        var idx: [String: Int] = [:]
        for (i, p) in pairs.enumerated() { idx[p] = i }
        self.index = idx
        self.returnCount = n
        self.horizonScale = horizonScale
        var c = [Double](repeating: 0, count: k * k)
        guard n > 0, k > 0 else {
            covariance = c
            scenarios = []
            return
        }
        for r in returns {
            for i in 0..<k { for j in 0..<k { c[i * k + j] += r[i] * r[j] / Double(n) } }
        }
        var z = [Double](repeating: 0, count: n * k)
        for (t, r) in returns.enumerated() {
            for i in 0..<k {
                let sd = c[i * k + i].squareRoot()
                z[t * k + i] = sd > 0 ? r[i] / sd : 0
            }
            for i in 0..<k { for j in 0..<k { c[i * k + j] = lambda * c[i * k + j] + (1 - lambda) * r[i] * r[j] } }
        }
        for t in 0..<n { for i in 0..<k { z[t * k + i] *= c[i * k + i].squareRoot() } }
        covariance = c
        scenarios = z
    }

    /// Builds from the stored history of `pairs` with the policy's λ, interval and horizon.
    public init(history: MarkHistory, pairs: [String], policy: MarginPolicy) {
        let returns = history.alignedReturns(pairs: pairs)
        let scale = (Double(policy.horizonMs) / Double(history.intervalMs)).squareRoot()
        self.init(returns: returns, pairs: pairs, lambda: policy.ewmaLambda, horizonScale: scale)
    }

    public func covariance(_ a: String, _ b: String) -> Double? {
        guard let i = index[a], let j = index[b] else { return nil }
        return covariance[i * pairs.count + j]
    }

    /// Horizon standard deviation of the P&L of `exposures` (pair index → value q·price, in the
    /// margin currency), linear in log returns: √(eᵀ C e) · √h.
    public func portfolioStdDev(exposures: [(index: Int, value: Double)]) -> Double {
        let k = pairs.count
        var v = 0.0
        for a in exposures { for b in exposures { v += a.value * b.value * covariance[a.index * k + b.index] } }
        return max(0, v).squareRoot() * horizonScale
    }

    /// Parametric VaR: z_α · σ_P (normal, zero mean).
    public func parametricVaR(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        NormalDistribution.quantile(confidence) * portfolioStdDev(exposures: exposures)
    }

    /// Parametric (normal) ES: σ_P · φ(z_α) / (1 − α). Always ≥ the parametric VaR at the same α.
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
            for e in exposures { pnl += e.value * (exp(horizonScale * scenarios[t * k + e.index]) - 1) }
            out[t] = -pnl
        }
        return out
    }

    /// Historical ES: the mean of the worst ⌈(1−α)·n⌉ scenario losses (at least one), floored at 0.
    public func historicalES(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        let tail = worst(scenarioLosses(exposures: exposures), confidence: confidence)
        guard !tail.isEmpty else { return 0 }
        return max(0, tail.reduce(0, +) / Double(tail.count))
    }

    /// Historical VaR: the ⌈(1−α)·n⌉-th worst scenario loss, floored at 0 (≤ the ES at the same α).
    public func historicalVaR(exposures: [(index: Int, value: Double)], confidence: Double) -> Double {
        max(0, worst(scenarioLosses(exposures: exposures), confidence: confidence).last ?? 0)
    }

    private func worst(_ losses: [Double], confidence: Double) -> [Double] {
        guard !losses.isEmpty else { return [] }
        let count = min(losses.count, max(1, Int(((1 - confidence) * Double(losses.count) - 1e-9).rounded(.up))))
        return Array(losses.sorted(by: >).prefix(count))
    }
}

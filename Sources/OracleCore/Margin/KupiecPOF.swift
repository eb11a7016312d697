import Foundation

/// Kupiec's proportion-of-failures test of a VaR model: over T observations with x exceedances
/// (realised loss > VaR), is x/T consistent with the expected rate p = 1 − VaR confidence?
///
///     LR = −2 ln[(1−p)^(T−x) · p^x] + 2 ln[(1−x/T)^(T−x) · (x/T)^x]  ~ χ²(1)
///
/// A small p-value (< 0.05) says the model under- (or over-) reserves. Example: T = 250, x = 8 at
/// p = 0.01 gives LR ≈ 7.7336, p-value ≈ 0.00542 — too many exceedances for a 99 % VaR.
public struct KupiecPOF: Sendable, Equatable {
    /// Expected exceedance rate, 1 − VaR confidence (0.01 for a 99 % VaR).
    public let expectedRate: Double
    public private(set) var observations: Int
    public private(set) var exceedances: Int

    public init(expectedRate: Double, observations: Int = 0, exceedances: Int = 0) {
        self.expectedRate = expectedRate
        self.observations = observations
        self.exceedances = exceedances
    }

    /// Counts one realised move against the VaR that was in force for it.
    public mutating func record(loss: Double, valueAtRisk: Double) {
        record(exceeded: loss > valueAtRisk)
    }

    public mutating func record(exceeded: Bool) {
        observations += 1
        if exceeded { exceedances += 1 }
    }

    /// The likelihood-ratio statistic; 0 without observations.
    public var likelihoodRatio: Double {
        let t = Double(observations), x = Double(exceedances), p = expectedRate
        guard observations > 0, p > 0, p < 1 else { return 0 }
        // x ln(x) → 0 as x → 0, so empty terms are dropped rather than evaluated as 0·(−∞).
        func xlogy(_ x: Double, _ y: Double) -> Double { x == 0 ? 0 : x * log(y) }
        let observed = t - x
        let null = xlogy(observed, 1 - p) + xlogy(x, p)
        let alt = xlogy(observed, observed / t) + xlogy(x, x / t)
        return max(0, -2 * (null - alt))
    }

    /// P(χ²₁ > LR); 1 without observations.
    public var pValue: Double { NormalDistribution.chiSquared1Survival(likelihoodRatio) }
}

import Foundation

/// Christoffersen's (1998) tests of a VaR exceedance sequence I₁…I_T (Iₜ = 1 when the realised
/// loss beat the VaR in force for it).
///
/// **Independence.** Count the transitions between consecutive days: n₀₀ (no → no), n₀₁ (no → yes),
/// n₁₀ (yes → no), n₁₁ (yes → yes); π₀₁ = n₀₁/(n₀₀+n₀₁), π₁₁ = n₁₁/(n₁₀+n₁₁),
/// π = (n₀₁+n₁₁)/(n₀₀+n₀₁+n₁₀+n₁₁). Under independence an exceedance is as likely after an
/// exceedance as after a quiet day:
///
///     LR_ind = −2 ln[(1−π)^(n₀₀+n₁₀) π^(n₀₁+n₁₁)] + 2 ln[(1−π₀₁)^n₀₀ π₀₁^n₀₁ (1−π₁₁)^n₁₀ π₁₁^n₁₁]  ~ χ²(1)
///
/// A model whose VaR reacts too slowly to a volatility regime clusters its exceedances: Kupiec
/// can pass (the right count) while this fails (the wrong days).
///
/// **Conditional coverage** = Kupiec + independence: LR_cc = LR_pof + LR_ind ~ χ²(2), whose
/// survival function is exp(−x/2). (LR_pof counts T observations and LR_ind T − 1 transitions;
/// Christoffersen's sum, as used in practice.)
///
/// Edge cases, all finite: 0·ln 0 is taken as 0 (the limit), so an empty row of the transition
/// table contributes nothing. No observations, no exceedances, or only exceedances give LR = 0 and
/// p = 1: with no variation there is no evidence of clustering (Kupiec judges the count).
public struct ChristoffersenTest: Sendable, Equatable {
    /// Expected exceedance rate, 1 − VaR confidence.
    public let expectedRate: Double
    public let n00: Int, n01: Int, n10: Int, n11: Int
    /// Kupiec's proportion-of-failures test over the same sequence.
    public let kupiec: KupiecPOF

    /// Counts the transitions of `exceedances` (oldest first).
    public init(expectedRate: Double, exceedances: [Bool]) {
        var c = (0, 0, 0, 0)
        var pof = KupiecPOF(expectedRate: expectedRate)
        var previous: Bool?
        for e in exceedances {
            pof.record(exceeded: e)
            if let p = previous {
                switch (p, e) {
                case (false, false): c.0 += 1
                case (false, true): c.1 += 1
                case (true, false): c.2 += 1
                case (true, true): c.3 += 1
                }
            }
            previous = e
        }
        self.init(expectedRate: expectedRate, n00: c.0, n01: c.1, n10: c.2, n11: c.3, kupiec: pof)
    }

    /// From transition counts already made (the daemon's bounded window).
    public init(expectedRate: Double, n00: Int, n01: Int, n10: Int, n11: Int, kupiec: KupiecPOF) {
        self.expectedRate = expectedRate
        self.n00 = n00
        self.n01 = n01
        self.n10 = n10
        self.n11 = n11
        self.kupiec = kupiec
    }

    /// LR_ind (see the type's comment); 0 without transitions.
    public var independenceLR: Double {
        let a = Double(n00), b = Double(n01), c = Double(n10), d = Double(n11)
        let total = a + b + c + d
        guard total > 0 else { return 0 }
        func xlogy(_ x: Double, _ y: Double) -> Double { x == 0 ? 0 : x * log(y) }
        let pi = (b + d) / total
        let pi01 = a + b > 0 ? b / (a + b) : 0
        let pi11 = c + d > 0 ? d / (c + d) : 0
        let null = xlogy(a + c, 1 - pi) + xlogy(b + d, pi)
        let alt = xlogy(a, 1 - pi01) + xlogy(b, pi01) + xlogy(c, 1 - pi11) + xlogy(d, pi11)
        let lr = -2 * (null - alt)
        return lr.isFinite ? max(0, lr) : 0
    }

    /// P(χ²₁ > LR_ind); 1 without transitions.
    public var independencePValue: Double { NormalDistribution.chiSquared1Survival(independenceLR) }

    /// LR_cc = LR_pof + LR_ind.
    public var conditionalCoverageLR: Double { kupiec.likelihoodRatio + independenceLR }

    /// P(χ²₂ > LR_cc) = exp(−LR_cc / 2).
    public var conditionalCoveragePValue: Double { Self.chiSquared2Survival(conditionalCoverageLR) }

    /// P(χ²₂ > x) = exp(−x/2) (x ≤ 0 → 1).
    public static func chiSquared2Survival(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        return exp(-x / 2)
    }
}

/// Where the margin model gets its market-risk view for one account: a snapshot whose returns are
/// aligned over exactly that account's pairs (so an account is never made ineligible by a pair it
/// does not hold), and per-pair volatility for the liquidity and concentration add-ons.
public protocol RiskSource: Sendable {
    /// A snapshot covering `pairs` (sorted, distinct), or nil when some pair has no history.
    func snapshot(for pairs: [String]) -> RiskSnapshot?
    /// Current volatility of one pair, or nil without history.
    func volatility(of pair: String) -> PairVolatility?
}

/// A pair's volatility as the add-ons use it.
public struct PairVolatility: Sendable, Equatable {
    /// Current (floored) volatility scaled to the horizon, as a fraction of price.
    public var horizonSigma: Double
    /// Current / long-run volatility: 1 at the pair's usual level, above in a stressed market.
    public var scale: Double

    public init(horizonSigma: Double, scale: Double) {
        self.horizonSigma = horizonSigma
        self.scale = scale
    }
}

extension RiskSnapshot: RiskSource {
    /// Itself when it covers `pairs` (its returns are aligned over its own pair set, which may be larger).
    public func snapshot(for pairs: [String]) -> RiskSnapshot? {
        pairs.allSatisfy { index[$0] != nil } ? self : nil
    }

    public func volatility(of pair: String) -> PairVolatility? {
        guard let i = index[pair], returnCount > 0 else { return nil }
        let lr = longRunVol[i]
        return PairVolatility(horizonSigma: currentVol[i] * horizonScale, scale: lr > 0 ? currentVol[i] / lr : 1)
    }
}

/// What an account may refer to: the collateral assets and pairs of the configuration, the margin
/// currency and the `[margin]` policy. Accounts are validated against it and valued in it.
public struct MarginUniverse: Sendable, Equatable {
    public var policy: MarginPolicy
    /// By asset. Always contains the margin currency (price 1, no haircut), even if not configured.
    public private(set) var collateral: [String: CollateralSpec]
    /// By symbol.
    public private(set) var pairs: [String: PairSpec]

    public init(policy: MarginPolicy, collateral: [CollateralSpec], pairs: [PairSpec]) {
        self.policy = policy
        var c: [String: CollateralSpec] = [:]
        for spec in collateral { c[spec.asset] = spec }
        // The margin currency is always collateral at price 1 without haircut (DESIGN.md).
        c[policy.currency] = CollateralSpec(asset: policy.currency, pair: nil, haircut: 0)
        self.collateral = c
        var p: [String: PairSpec] = [:]
        for spec in pairs { p[spec.symbol] = spec }
        self.pairs = p
    }

    public var currency: String { policy.currency }

    /// Some pair has an ADV, so positions on it carry liquidity/concentration add-ons.
    public var hasPositionAddOns: Bool { pairs.values.contains { ($0.risk.adv ?? 0) > 0 } }

    /// The flat `SweepBook` values accounts exactly as `MarginModel` does under the standard model:
    /// it knows neither the add-ons nor size-tiered haircuts, so with either configured its ratio
    /// can be too high and a screen built on it could skip an account that crosses a threshold.
    public var flatBookIsExact: Bool { !hasPositionAddOns && !collateral.values.contains { !$0.tiers.isEmpty } }

    /// Sorted, for error messages ("known pairs: BTC-USD, ETH-USD").
    public var knownAssets: [String] { collateral.keys.sorted() }
    public var knownPairs: [String] { pairs.keys.sorted() }

    /// The pair whose mark prices `asset`, nil for the margin currency or an unknown asset.
    public func collateralPair(_ asset: String) -> String? {
        asset == currency ? nil : collateral[asset]?.pair
    }

    /// Haircut applied to `asset` (0 for the margin currency).
    public func haircut(_ asset: String) -> Double {
        asset == currency ? 0 : (collateral[asset]?.haircut ?? 0)
    }

    /// The quote currency of a pair symbol (`BTC-USD` → `USD`).
    public static func quoteCurrency(of symbol: String) -> Substring {
        // After the last "-", without building the array `split` would (this runs per position on import).
        guard let dash = symbol.lastIndex(of: "-") else { return Substring(symbol) }
        return symbol[symbol.index(after: dash)...]
    }
}

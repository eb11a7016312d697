/// An account's exposure to one underlying now: the sums of its positions' Greeks × quantity (linear
/// positions add their quantity to delta), its options' value and its unrealised P&L. Units as in
/// `OptionGreeks`; delta in units of the underlying (BTC), `deltaUSD` = delta × forward.
public struct UnderlyingRisk: Sendable, Equatable {
    public var underlying: String
    public var forward: Double
    /// Σ qty × Greeks; `greeks.price` is the options' market value (USD, negative when net short).
    public var greeks: OptionGreeks
    /// Σ qty × (current price − entry price) over options and linear positions (USD).
    public var unrealisedPnL: Double

    public init(underlying: String, forward: Double, greeks: OptionGreeks, unrealisedPnL: Double) {
        self.underlying = underlying
        self.forward = forward
        self.greeks = greeks
        self.unrealisedPnL = unrealisedPnL
    }

    public var deltaUSD: Double { greeks.delta * forward }
}

/// A position as the scenario grid sees it: a linear position on a pair, or an option on it.
/// Quantities are signed (negative = short) and in units of the underlying (one BTC option = 1).
public struct GridPosition: Sendable, Equatable {
    /// The pair whose mark moves this position (`BTC-USD`); for an option, `option.underlying`.
    public var underlying: String
    /// nil for a linear position (spot or perpetual, P&L = qty × ΔF).
    public var option: OptionContract?
    public var quantity: Double
    /// Price paid per unit (USD): the option premium, or the linear entry price. Only unrealised P&L
    /// uses it; the grid's losses are measured from the current value, not from entry.
    public var entryPrice: Double

    public init(underlying: String, quantity: Double, entryPrice: Double) {
        self.underlying = underlying
        self.option = nil
        self.quantity = quantity
        self.entryPrice = entryPrice
    }

    public init(option: OptionContract, quantity: Double, entryPrice: Double) {
        self.underlying = option.underlying
        self.option = option
        self.quantity = quantity
        self.entryPrice = entryPrice
    }
}

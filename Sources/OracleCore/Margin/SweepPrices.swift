/// Prices for a `SweepBook` sweep, by pair index: the mark (`mid`, used for notionals) and the
/// valuation prices (`low` for collateral and longs, `high` for shorts — mark ∓ confidence on the
/// conservative side, the mark itself otherwise).
public struct SweepPrices: Sendable, Equatable {
    public var mid: [Double]
    public var low: [Double]
    public var high: [Double]

    public init(pairCount: Int) {
        mid = Array(repeating: 0, count: pairCount)
        low = mid
        high = mid
    }

    /// Sets one pair. `conservative` follows `MarginPolicy.priceSide`.
    public mutating func set(pair: Int, price: Double, confidence: Double = 0, conservative: Bool = true) {
        let c = conservative && confidence.isFinite ? max(0, confidence) : 0
        mid[pair] = price
        low[pair] = price - c
        high[pair] = price + c
    }

    /// Prices for every pair of `book` from marks (missing or unpriceable marks give 0; such
    /// accounts must be treated as unpriced by the caller, as `MarginModel` does).
    public init(marks: [String: Mark], book: SweepBook, priceSide: MarginPolicy.PriceSide) {
        self.init(pairCount: book.pairs.count)
        for (i, symbol) in book.pairs.enumerated() {
            guard let m = marks[symbol], MarginModel.isPriceable(m), let p = m.price else { continue }
            set(pair: i, price: p, confidence: m.confidence ?? 0, conservative: priceSide == .conservative)
        }
    }
}

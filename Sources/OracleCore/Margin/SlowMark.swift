import Foundation

/// The slow mark of a pair: an exponentially weighted average of its marks over
/// `windowMs`, with irregular time steps.
///
/// Each update moves the average by α = 1 − exp(−Δt / window) towards the new price, so the weight
/// depends on elapsed time, not on how many ticks arrived: a burst of 100 ticks in one second moves
/// it no further than one tick would. Liquidation needs the ratio below `liquidation_ratio` on this
/// mark too, so one sharp print cannot liquidate. Out-of-order updates are ignored.
public struct SlowMark: Sendable, Equatable {
    public let windowMs: Int64
    public private(set) var value: Double?
    public private(set) var lastUpdateMs: Int64?

    public init(windowMs: Int64, value: Double? = nil, lastUpdateMs: Int64? = nil) {
        self.windowMs = max(1, windowMs)
        self.value = value
        self.lastUpdateMs = lastUpdateMs
    }

    /// Feeds one mark price at `atMs` (Unix ms) and returns the slow mark after it.
    @discardableResult
    public mutating func update(price: Double, atMs: Int64) -> Double? {
        guard price.isFinite, price > 0 else { return value }
        guard let v = value, let last = lastUpdateMs else {
            value = price
            lastUpdateMs = atMs
            return price
        }
        guard atMs > last else { return v }
        let alpha = 1 - exp(-Double(atMs - last) / Double(windowMs))
        value = v + alpha * (price - v)
        lastUpdateMs = atMs
        return value
    }
}

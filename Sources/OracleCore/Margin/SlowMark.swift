import Foundation

/// The slow mark of a pair: an exponentially weighted average of its marks over
/// `windowMs`, with irregular time steps.
///
/// Each update moves the average by α = 1 − exp(−Δt / window) towards the new price, so the weight
/// depends on elapsed time, not on how many ticks arrived: a burst of 100 ticks in one second moves
/// it no further than one tick would. Liquidation needs the ratio below `liquidation_ratio` on this
/// mark too, so one sharp print cannot liquidate. Out-of-order updates are ignored.
///
/// **Gaps.** The elapsed time one update counts for is capped at `maxStepMs` = max(5 s, window/60)
/// (5 s with the default 5 min window): after a gap — a pair that was stale, or a daemon restart
/// with the slow mark restored from the store — the first print is one observation and moves the
/// slow mark at most 1 − e^(−5 s / 5 min) ≈ 1.65 % of the way to it, instead of replacing it.
/// Without the cap one bad first print after a restart would *be* the slow mark, and the
/// confirmation would confirm nothing. Updates closer than 5 s (the normal poll flow) are weighted
/// exactly by elapsed time, so a short configured window still follows the marks as configured.
public struct SlowMark: Sendable, Equatable {
    public let windowMs: Int64
    public private(set) var value: Double?
    public private(set) var lastUpdateMs: Int64?

    /// The most elapsed time one update counts for (see "Gaps").
    public var maxStepMs: Int64 { max(5_000, windowMs / 60) }

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
        let step = min(atMs - last, maxStepMs)
        let alpha = 1 - exp(-Double(step) / Double(windowMs))
        value = v + alpha * (price - v)
        lastUpdateMs = atMs
        return value
    }
}

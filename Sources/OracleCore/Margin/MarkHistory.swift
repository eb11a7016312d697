import Foundation

/// Per-pair price history on a regular grid (one price per `intervalMs` slot), fed from live
/// marks or seeded from a CSV, from which the portfolio model draws aligned log returns.
///
/// A slot holds the last price recorded in it (the interval's close). Slots with no mark stay
/// empty (NaN) rather than carried forward: a forward-filled gap would show as a run of zero
/// returns followed by one jump, understating volatility. A return at slot t exists only when
/// every requested pair has prices at both t−1 and t, so the returns of different pairs are
/// always from the same instants — correlations need that. At most `capacity` slots are kept per
/// pair; older ones are dropped.
public struct MarkHistory: Sendable, Equatable {
    public let intervalMs: Int64
    public let capacity: Int
    private var series: [String: Series] = [:]

    struct Series: Sendable, Equatable {
        /// Slot number (Unix ms / interval) of `prices[0]`.
        var firstSlot: Int64
        var prices: [Double]
        var lastSlot: Int64 { firstSlot + Int64(prices.count) - 1 }
    }

    public init(intervalMs: Int64, capacity: Int = 1_000) {
        self.intervalMs = max(1, intervalMs)
        self.capacity = max(2, capacity)
    }

    /// Pairs with at least one recorded price.
    public var pairs: [String] { series.keys.sorted() }

    /// Records a mark price at `atMs`. Non-positive or non-finite prices are ignored; a price for a
    /// slot older than the kept window is ignored; a later price in the same slot replaces the earlier.
    public mutating func record(pair: String, price: Double, atMs: Int64) {
        guard price.isFinite, price > 0 else { return }
        let slot = atMs >= 0 ? atMs / intervalMs : (atMs - intervalMs + 1) / intervalMs
        guard var s = series[pair] else {
            series[pair] = Series(firstSlot: slot, prices: [price])
            return
        }
        series[pair] = nil // keep `s` uniquely referenced while mutating
        if slot > s.lastSlot {
            if slot - s.lastSlot > Int64(capacity) {
                s = Series(firstSlot: slot, prices: [price]) // everything kept is out of the window
            } else {
                let gap = Int(slot - s.lastSlot - 1)
                if gap > 0 { s.prices.append(contentsOf: repeatElement(.nan, count: gap)) }
                s.prices.append(price)
            }
        } else if slot >= s.firstSlot {
            s.prices[Int(slot - s.firstSlot)] = price
        } else if s.lastSlot - slot < Int64(capacity) {
            let gap = Int(s.firstSlot - slot - 1)
            s.prices.insert(contentsOf: [price] + Array(repeating: .nan, count: gap), at: 0)
            s.firstSlot = slot
        }
        // Trim in chunks so appends stay amortised O(1).
        if s.prices.count > capacity + capacity / 4 + 1 {
            let drop = s.prices.count - capacity
            s.prices.removeFirst(drop)
            s.firstSlot += Int64(drop)
        }
        series[pair] = s
    }

    /// The last recorded price of a pair and its slot start (Unix ms).
    public func latest(pair: String) -> (price: Double, atMs: Int64)? {
        guard let s = series[pair], let i = s.prices.lastIndex(where: { !$0.isNaN }) else { return nil }
        return (s.prices[i], (s.firstSlot + Int64(i)) * intervalMs)
    }

    /// Aligned log returns, oldest first: `returns[t][k]` is ln(p_t / p_{t−1}) of `pairs[k]`, for
    /// every slot t (within the last `capacity`) where all pairs have both prices. Empty if a pair
    /// has no history.
    public func alignedReturns(pairs: [String]) -> [[Double]] {
        guard !pairs.isEmpty else { return [] }
        var list: [Series] = []
        for p in pairs {
            guard let s = series[p] else { return [] }
            list.append(s)
        }
        let last = list.map(\.lastSlot).min() ?? 0
        let first = max(list.map { $0.firstSlot + 1 }.max() ?? 0, last - Int64(capacity) + 1)
        guard first <= last else { return [] }
        var out: [[Double]] = []
        out.reserveCapacity(Int(last - first + 1))
        var row = [Double](repeating: 0, count: list.count)
        slotLoop: for slot in first...last {
            for (k, s) in list.enumerated() {
                let i = Int(slot - s.firstSlot)
                let a = s.prices[i - 1], b = s.prices[i]
                guard a.isFinite, b.isFinite else { continue slotLoop }
                row[k] = log(b / a)
            }
            out.append(row)
        }
        return out
    }
}

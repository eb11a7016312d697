import Foundation

/// Per-pair price history on two regular grids, fed from live marks or seeded from a CSV, from
/// which the portfolio model draws aligned log returns:
///
/// - the **intraday** series, one price per `intervalMs` slot (`history_interval`), at most
///   `capacity` slots per pair;
/// - the **daily** series, one close per UTC day, at most `dailyCapacity` days per pair. This is
///   what a 1-day horizon estimates on (daily returns, daily λ), what the stress windows read,
///   and what a coarse import (daily closes with a 1-minute interval) feeds: on the intraday grid
///   such an import is all gaps and would give no returns at all.
///
/// A slot holds the last price recorded in it (the interval's close). Slots with no mark stay
/// empty (NaN) rather than carried forward: a forward-filled gap would show as a run of zero
/// returns followed by one jump, understating volatility. A return at slot t exists only when
/// every requested pair has prices at both t−1 and t, so the returns of different pairs are
/// always from the same instants — correlations need that.
public struct MarkHistory: Sendable, Equatable {
    public static let dayMs: Int64 = 86_400_000

    /// Which grid returns are drawn from.
    public enum Resolution: Sendable, Equatable {
        case intraday
        case daily
    }

    /// Aligned returns of several pairs: `returns[t][k]` is ln(p_t / p_{t−1}) of pair k, and
    /// `endMs[t]` the start of slot t (Unix ms), oldest first.
    public struct Aligned: Sendable, Equatable {
        public var returns: [[Double]]
        public var endMs: [Int64]
        public var intervalMs: Int64
        public var count: Int { returns.count }
    }

    public let intervalMs: Int64
    public let capacity: Int
    public let dailyCapacity: Int
    private var series: [String: Series] = [:]
    private var daily: [String: Series] = [:]

    struct Series: Sendable, Equatable {
        /// Slot number (Unix ms / interval) of `prices[0]`.
        var firstSlot: Int64
        var prices: [Double]
        var lastSlot: Int64 { firstSlot + Int64(prices.count) - 1 }

        /// Sets the price of `slot`, growing the series forwards or backwards with NaN gaps, keeping at most
        /// about `capacity` slots (a slot older than the kept window is ignored).
        mutating func record(slot: Int64, price: Double, capacity: Int) {
            if slot > lastSlot {
                if slot - lastSlot > Int64(capacity) {
                    self = Series(firstSlot: slot, prices: [price]) // everything kept is out of the window
                    return
                }
                let gap = Int(slot - lastSlot - 1)
                if gap > 0 { prices.append(contentsOf: repeatElement(.nan, count: gap)) }
                prices.append(price)
            } else if slot >= firstSlot {
                prices[Int(slot - firstSlot)] = price
            } else if lastSlot - slot < Int64(capacity) {
                let gap = Int(firstSlot - slot - 1)
                prices.insert(contentsOf: [price] + Array(repeating: .nan, count: gap), at: 0)
                firstSlot = slot
            }
            // Trim in chunks so appends stay amortised O(1).
            if prices.count > capacity + capacity / 4 + 1 {
                let drop = prices.count - capacity
                prices.removeFirst(drop)
                firstSlot += Int64(drop)
            }
        }
    }

    public init(intervalMs: Int64, capacity: Int = 1_000, dailyCapacity: Int = 4_000) {
        self.intervalMs = max(1, intervalMs)
        self.capacity = max(2, capacity)
        self.dailyCapacity = max(2, dailyCapacity)
    }

    /// Pairs with at least one recorded price (on either grid).
    public var pairs: [String] { Set(series.keys).union(daily.keys).sorted() }

    /// The slot number of `atMs` on a grid of `interval` ms (floor division, also before 1970).
    public static func slot(_ atMs: Int64, _ interval: Int64) -> Int64 {
        atMs >= 0 ? atMs / interval : (atMs - interval + 1) / interval
    }

    /// Records a mark price at `atMs` on both grids. Non-positive or non-finite prices are ignored;
    /// a price for a slot older than the kept window is ignored; a later price in the same slot
    /// replaces the earlier (so the daily series holds each day's close).
    public mutating func record(pair: String, price: Double, atMs: Int64) {
        guard price.isFinite, price > 0 else { return }
        Self.put(&series, pair, Self.slot(atMs, intervalMs), price, capacity)
        Self.put(&daily, pair, Self.slot(atMs, Self.dayMs), price, dailyCapacity)
    }

    /// Records a daily close only (restoring the stored daily series).
    public mutating func recordDaily(pair: String, price: Double, atMs: Int64) {
        guard price.isFinite, price > 0 else { return }
        Self.put(&daily, pair, Self.slot(atMs, Self.dayMs), price, dailyCapacity)
    }

    private static func put(_ map: inout [String: Series], _ pair: String, _ slot: Int64, _ price: Double, _ capacity: Int) {
        guard var s = map[pair] else {
            map[pair] = Series(firstSlot: slot, prices: [price])
            return
        }
        map[pair] = nil // keep `s` uniquely referenced while mutating
        s.record(slot: slot, price: price, capacity: capacity)
        map[pair] = s
    }

    /// The last recorded intraday price of a pair and its slot start (Unix ms).
    public func latest(pair: String) -> (price: Double, atMs: Int64)? {
        guard let s = series[pair], let i = s.prices.lastIndex(where: { !$0.isNaN }) else { return nil }
        return (s.prices[i], (s.firstSlot + Int64(i)) * intervalMs)
    }

    /// The last daily close of a pair and its day start (Unix ms).
    public func latestDaily(pair: String) -> (price: Double, atMs: Int64)? {
        guard let s = daily[pair], let i = s.prices.lastIndex(where: { !$0.isNaN }) else { return nil }
        return (s.prices[i], (s.firstSlot + Int64(i)) * Self.dayMs)
    }

    /// Aligned intraday log returns, oldest first: `returns[t][k]` is ln(p_t / p_{t−1}) of `pairs[k]`,
    /// for every slot t (within the last `capacity`) where all pairs have both prices. Empty if a pair
    /// has no history.
    public func alignedReturns(pairs: [String]) -> [[Double]] {
        aligned(pairs: pairs, resolution: .intraday).returns
    }

    /// Aligned returns on one grid, with the slot of each return.
    public func aligned(pairs: [String], resolution: Resolution) -> Aligned {
        let (map, interval, cap) = resolution == .intraday ? (series, intervalMs, capacity) : (daily, Self.dayMs, dailyCapacity)
        var out = Aligned(returns: [], endMs: [], intervalMs: interval)
        guard !pairs.isEmpty else { return out }
        var list: [Series] = []
        for p in pairs {
            guard let s = map[p] else { return out }
            list.append(s)
        }
        let last = list.map(\.lastSlot).min() ?? 0
        let first = max(list.map { $0.firstSlot + 1 }.max() ?? 0, last - Int64(cap) + 1)
        guard first <= last else { return out }
        out.returns.reserveCapacity(Int(last - first + 1))
        out.endMs.reserveCapacity(Int(last - first + 1))
        var row = [Double](repeating: 0, count: list.count)
        slotLoop: for slot in first...last {
            for (k, s) in list.enumerated() {
                let i = Int(slot - s.firstSlot)
                let a = s.prices[i - 1], b = s.prices[i]
                guard a.isFinite, b.isFinite else { continue slotLoop }
                row[k] = log(b / a)
            }
            out.returns.append(row)
            out.endMs.append(slot * interval)
        }
        return out
    }

    /// Daily closes of a pair, oldest first, with their day starts (for storing the daily series).
    public func dailyCloses(pair: String) -> [(atMs: Int64, price: Double)] {
        guard let s = daily[pair] else { return [] }
        return s.prices.enumerated().compactMap { i, p in p.isNaN ? nil : ((s.firstSlot + Int64(i)) * Self.dayMs, p) }
    }
}

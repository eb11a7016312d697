/// The median/MAD outlier filter that turns the usable source values of one pair into a price.
///
/// Rule (DESIGN "a mark is only as good as its sources"):
///
///     m    = median(v)
///     MAD  = median(|v − m|)
///     cut  = max(madK · 1.4826 · MAD, madFloorBps · m / 10⁴)
///     keep v where |v − m| ≤ cut;   price = median(kept)
///
/// 1.4826 makes the MAD a consistent estimator of σ for normal data, so `madK` reads as "sigmas".
/// The floor stops a calm market's near-zero MAD from throwing out honest quotes one tick away.
/// With fewer than 3 values the MAD cannot tell who is wrong (with two values both sit exactly
/// one MAD from their midpoint), so every value is kept and the dispersion gate decides instead.
///
/// Confidence is the larger of half the kept range and 1.4826 · MAD(kept) / √n: the first says
/// "the kept sources disagree by this much", the second is the usual standard error of a median
/// and only dominates when many sources cluster with a few at the edges. Both are ≥ 0 and both are
/// 0 with one source. It is deliberately simple: venue-published uncertainty (Pyth `conf`) and the
/// uncertainty of a cross rate's convert pair are not added in.
///
/// The buffer-based entry point works on caller-provided scratch (stack memory in the engine),
/// sorts with insertion sort for the handful of sources a pair has, and allocates nothing.
public enum RobustFilter {
    /// Scales a MAD to a standard deviation for normally distributed values.
    public static let madToSigma = 1.4826

    /// Everything the filter found, in the units of the values.
    public struct Outcome: Sendable, Equatable {
        /// Median of all values given.
        public var median: Double
        /// Median absolute deviation of all values around `median`.
        public var mad: Double
        /// Distance from `median` beyond which a value is an outlier (`.infinity` with fewer than 3 values).
        public var cut: Double
        /// Median of the kept values: the price.
        public var price: Double
        /// How many values were kept.
        public var keptCount: Int
        /// Smallest and largest kept value (for the dispersion gate).
        public var keptMin: Double
        public var keptMax: Double
        /// Half-width of the price's uncertainty; see the type's documentation.
        public var confidence: Double
        /// Per input value, in input order: kept or not.
        public var kept: [Bool]
    }

    /// Array convenience for tests and tools; nil for an empty input or a non-finite value.
    /// Allocates: the engine uses the buffer-based `filter(values:scratch:kept:madK:madFloorBps:)`.
    public static func filter(_ values: [Double], madK: Double, madFloorBps: Double) -> Outcome? {
        let n = values.count
        guard n > 0, values.allSatisfy(\.isFinite) else { return nil }
        var input = values
        var kept = [Bool](repeating: false, count: n)
        var scratch = [Double](repeating: 0, count: 2 * n)
        let summary = input.withUnsafeMutableBufferPointer { v in
            scratch.withUnsafeMutableBufferPointer { s in
                kept.withUnsafeMutableBufferPointer { k in
                    run(values: UnsafeBufferPointer(v), scratch: s, kept: k, madK: madK, madFloorBps: madFloorBps)
                }
            }
        }
        return Outcome(median: summary.median, mad: summary.mad, cut: summary.cut, price: summary.price,
                       keptCount: summary.keptCount, keptMin: summary.keptMin, keptMax: summary.keptMax,
                       confidence: summary.confidence, kept: kept)
    }

    /// Median of the values (mean of the middle two for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var copy = values
        return copy.withUnsafeMutableBufferPointer { b in
            sortPrefix(b, count: b.count)
            return sortedMedian(UnsafeBufferPointer(b), count: b.count)
        }
    }

    /// Median absolute deviation around the median; nil when empty.
    public static func medianAbsoluteDeviation(_ values: [Double]) -> Double? {
        guard let m = median(values) else { return nil }
        return median(values.map { abs($0 - m) })
    }

    /// What the allocation-free entry point reports (`Outcome` minus the per-value flags).
    public struct Summary: Sendable, Equatable {
        public var median: Double
        public var mad: Double
        public var cut: Double
        public var price: Double
        public var keptCount: Int
        public var keptMin: Double
        public var keptMax: Double
        public var confidence: Double
    }

    /// Allocation-free entry point (the engine's, and the benchmark's): `scratch` must hold at
    /// least `2 · values.count` doubles and `kept` at least `values.count` flags, which receive the
    /// verdict per value. Returns nil for no values, short buffers or a non-finite value.
    public static func filter(values: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>,
                              kept: UnsafeMutableBufferPointer<Bool>, madK: Double, madFloorBps: Double) -> Summary? {
        let n = values.count
        guard n > 0, scratch.count >= 2 * n, kept.count >= n else { return nil }
        for v in values where !v.isFinite { return nil }
        return run(values: values, scratch: scratch, kept: kept, madK: madK, madFloorBps: madFloorBps)
    }

    /// The filter proper. `values.count` ≥ 1; `scratch` holds at least `2 · values.count`;
    /// `kept` at least `values.count` and receives the verdict per value. Values must be finite.
    static func run(values: UnsafeBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<Double>,
                    kept: UnsafeMutableBufferPointer<Bool>, madK: Double, madFloorBps: Double) -> Summary {
        let n = values.count
        let sorted = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
        let devs = UnsafeMutableBufferPointer(rebasing: scratch[n..<(2 * n)])

        for i in 0..<n { sorted[i] = values[i] }
        sortPrefix(sorted, count: n)
        let m = sortedMedian(UnsafeBufferPointer(sorted), count: n)

        for i in 0..<n { devs[i] = abs(values[i] - m) }
        sortPrefix(devs, count: n)
        let mad = sortedMedian(UnsafeBufferPointer(devs), count: n)

        let cut: Double
        if n >= 3 {
            cut = max(madK * madToSigma * mad, madFloorBps * m / 10_000)
        } else {
            cut = .infinity
        }

        var c = 0
        for i in 0..<n {
            let keep = abs(values[i] - m) <= cut
            kept[i] = keep
            if keep { c += 1 }
        }
        guard c > 0 else {
            // Unreachable with madK ≥ 1 (at least half the values lie within one MAD), which the
            // engine enforces; reported as "nothing kept" rather than trapping.
            return Summary(median: m, mad: mad, cut: cut, price: m, keptCount: 0,
                           keptMin: m, keptMax: m, confidence: 0)
        }
        // The kept values are a contiguous run of the sorted ones (|v − m| ≤ cut is an interval,
        // and rounding of v − m is monotone in v), so their median needs no second sort.
        var start = 0
        while !(abs(sorted[start] - m) <= cut) { start += 1 }
        let keptSorted = UnsafeBufferPointer(rebasing: sorted[start..<(start + c)])
        let price = sortedMedian(keptSorted, count: c)
        let lo = keptSorted[0]
        let hi = keptSorted[c - 1]

        // 1.4826 · MAD(kept) / √c, where MAD(kept) ≤ half the kept range (at least half the values
        // lie on the median's shorter side, all within range/2 of it). From 3 values on the term is
        // at most 0.856 · range/2, so only c = 2 needs it: there MAD = range/2 exactly.
        let halfRange = (hi - lo) / 2
        let confidence = c == 2 ? max(halfRange, madToSigma * halfRange / 2.0.squareRoot()) : halfRange

        return Summary(median: m, mad: mad, cut: cut, price: price, keptCount: c,
                       keptMin: lo, keptMax: hi, confidence: confidence)
    }

    /// Ascending sort of the first `count` elements. A pair has a handful of sources, where
    /// insertion sort beats the standard library's sort and needs no comparator indirection;
    /// past 16 values the standard O(n log n) sort takes over.
    @inline(__always)
    static func sortPrefix(_ b: UnsafeMutableBufferPointer<Double>, count: Int) {
        guard count > 1 else { return }
        guard count <= 16 else {
            var prefix = UnsafeMutableBufferPointer(rebasing: b[0..<count])
            prefix.sort()
            return
        }
        for i in 1..<count {
            let x = b[i]
            var j = i - 1
            while j >= 0 && b[j] > x {
                b[j + 1] = b[j]
                j -= 1
            }
            b[j + 1] = x
        }
    }

    @inline(__always)
    static func sortedMedian(_ b: UnsafeBufferPointer<Double>, count: Int) -> Double {
        let mid = count / 2
        if count % 2 == 1 { return b[mid] }
        return (b[mid - 1] + b[mid]) / 2
    }
}

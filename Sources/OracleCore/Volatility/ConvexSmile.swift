/// The fallback smile when SVI does not converge (too few strikes, a shape SVI cannot take):
/// total variance interpolated linearly in log-moneyness through the lower convex hull of the
/// points.
///
/// Taking the hull makes w convex in k — the piecewise-linear analogue of a monotone-convex
/// spline — so the call prices it implies are convex in strike between knots to first order;
/// the butterfly check still runs on the result. Points above the hull (a bump a venue marks
/// too rich) are not interpolated through but are reported as not on the smile.
public struct ConvexSmile: Sendable, Equatable {
    /// Knots (k, w), strictly increasing in k, w > 0, convex.
    public var knots: [(k: Double, w: Double)]

    public static func == (a: ConvexSmile, b: ConvexSmile) -> Bool {
        a.knots.count == b.knots.count && zip(a.knots, b.knots).allSatisfy { $0.k == $1.k && $0.w == $1.w }
    }

    /// nil with fewer than 2 distinct strikes or a non-positive variance.
    public init?(k: [Double], w: [Double]) {
        var pts = zip(k, w).filter { $0.0.isFinite && $0.1.isFinite && $0.1 > 0 }.sorted { $0.0 < $1.0 }
        // One point per k: the lowest variance (the hull would pick it anyway).
        var unique: [(Double, Double)] = []
        for p in pts {
            if let last = unique.last, abs(last.0 - p.0) < 1e-12 { unique[unique.count - 1].1 = min(last.1, p.1) } else { unique.append(p) }
        }
        pts = unique
        guard pts.count >= 2 else { return nil }
        var hull: [(k: Double, w: Double)] = []
        for p in pts {
            while hull.count >= 2 {
                let o = hull[hull.count - 2], a = hull[hull.count - 1]
                // Drop `a` when it lies on or above the chord from o to p (not convex).
                let cross = (a.k - o.k) * (p.1 - o.w) - (a.w - o.w) * (p.0 - o.k)
                if cross <= 0 { hull.removeLast() } else { break }
            }
            hull.append((p.0, p.1))
        }
        knots = hull
    }

    /// Total variance at k, flat beyond the outer knots.
    public func w(_ k: Double) -> Double {
        guard let first = knots.first, let last = knots.last else { return .nan }
        if k <= first.k { return first.w }
        if k >= last.k { return last.w }
        var lo = 0, hi = knots.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if knots[mid].k <= k { lo = mid } else { hi = mid }
        }
        let a = knots[lo], b = knots[hi]
        return a.w + (b.w - a.w) * (k - a.k) / (b.k - a.k)
    }
}

import Foundation

/// The Basel traffic-light zones of a VaR back-test (BCBS 1996, "Supervisory framework for the use
/// of backtesting"), generalised to any confidence and window.
///
/// With T observations and an expected exceedance rate p = 1 − confidence, the number of
/// exceedances X of a correct model is Binomial(T, p). A count x is
/// - **green** while P(X ≤ x) < 95 %,
/// - **yellow** while P(X ≤ x) < 99.99 %,
/// - **red** beyond.
/// At T = 250 and 99 % this is Basel's table: green 0–4 (P(X ≤ 4) = 89.22 %), yellow 5–9
/// (P(X ≤ 5) = 95.88 %, P(X ≤ 9) = 99.97 %), red ≥ 10 (P(X ≤ 10) = 99.99 %).
///
/// Edge cases: no observations is green (no evidence against the model); an expected rate outside
/// (0, 1) (a confidence of 0 % or 100 %) makes any exceedance red and none green, because a model
/// that claims certainty is refuted by one miss.
public enum TrafficLight: String, Sendable, Equatable, CaseIterable {
    case green, yellow, red

    /// Basel's window: the last 250 observations (one trading year of daily VaRs).
    public static let window = 250
    static let yellowFrom = 0.95
    static let redFrom = 0.9999

    /// The zone of `exceedances` out of `observations` at `confidence`.
    public static func zone(exceedances: Int, observations: Int, confidence: Double) -> TrafficLight {
        let x = max(0, exceedances), n = max(0, observations)
        guard n > 0 else { return .green }
        let p = 1 - confidence
        guard p > 0, p < 1 else { return x == 0 ? .green : .red }
        let cdf = binomialCDF(x, n: n, p: p)
        if cdf < yellowFrom { return .green }
        if cdf < redFrom { return .yellow }
        return .red
    }

    /// The zone of the last `window` entries of an exceedance sequence (oldest first).
    public static func zone(sequence: [Bool], confidence: Double, window: Int = TrafficLight.window) -> TrafficLight {
        let tail = sequence.suffix(max(0, window))
        return zone(exceedances: tail.reduce(0) { $0 + ($1 ? 1 : 0) }, observations: tail.count, confidence: confidence)
    }

    /// The smallest exceedance counts that are yellow and red at this window and confidence
    /// (Basel 250 / 99 %: 5 and 10), for the report's calibration table.
    public static func boundaries(observations: Int, confidence: Double) -> (yellow: Int, red: Int) {
        var yellow = observations + 1, red = observations + 1
        for x in 0...max(0, observations) {
            let z = zone(exceedances: x, observations: observations, confidence: confidence)
            if z != .green, yellow > observations { yellow = x }
            if z == .red { red = x; break }
        }
        return (yellow, red)
    }

    /// P(X ≤ x) for X ~ Binomial(n, p), with the pmf stepped in log space
    /// (ln f(k+1) = ln f(k) + ln((n−k)/(k+1)) + ln p − ln(1−p)) so that n in the thousands neither
    /// overflows the binomial coefficient nor underflows pᵏ.
    public static func binomialCDF(_ x: Int, n: Int, p: Double) -> Double {
        guard x >= 0 else { return 0 }
        guard x < n else { return 1 }
        let odds = log(p) - log1p(-p)
        var lnPmf = Double(n) * log1p(-p)
        var sum = 0.0
        for k in 0...x {
            sum += exp(lnPmf)
            lnPmf += log(Double(n - k) / Double(k + 1)) + odds
        }
        return min(1, sum)
    }
}

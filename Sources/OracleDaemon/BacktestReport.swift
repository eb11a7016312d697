import OracleCore

/// The outcome of a backtest as the report shows it: the run's settings and each account's result.
/// Rendering (`json()`, `html()`) is a function of these values only, so the files are
/// byte-identical for the same inputs.
public struct BacktestReport: Sendable {
    public var policy: MarginPolicy
    public var fromMs: Int64
    public var toMs: Int64
    public var pricePoints: Int
    public var results: [BacktestResult]

    public init(universe: MarginUniverse, points: [PriceHistoryCSV.Point], results: [BacktestResult]) {
        policy = universe.policy
        fromMs = points.map(\.timeMs).min() ?? 0
        toMs = points.map(\.timeMs).max() ?? 0
        pricePoints = points.count
        self.results = results
    }

    /// Exceedance counts that are yellow and red over the traffic-light window.
    var boundaries: (yellow: Int, red: Int) {
        TrafficLight.boundaries(observations: TrafficLight.window, confidence: policy.varConfidence)
    }

    /// A probability or rate as the shortest round-trip decimal (`3.9e-08` stays visible, where a
    /// fixed 6 digits would print 0).
    static func probability(_ v: Double) -> JSON { v.isFinite ? .raw("\(v)") : .null }

    /// Money with 4 decimals (cents and a margin beyond).
    static func money(_ v: Double?) -> JSON {
        guard let v, v.isFinite else { return .null }
        return .raw(DecimalText.format(v, maxFractionDigits: 4))
    }

    static func duration(_ ms: Int64) -> String {
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

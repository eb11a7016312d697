import OracleConfig
import OracleCore

extension MarginDesk {
    /// Position pair → `[[vol]]` underlying, as `SurfaceVolatility` maps them (`forward_pair`, else
    /// `underlying-quote`).
    static func volatilityPairs(_ vol: [VolSettings]) -> [String: String] {
        var out: [String: String] = [:]
        for v in vol { out[SurfaceVolatility.pairKey(underlying: v.underlying, quote: v.quote, forwardPair: v.forwardPair)] = v.underlying }
        return out
    }

    /// Rebuilt volatility surfaces from the `[[vol]]` loop: option valuation uses them from now on,
    /// and every account holding an option on their pairs is valued on them at once and its level
    /// machine runs (a volatility spike with prices unchanged is a margin event).
    public func onVolatility(_ rebuilt: [VolSurface], underlyingByPair: [String: String], nowMs: Int64) {
        for s in rebuilt { surfaces[s.underlying] = s }
        evaluator.volatility = SurfaceVolatility(surfaces: Array(surfaces.values), underlyingByPair: underlyingByPair)
        guard machinesCurrent() else { return }
        let names = Set(rebuilt.map(\.underlying))
        let pairs = Set(underlyingByPair.filter { names.contains($0.value) }.keys)
        evaluator.risk = risk
        apply(evaluator.volatilityUpdated(pairs: pairs, nowMs: nowMs))
    }
}

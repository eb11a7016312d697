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

    /// Per `[[vol]]` underlying, the age past which its surface is not used (`SurfaceVolatility.maxAgeMs`):
    /// hold + 2 × poll_interval + 5 s, so only a stopped loop reaches it.
    static func volatilityMaxAge(_ vol: [VolSettings]) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for v in vol { out[v.underlying] = v.policy.holdMs + 2 * v.pollIntervalMs + 5_000 }
        return out
    }

    /// Rebuilt volatility surfaces from the `[[vol]]` loop: option valuation uses them from now on,
    /// and every account holding an option on their pairs is valued on them at once and its level
    /// machine runs (a volatility spike with prices unchanged is a margin event).
    public func onVolatility(_ rebuilt: [VolSurface], underlyingByPair: [String: String], maxAgeMs: [String: Int64] = [:],
                             nowMs: Int64) {
        for s in rebuilt { surfaces[s.underlying] = s }
        var lookup = SurfaceVolatility(surfaces: Array(surfaces.values), underlyingByPair: underlyingByPair)
        lookup.maxAgeMs = maxAgeMs
        evaluator.volatility = lookup
        guard machinesCurrent() else { return }
        let names = Set(rebuilt.map(\.underlying))
        let pairs = Set(underlyingByPair.filter { names.contains($0.value) }.keys)
        evaluator.risk = risk
        apply(evaluator.volatilityUpdated(pairs: pairs, nowMs: nowMs))
    }
}

import OracleCore

/// `[aggregation]` and the per-pair overrides of the same keys.
extension ConfigDecoder {
    func decodeAggregation(_ top: TableReader) -> AggregationPolicy {
        guard let r = sectionReader(top, "aggregation") else { return AggregationPolicy() }
        let policy = readAggregation(r, defaults: AggregationPolicy())
        r.finish(known: ConfigKeys.aggregation)
        return policy
    }

    /// Reads whichever aggregation keys `r` has, keeping `defaults` for the rest.
    func readAggregation(_ r: TableReader, defaults: AggregationPolicy) -> AggregationPolicy {
        var p = defaults
        p.minSources = r.integer("min_sources", default: p.minSources, .atLeast(1))
        p.maxAgeMs = r.duration("max_age", default: p.maxAgeMs)
        p.maxHoldMs = r.duration("max_hold", default: p.maxHoldMs, allowZero: true)
        p.maxFutureSkewMs = r.duration("max_future_skew", default: p.maxFutureSkewMs, allowZero: true)
        p.madK = r.double("mad_k", default: p.madK, .positive)
        p.madFloorBps = r.double("mad_floor_bps", default: p.madFloorBps, .nonNegative)
        p.dispersionBps = r.double("dispersion_bps", default: p.dispersionBps, .positive)
        // One unchanged response proves nothing: a quiet market repeats prices. Two is the least
        // that can tell "frozen" from "fresh".
        p.frozenCycles = r.integer("frozen_cycles", default: p.frozenCycles, .atLeast(2))
        p.maxSpreadBps = r.double("max_spread_bps", default: p.maxSpreadBps, .positive)
        return p
    }
}

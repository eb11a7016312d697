/// Option valuation's σ from the daemon's implied-volatility surfaces (`[[vol]]`).
///
/// Positions name the underlying as a pair (`BTC-USD`); surfaces are keyed by the base asset as
/// the venues write it (`BTC`, quoted in USD). The map between the two is explicit, built from
/// the `[[vol]]` blocks (`pairKey`: `forward_pair` when set, else `underlying-quote`), so a
/// `BTC-USDT` option never borrows the USD surface by accident of a shared prefix.
///
/// nil — and the caller then refuses to value, never guesses — when the pair has no `[[vol]]`,
/// its surface has not been built yet, is `unavailable`, or cannot answer that point (see
/// `VolSurface.volatility(strike:expiryMs:forward:nowMs:)`). A `stale` or `degraded` surface
/// still answers: its status travels with the surface for whoever reports it, as marks' does.
public struct SurfaceVolatility: VolatilityLookup, Sendable, Equatable {
    /// Surfaces by `[[vol]] underlying` ("BTC").
    public var surfaces: [String: VolSurface]
    /// Position pair ("BTC-USD") → `[[vol]] underlying` ("BTC").
    public var underlyingByPair: [String: String]
    /// Per underlying, the oldest surface (now − built time) still used. A held surface keeps its
    /// build time and turns `unavailable` after `hold`; if the `[[vol]]` loop itself stopped, nothing
    /// would ever say so, and an hours-old "ok" surface would keep valuing options. The daemon sets
    /// hold + 2 × poll_interval + 5 s; absent: no limit (tests, `oracled option`).
    public var maxAgeMs: [String: Int64] = [:]

    public init(surfaces: [VolSurface], underlyingByPair: [String: String]) {
        var byName: [String: VolSurface] = [:]
        for s in surfaces { byName[s.underlying] = s }
        self.surfaces = byName
        self.underlyingByPair = underlyingByPair
    }

    /// The pair a `[[vol]]` block serves: its `forward_pair` when given (the pair whose mark is the
    /// forward), otherwise `underlying-quote` ("BTC" + "USD" → "BTC-USD"), the pairs' own spelling.
    public static func pairKey(underlying: String, quote: String, forwardPair: String? = nil) -> String {
        forwardPair ?? "\(underlying)-\(quote)"
    }

    /// The surface that serves `pair`, if any (whatever its status).
    public func surface(forPair pair: String) -> VolSurface? {
        underlyingByPair[pair].flatMap { surfaces[$0] }
    }

    public func volatility(underlying pair: String, strike: Double, expiryMs: Int64, forward: Double, nowMs: Int64) -> Double? {
        guard let surface = surface(forPair: pair) else { return nil }
        if let limit = maxAgeMs[surface.underlying], nowMs - surface.builtAtMs > limit { return nil }
        return surface.volatility(strike: strike, expiryMs: expiryMs, forward: forward, nowMs: nowMs)
    }
}

/// A what-if on volatility: every σ the wrapped lookup answers for a shocked underlying, scaled by
/// (1 + s). A relative shock, as the grid's vol legs are: "+0.3" turns 50 % into 65 %, "-0.2" 50 %
/// into 40 %; s > −1 so σ stays positive. Underlyings without a shock answer unchanged; nil stays
/// nil (no σ is still no valuation, a shock never invents one).
///
/// Keys are position pairs (`BTC-USD`), as `VolatilityLookup` is asked; `resolve` maps what a
/// request may name — a `[[vol]]` underlying ("BTC") or a pair — to them.
public struct ShockedVolatility: VolatilityLookup, Sendable {
    public var base: any VolatilityLookup & Sendable
    /// Pair → relative shock s (σ × (1 + s)).
    public var shocks: [String: Double]

    public init(base: any VolatilityLookup & Sendable, shocks: [String: Double]) {
        self.base = base
        self.shocks = shocks
    }

    public func volatility(underlying: String, strike: Double, expiryMs: Int64, forward: Double, nowMs: Int64) -> Double? {
        guard let sigma = base.volatility(underlying: underlying, strike: strike, expiryMs: expiryMs, forward: forward, nowMs: nowMs) else {
            return nil
        }
        guard let s = shocks[underlying] else { return sigma }
        return sigma * (1 + s)
    }

    /// Why a vol shock was refused, naming the request's key (`vol_shocks.X`).
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var reason: String
        public var description: String { "vol_shocks.\(key): \(reason)" }
    }

    /// The shocks a request names, keyed by pair. `key` may be a `[[vol]]` underlying ("BTC", every
    /// pair it serves in `underlyingByPair`) or a pair a `[[vol]]` serves ("BTC-USD"); the shock must
    /// be finite and > −1. Anything else is refused naming the key.
    public static func resolve(_ requested: [(key: String, shock: Double?)],
                               underlyingByPair: [String: String]) -> Result<[String: Double], Refusal> {
        var out: [String: Double] = [:]
        for (key, shock) in requested {
            guard let s = shock, s.isFinite, s > -1 else {
                return .failure(Refusal(key: key, reason: "expected a relative volatility shock > -1 such as \"+0.3\" (σ × 1.3)"))
            }
            let pairs = underlyingByPair[key] != nil ? [key] : underlyingByPair.filter { $0.value == key }.map(\.key)
            guard !pairs.isEmpty else {
                let known = Set(underlyingByPair.values).sorted().joined(separator: ", ")
                return .failure(Refusal(key: key, reason: "no [[vol]] surface for \"\(key)\"" + (known.isEmpty ? " (none is configured)" : "; known: \(known)")))
            }
            for pair in pairs {
                if out[pair] != nil { return .failure(Refusal(key: key, reason: "\(pair) is shocked twice (by its underlying and by its pair)")) }
                out[pair] = s
            }
        }
        return .success(out)
    }
}

/// One `[[pair]]` of oracles.toml after validation.
public struct PairSpec: Sendable, Equatable {
    /// Canonical `BASE-QUOTE`, e.g. `BTC-USD`.
    public var symbol: String
    public var sources: [PairSourceSpec]
    public var policy: AggregationPolicy
    public var maintenanceMargin: Double
    public var initialMargin: Double
    public var risk: PairRiskSpec

    public init(symbol: String, sources: [PairSourceSpec], policy: AggregationPolicy,
                maintenanceMargin: Double = 0.05, initialMargin: Double = 0.10, risk: PairRiskSpec = PairRiskSpec()) {
        self.risk = risk
        self.symbol = symbol
        self.sources = sources
        self.policy = policy
        self.maintenanceMargin = maintenanceMargin
        self.initialMargin = initialMargin
    }

    public var base: Substring { symbol.split(separator: "-").first ?? Substring(symbol) }
    public var quote: Substring { symbol.split(separator: "-").last ?? Substring(symbol) }
}

/// A venue feeding a pair: which `[[source]]`, under which venue spelling, and an optional
/// cross rate (`convert = "USDT-USD"`) applied from the same cycle's mark.
public struct PairSourceSpec: Sendable, Equatable {
    public var source: String
    public var symbol: String
    public var convert: String?

    public init(source: String, symbol: String, convert: String? = nil) {
        self.source = source
        self.symbol = symbol
        self.convert = convert
    }
}

/// How a pair's quotes become a mark. Durations are milliseconds.
public struct AggregationPolicy: Sendable, Equatable {
    /// Quorum of usable sources after filtering; below it the mark is `degraded`.
    public var minSources: Int
    /// Quotes older than this (by venue time when known, else receipt time) are `stale`.
    public var maxAgeMs: Int64
    /// How long the last good value may be held (as `stale`) once no source is usable.
    public var maxHoldMs: Int64
    /// Venue timestamps further in the future than this are rejected.
    public var maxFutureSkewMs: Int64
    /// Outlier cut: values farther than `madK` · 1.4826 · MAD from the median are dropped…
    public var madK: Double
    /// …but never closer than this many basis points (so a calm market's tiny MAD does not
    /// throw out honest quotes one tick away).
    public var madFloorBps: Double
    /// When the kept values spread wider than this (max−min over median, bps), the mark is `degraded`.
    public var dispersionBps: Double
    /// A source whose value and timestamp stay unchanged for this many fresh responses while
    /// the others move is `frozen`.
    public var frozenCycles: Int
    /// Bid/ask spreads wider than this (bps of mid) fall back to `last`, or are rejected without one.
    public var maxSpreadBps: Double

    public init(minSources: Int = 3, maxAgeMs: Int64 = 30_000, maxHoldMs: Int64 = 120_000,
                maxFutureSkewMs: Int64 = 5_000, madK: Double = 5, madFloorBps: Double = 50,
                dispersionBps: Double = 200, frozenCycles: Int = 10, maxSpreadBps: Double = 500) {
        self.minSources = minSources
        self.maxAgeMs = maxAgeMs
        self.maxHoldMs = maxHoldMs
        self.maxFutureSkewMs = maxFutureSkewMs
        self.madK = madK
        self.madFloorBps = madFloorBps
        self.dispersionBps = dispersionBps
        self.frozenCycles = frozenCycles
        self.maxSpreadBps = maxSpreadBps
    }
}

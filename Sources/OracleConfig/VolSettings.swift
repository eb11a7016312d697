import OracleCore

/// `[[vol]]`: one underlying that gets an implied-volatility surface, and where from.
public struct VolSettings: Sendable, Equatable {
    /// The base asset as the venues write it ("BTC").
    public var underlying: String
    /// The `[[pair]]` whose mark is the forward callers value options on ("BTC-USD"); optional.
    public var forwardPair: String?
    /// Quote currency of the OKX underlying (`uly=BTC-USD`).
    public var quote: String
    /// How often the sources are asked and the surface rebuilt.
    public var pollIntervalMs: Int64
    public var policy: VolPolicy
    public var sources: [VolSourceSpec]

    public init(underlying: String, forwardPair: String? = nil, quote: String = "USD", pollIntervalMs: Int64 = 5_000,
                policy: VolPolicy = VolPolicy(), sources: [VolSourceSpec]) {
        self.underlying = underlying
        self.forwardPair = forwardPair
        self.quote = quote
        self.pollIntervalMs = pollIntervalMs
        self.policy = policy
        self.sources = sources
    }
}

/// One implied-volatility source of a `[[vol]]` block (`sources = [{ name, kind, base_url }]`).
public struct VolSourceSpec: Sendable, Equatable {
    public var name: String
    public var kind: VolSourceKind
    public var baseURL: String
    /// Requests per second. Deribit allows about 20/s unauthenticated, OKX 20 per 2 s for
    /// opt-summary, Bybit 600 per 5 s per IP; a whole-chain summary every few seconds needs far less.
    public var rateLimitPerSecond: Double
    public var rateLimitBurst: Int
    public var connectTimeoutMs: Int
    public var totalTimeoutMs: Int
    /// A whole option chain is 100–500 kB (Deribit BTC lists ~700 options).
    public var maxBodyBytes: Int

    public init(name: String, kind: VolSourceKind, baseURL: String? = nil, rateLimitPerSecond: Double = 1,
                rateLimitBurst: Int = 2, connectTimeoutMs: Int = 2_000, totalTimeoutMs: Int = 5_000,
                maxBodyBytes: Int = 4 * 1_048_576) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL ?? kind.defaultBaseURL
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimitBurst = rateLimitBurst
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxBodyBytes = maxBodyBytes
    }

    /// The spec the shared fetch schedule (token bucket, backoff, quarantine) is built from.
    public var scheduleSpec: SourceSpec {
        SourceSpec(name: name, kind: .generic, baseURL: baseURL, rateLimitPerSecond: rateLimitPerSecond,
                   rateLimitBurst: rateLimitBurst, connectTimeoutMs: connectTimeoutMs, totalTimeoutMs: totalTimeoutMs,
                   maxBodyBytes: maxBodyBytes)
    }
}

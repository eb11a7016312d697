/// One `[[source]]` of oracles.toml after validation: how to reach a venue and how gently.
public struct SourceSpec: Sendable, Equatable {
    public var name: String
    public var kind: VenueKind
    /// Scheme + host (+ optional path prefix), no trailing slash. Overridable to a local fake venue.
    public var baseURL: String
    /// Token bucket: sustained requests per second and burst size.
    public var rateLimitPerSecond: Double
    public var rateLimitBurst: Int
    public var connectTimeoutMs: Int
    public var totalTimeoutMs: Int
    /// Responses larger than this are cut off and count as errors (a venue answering
    /// tens of MB of garbage must not eat the daemon's memory).
    public var maxBodyBytes: Int
    /// How long a 451/403 keeps the source out, in milliseconds.
    public var quarantineMs: Int64
    /// Backoff after transient errors (5xx, timeouts, resets, malformed bodies): base and cap in
    /// milliseconds (exponential with jitter). The cap defaults to 8 s so that a venue recovering
    /// from an outage of any length is asked again within 8 × 1.2 ≈ 9.6 s; waits the venue asks
    /// for (`Retry-After`, reset hints, 418 bans) and 451/403 quarantines have their own, longer rules.
    public var backoffBaseMs: Int64
    public var backoffMaxMs: Int64
    /// Only for `kind = "generic"`.
    public var generic: GenericAdapterSpec?

    public init(name: String, kind: VenueKind, baseURL: String,
                rateLimitPerSecond: Double = 1, rateLimitBurst: Int = 2,
                connectTimeoutMs: Int = 2_000, totalTimeoutMs: Int = 5_000,
                maxBodyBytes: Int = 256 * 1024, quarantineMs: Int64 = 3_600_000,
                backoffBaseMs: Int64 = 1_000, backoffMaxMs: Int64 = 8_000,
                generic: GenericAdapterSpec? = nil) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.rateLimitPerSecond = rateLimitPerSecond
        self.rateLimitBurst = rateLimitBurst
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxBodyBytes = maxBodyBytes
        self.quarantineMs = quarantineMs
        self.backoffBaseMs = backoffBaseMs
        self.backoffMaxMs = backoffMaxMs
        self.generic = generic
    }
}

/// `kind = "generic"`: a URL template and dotted JSON paths into the body.
///
/// Paths are dot-separated keys with numeric segments indexing arrays, e.g. `data.0.last`
/// or `result.list.0.bid1Price`; `{symbol}` in `urlTemplate` is replaced by the source's symbol
/// (percent-encoded).
public struct GenericAdapterSpec: Sendable, Equatable {
    public enum TimestampUnit: String, Sendable, Equatable, CaseIterable {
        case s, ms, us, ns, iso8601
    }
    /// Path + query appended to `base_url`, e.g. `/api/ticker?market={symbol}`.
    public var urlTemplate: String
    public var pricePath: String?
    public var bidPath: String?
    public var askPath: String?
    public var timestampPath: String?
    public var timestampUnit: TimestampUnit
    /// When this path exists and is neither null, false, 0, "" nor an empty array/object, the body is an error.
    public var errorPath: String?

    public init(urlTemplate: String, pricePath: String? = nil, bidPath: String? = nil, askPath: String? = nil,
                timestampPath: String? = nil, timestampUnit: TimestampUnit = .ms, errorPath: String? = nil) {
        self.urlTemplate = urlTemplate
        self.pricePath = pricePath
        self.bidPath = bidPath
        self.askPath = askPath
        self.timestampPath = timestampPath
        self.timestampUnit = timestampUnit
        self.errorPath = errorPath
    }
}

import OracleCore

/// One GET to a venue, with the limits that protect the daemon from a slow or hostile venue.
///
/// Every limit is mandatory and positive: a zero timeout would mean "wait forever" to libcurl,
/// so ``CurlMultiLoop/fetch(_:)`` rejects it with ``FetchError/Code-swift.enum/invalidRequest``
/// instead of passing it through.
public struct FetchRequest: Sendable, Equatable {
    /// Absolute `http://` or `https://` URL; other schemes are refused by libcurl's protocol filter.
    public var url: String
    /// Milliseconds allowed for DNS + TCP (+ TLS) before giving up with `connectFailed`/`timeout`.
    public var connectTimeoutMs: Int
    /// Milliseconds for the whole transfer, from the moment the loop picks the request up.
    public var totalTimeoutMs: Int
    /// Largest decoded body accepted; more aborts the transfer with `bodyTooLarge`.
    public var maxBodyBytes: Int
    /// Overrides the loop's default `User-Agent` for this request (some venues want a specific one).
    public var userAgent: String?

    public init(url: String, connectTimeoutMs: Int = 2_000, totalTimeoutMs: Int = 5_000,
                maxBodyBytes: Int = 256 * 1024, userAgent: String? = nil) {
        self.url = url
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxBodyBytes = maxBodyBytes
        self.userAgent = userAgent
    }

    /// A request carrying a source's configured limits, so callers cannot forget one.
    public init(url: String, source: SourceSpec, userAgent: String? = nil) {
        self.init(url: url, connectTimeoutMs: source.connectTimeoutMs, totalTimeoutMs: source.totalTimeoutMs,
                  maxBodyBytes: source.maxBodyBytes, userAgent: userAgent)
    }
}

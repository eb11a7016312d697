/// The rules a volatility surface is built with; defaults and the reason for each are in
/// docs/volatility.md.
public struct VolPolicy: Sendable, Equatable {
    /// Quotes older than this (venue time) are `stale`. Option summaries are polled every few
    /// seconds; a minute covers a slow venue without serving an hour-old smile.
    public var maxAgeMs: Int64 = 60_000
    /// A mark IV unchanged (bit for bit) for this long is `frozen`: live option marks move with
    /// the forward every few seconds, so ten minutes of the same number is a stuck feed.
    public var frozenAfterMs: Int64 = 600_000
    /// Venues needed per expiry (after filtering) for the expiry to be `ok`.
    public var minSources: Int = 2
    /// Outlier cut across venues at one (expiry, strike), in MADs scaled to sigmas.
    public var madK: Double = 3
    /// Floor of the cut, in basis points of the median IV (300 bps of 50 % = 1.5 vol points):
    /// venues routinely differ by half a vol point, which a near-zero MAD would otherwise reject.
    public var madFloorBps: Double = 300
    /// Expiries closer than this are not fitted: their total variance is tiny and their marks
    /// are dominated by the settlement average, not by a smile.
    public var minTimeToExpiryMs: Int64 = 3_600_000
    /// Strikes needed for an SVI fit (it has five parameters); fewer use the convex fallback.
    public var minStrikesForSVI: Int = 5
    /// Strikes needed for any smile.
    public var minStrikes: Int = 3
    /// A fit whose implied-vol RMSE exceeds this is not trusted as SVI (fallback is tried).
    public var maxFitRMSE: Double = 0.02
    /// How long a surface may be held, as `stale`, after its inputs disappear.
    public var holdMs: Int64 = 300_000

    public init() {}
}

/// One implied-volatility source's latest answer, as the poll loop hands it to the builder.
public struct VolSourceReading: Sendable {
    /// The configured source name.
    public var source: String
    public var kind: VolSourceKind
    /// The latest answer; nil before the first one arrived.
    public var answer: VolAnswer?
    /// When it was received (local clock, Unix ms).
    public var receivedAtMs: Int64

    public init(source: String, kind: VolSourceKind, answer: VolAnswer?, receivedAtMs: Int64) {
        self.source = source
        self.kind = kind
        self.answer = answer
        self.receivedAtMs = receivedAtMs
    }
}

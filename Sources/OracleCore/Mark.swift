/// A pair's robust price at one instant, with the evidence for it.
public struct Mark: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable {
        case ok, degraded, stale, unavailable
    }

    public var pair: String
    /// nil only when `status == .unavailable`.
    public var price: Double?
    /// Half-width of the interval the kept sources span, in price units (never negative).
    public var confidence: Double?
    public var status: Status
    public var sourcesUsed: Int
    public var sourcesTotal: Int
    /// When `price` was computed from fresh quotes (Unix ms). A held `stale` value keeps its old time.
    public var updatedAtMs: Int64?
    /// Increments every time a new price is computed for this pair.
    public var seq: UInt64
    /// Why each status other than `ok` was chosen ("quorum 2/3", "dispersion 340 bps > 200").
    public var statusReason: String?
    public var sources: [SourceReport]

    public init(pair: String, price: Double?, confidence: Double?, status: Status, sourcesUsed: Int,
                sourcesTotal: Int, updatedAtMs: Int64?, seq: UInt64, statusReason: String? = nil,
                sources: [SourceReport]) {
        self.pair = pair
        self.price = price
        self.confidence = confidence
        self.status = status
        self.sourcesUsed = sourcesUsed
        self.sourcesTotal = sourcesTotal
        self.updatedAtMs = updatedAtMs
        self.seq = seq
        self.statusReason = statusReason
        self.sources = sources
    }
}

/// What the aggregation made of one source for one pair in one cycle.
public struct SourceReport: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable, CaseIterable {
        case used, outlier, stale, frozen, error
    }
    public var source: String
    /// The value offered in the pair's quote currency (after `convert`), when there was one.
    public var value: Double?
    /// The time the value refers to (venue time if known, else receipt), Unix ms.
    public var timeMs: Int64?
    public var verdict: Verdict
    /// Empty for `used`; otherwise says why, e.g. "812 bps from median 67210 (cut 95 bps)".
    public var reason: String

    public init(source: String, value: Double?, timeMs: Int64?, verdict: Verdict, reason: String) {
        self.source = source
        self.value = value
        self.timeMs = timeMs
        self.verdict = verdict
        self.reason = reason
    }
}

/// The latest outcome of fetching one (pair, source): a quote or an error, with when it arrived.
public struct SourceSample: Sendable, Equatable {
    public var result: Result<Quote, VenueError>
    /// Local receive time, Unix ms.
    public var receivedAtMs: Int64
    /// Increments on each new response, so repeated reads of the same sample are not
    /// mistaken for a venue repeating itself (frozen detection counts responses).
    public var responseSeq: UInt64

    public init(result: Result<Quote, VenueError>, receivedAtMs: Int64, responseSeq: UInt64) {
        self.result = result
        self.receivedAtMs = receivedAtMs
        self.responseSeq = responseSeq
    }
}

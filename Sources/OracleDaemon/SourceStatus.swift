/// What `/v1/health` and `/metrics` say about one source: the fetch schedule's view plus counters.
public struct SourceStatus: Sendable, Equatable {
    public var name: String
    public var kind: String
    /// `ok`, `backoff`, `rate_limited`, `quarantined`, or `unknown` before the first answer.
    public var state: String
    public var lastSuccessMs: Int64?
    public var lastError: String?
    public var consecutiveErrors: Int
    public var nextAttemptMs: Int64?
    public var requests: Int
    public var errors: Int
    public var latencySumMs: Double
    public var latencyCount: Int
    /// Per error class (`rate_limited`, `timeout`, …) counts, for the metrics.
    public var errorsByClass: [String: Int]

    public init(name: String, kind: String) {
        self.name = name
        self.kind = kind
        state = "unknown"
        consecutiveErrors = 0
        requests = 0
        errors = 0
        latencySumMs = 0
        latencyCount = 0
        errorsByClass = [:]
    }
}

/// A source's condition as `/v1/health` and metrics show it. Codable with snake_case keys, so it
/// can be encoded straight into the health JSON.
public struct SourceHealth: Sendable, Equatable, Codable {
    /// Raw values are the strings `/v1/health` prints.
    public enum State: String, Sendable, Equatable, Codable, CaseIterable {
        /// The last request succeeded (or none failed yet).
        case ok
        /// The last request failed; the next one waits for the backoff delay.
        case backoff
        /// HTTP 451/403: the venue refuses us; no requests until `nextAttemptMs`.
        case quarantined
        /// The venue said we were too fast (429 or a `rate_limited` error); waiting as it asked.
        case rateLimited = "rate_limited"
    }

    public var source: String
    public var state: State
    /// Time of the last success (the caller's clock, ms), nil before the first.
    public var lastSuccessMs: Int64?
    /// Human-readable cause of the last failure, nil before the first.
    public var lastError: String?
    public var lastErrorMs: Int64?
    /// Failures since the last success; drives the backoff exponent.
    public var consecutiveErrors: Int
    /// Earliest time the schedule allows the next request (rate limit, backoff, Retry-After, quarantine).
    public var nextAttemptMs: Int64
    /// Why the source is quarantined, while it is.
    public var quarantineReason: String?
    /// Requests granted by the schedule since it was created.
    public var requests: Int
    /// Failures recorded since the schedule was created.
    public var errors: Int
    /// Latency of the last successful request, ms.
    public var lastLatencyMs: Int64?

    public init(source: String, state: State = .ok, lastSuccessMs: Int64? = nil, lastError: String? = nil,
                lastErrorMs: Int64? = nil, consecutiveErrors: Int = 0, nextAttemptMs: Int64 = 0,
                quarantineReason: String? = nil, requests: Int = 0, errors: Int = 0, lastLatencyMs: Int64? = nil) {
        self.source = source
        self.state = state
        self.lastSuccessMs = lastSuccessMs
        self.lastError = lastError
        self.lastErrorMs = lastErrorMs
        self.consecutiveErrors = consecutiveErrors
        self.nextAttemptMs = nextAttemptMs
        self.quarantineReason = quarantineReason
        self.requests = requests
        self.errors = errors
        self.lastLatencyMs = lastLatencyMs
    }

    enum CodingKeys: String, CodingKey {
        case source, state, requests, errors
        case lastSuccessMs = "last_success_ms"
        case lastError = "last_error"
        case lastErrorMs = "last_error_ms"
        case consecutiveErrors = "consecutive_errors"
        case nextAttemptMs = "next_attempt_ms"
        case quarantineReason = "quarantine_reason"
        case lastLatencyMs = "last_latency_ms"
    }
}

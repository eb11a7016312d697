import OracleCore

/// When one source may be asked again: its token bucket, backoff after errors, the venue's own
/// `Retry-After`, and quarantine after a legal or access block. A pure value: time comes in as
/// milliseconds on the caller's monotonic clock, randomness through the injected jitter source,
/// so every rule is testable without waiting.
///
/// One schedule per source, shared by all pairs that source serves: venues limit requests per
/// client, not per symbol. The owner asks ``tryAcquire(nowMs:)`` before each request (or sleeps
/// until ``nextAllowedMs(nowMs:)``) and reports the outcome with ``recordSuccess(nowMs:latencyMs:)``
/// or one of the `recordFailure` methods.
///
/// Rules, in the order they bind:
/// - **Quarantine**: HTTP 451, or 403 unless the venue error says `rate_limited`, keeps the source
///   out for `quarantineMs` (hammering a venue that blocks our region or IP gets us banned for longer).
/// - **Retry-After / reset hint**: the venue's own wait is honoured, bounded by
///   `max(backoffMaxMs, quarantineMs)` so a garbage header cannot disable a source for years.
/// - **418 ban** without `Retry-After`: ``banWithoutRetryAfterMs``.
/// - **Backoff**: after each failure, ``backoffDelayMs(consecutiveErrors:baseMs:capMs:jitter:)``,
///   capped at `backoffMaxMs` (8 s by default) so a venue is retried within seconds of recovering.
///   A success resets it. Errors about one pair (`unknown_symbol`) back off the whole source too:
///   asking again faster would not help, and a success on another pair resets it anyway.
/// - **Token bucket**: `rateLimitPerSecond` sustained, `rateLimitBurst` at once.
public struct SourceSchedule: Sendable {
    /// Returns a value in [−1, 1]; injected so tests can pin the jitter.
    public typealias Jitter = @Sendable () -> Double

    public let source: String
    public let backoffBaseMs: Int64
    public let backoffMaxMs: Int64
    public let quarantineMs: Int64

    private var bucket: TokenBucket
    private let jitter: Jitter
    /// No request before this (backoff or the venue's Retry-After).
    private var holdUntilMs: Int64 = .min
    private var quarantineUntilMs: Int64 = .min
    private var quarantineReason: String?
    private var lastFailureWasRateLimit = false
    /// Latest time any method was called with; ``health`` reports as of then.
    private var latestNowMs: Int64 = 0
    private var consecutiveErrors = 0
    private var requests = 0
    private var errors = 0
    private var lastSuccessMs: Int64?
    private var lastLatencyMs: Int64?
    private var lastError: String?
    private var lastErrorMs: Int64?

    /// Wait after a 418 ban without `Retry-After` (Binance's shortest ban).
    public static let banWithoutRetryAfterMs: Int64 = 120_000

    /// - Parameter jitter: defaults to the system random generator; pass a constant in tests.
    public init(spec: SourceSpec, jitter: @escaping Jitter = { Double.random(in: -1...1) }) {
        self.source = spec.name
        self.backoffBaseMs = spec.backoffBaseMs
        self.backoffMaxMs = spec.backoffMaxMs
        self.quarantineMs = max(0, spec.quarantineMs)
        self.bucket = TokenBucket(ratePerSecond: spec.rateLimitPerSecond, burst: spec.rateLimitBurst)
        self.jitter = jitter
    }

    /// Earliest time a request may be made (≥ `nowMs`), considering every rule above.
    public mutating func nextAllowedMs(nowMs: Int64) -> Int64 {
        observe(nowMs)
        bucket.refill(nowMs: nowMs)
        return computeNextAllowed(nowMs: nowMs)
    }

    /// Takes a token and counts a request if every rule allows one now; false means "not yet".
    public mutating func tryAcquire(nowMs: Int64) -> Bool {
        observe(nowMs)
        guard nowMs >= quarantineUntilMs, nowMs >= holdUntilMs else { return false }
        guard bucket.tryTake(nowMs: nowMs) else { return false }
        requests += 1
        return true
    }

    /// A usable answer arrived: clears the backoff and the failure streak (not a quarantine,
    /// which only time lifts: one lucky answer does not mean the block is gone).
    public mutating func recordSuccess(nowMs: Int64, latencyMs: Int64) {
        observe(nowMs)
        consecutiveErrors = 0
        holdUntilMs = .min
        lastFailureWasRateLimit = false
        lastSuccessMs = nowMs
        lastLatencyMs = max(0, latencyMs)
    }

    /// The venue answered, but not with a quote: an HTTP error status and/or the adapter's
    /// classification of the body (whose `retryAfterSeconds`/`resetHintMs` are honoured).
    public mutating func recordFailure(httpStatus: Int?, error: VenueError?, nowMs: Int64) {
        var parts: [String] = []
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let error { parts.append(error.description) }
        var waitMs: Int64 = 0
        if let seconds = error?.retryAfterSeconds, seconds > 0 {
            waitMs = SaturatingMs.clampedMs(Double(seconds) * 1_000)
        }
        if let hint = error?.resetHintMs, hint > waitMs { waitMs = hint }
        // A 418 is Binance's IP ban (2 min to 3 days, escalating with every request made during it);
        // when it comes without a Retry-After, wait the shortest documented ban rather than the
        // transient cap, which would only lengthen it.
        if httpStatus == 418 { waitMs = max(waitMs, Self.banWithoutRetryAfterMs) }
        let rateLimited = httpStatus == 429 || error?.errorClass == .rateLimited
        var quarantine: String?
        if httpStatus == 451 {
            quarantine = "HTTP 451 Unavailable For Legal Reasons: the venue refuses this region; use another source or route"
        } else if httpStatus == 403, error?.errorClass != .rateLimited {
            quarantine = "HTTP 403 Forbidden: the venue blocks this client (IP, region or User-Agent); check access before re-enabling"
        }
        apply(nowMs: nowMs, message: parts.isEmpty ? "unknown failure" : parts.joined(separator: ": "),
              venueWaitMs: waitMs, rateLimited: rateLimited, quarantine: quarantine)
    }

    /// No HTTP answer at all (timeout, connection refused, TLS, oversized body …).
    public mutating func recordFailure(_ error: FetchError, nowMs: Int64) {
        apply(nowMs: nowMs, message: error.description, venueWaitMs: 0, rateLimited: false, quarantine: nil)
    }

    /// Health as of the latest time passed to any method.
    public var health: SourceHealth { health(nowMs: latestNowMs) }

    /// Health as of `nowMs` (a quarantine or backoff that has run out no longer shows).
    public func health(nowMs: Int64) -> SourceHealth {
        let state: SourceHealth.State
        if nowMs < quarantineUntilMs {
            state = .quarantined
        } else if consecutiveErrors == 0 {
            state = .ok
        } else {
            state = lastFailureWasRateLimit ? .rateLimited : .backoff
        }
        return SourceHealth(source: source, state: state, lastSuccessMs: lastSuccessMs, lastError: lastError,
                            lastErrorMs: lastErrorMs, consecutiveErrors: consecutiveErrors,
                            nextAttemptMs: computeNextAllowed(nowMs: nowMs),
                            quarantineReason: state == .quarantined ? quarantineReason : nil,
                            requests: requests, errors: errors, lastLatencyMs: lastLatencyMs)
    }

    private mutating func observe(_ nowMs: Int64) {
        latestNowMs = max(latestNowMs, nowMs)
    }

    private func computeNextAllowed(nowMs: Int64) -> Int64 {
        max(nowMs, holdUntilMs, quarantineUntilMs, bucket.nextTokenMs(nowMs: nowMs))
    }

    private mutating func apply(nowMs: Int64, message: String, venueWaitMs: Int64, rateLimited: Bool, quarantine: String?) {
        observe(nowMs)
        errors += 1
        consecutiveErrors += 1
        lastError = message
        lastErrorMs = nowMs
        lastFailureWasRateLimit = rateLimited
        let backoff = Self.backoffDelayMs(consecutiveErrors: consecutiveErrors, baseMs: backoffBaseMs,
                                          capMs: backoffMaxMs, jitter: jitter())
        let venueBound = max(backoffMaxMs, quarantineMs)
        let wait = max(backoff, min(venueWaitMs, venueBound))
        holdUntilMs = max(holdUntilMs, SaturatingMs.adding(nowMs, wait))
        if let quarantine {
            quarantineUntilMs = max(quarantineUntilMs, SaturatingMs.adding(nowMs, quarantineMs))
            quarantineReason = quarantine + " (\(message))"
        }
    }
}

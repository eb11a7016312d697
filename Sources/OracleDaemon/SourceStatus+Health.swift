import OracleCore
import OracleFetch

extension SourceStatus {
    /// Takes the schedule's view (state, last success, backoff) while keeping the daemon's own counters.
    /// `h` is on the schedule's (monotonic) clock; `wallOffsetMs` turns its instants into Unix ms.
    mutating func apply(_ h: SourceHealth, wallOffsetMs: Int64 = 0) {
        state = h.state.rawValue
        lastSuccessMs = h.lastSuccessMs.map { $0 + wallOffsetMs }
        lastError = h.quarantineReason ?? h.lastError
        consecutiveErrors = h.consecutiveErrors
        nextAttemptMs = h.nextAttemptMs + wallOffsetMs
    }

    /// One source in `/v1/health` (`sources[]` for prices, `vol_sources[]` for `[[vol]]`): one shape for both.
    func healthJSON(nowMs: Int64) -> JSON {
        .object([
            ("name", .string(name)),
            ("kind", .string(kind)),
            ("state", .string(state)),
            ("last_success", lastSuccessMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("consecutive_errors", .int(consecutiveErrors)),
            ("last_error", .optional(lastError)),
            ("next_attempt_ms", nextAttemptMs.map { .int(max(0, $0 - nowMs)) } ?? .null),
            ("requests", .int(requests)),
            ("errors", .int(errors)),
        ])
    }
}

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
}

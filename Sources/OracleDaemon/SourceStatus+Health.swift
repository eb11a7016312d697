import OracleFetch

extension SourceStatus {
    /// Takes the schedule's view (state, last success, backoff) while keeping the daemon's own counters.
    mutating func apply(_ h: SourceHealth) {
        state = h.state.rawValue
        lastSuccessMs = h.lastSuccessMs
        lastError = h.quarantineReason ?? h.lastError
        consecutiveErrors = h.consecutiveErrors
        nextAttemptMs = h.nextAttemptMs
    }
}

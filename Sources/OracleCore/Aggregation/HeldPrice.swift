/// The last price a pair computed from fresh quotes, kept so a short outage reports `stale`
/// with that value (and its own time, never a fresh one) instead of dropping straight to
/// `unavailable`.
struct HeldPrice: Sendable, Equatable {
    var price: Double
    var confidence: Double
    /// When it was computed (Unix ms); the hold window counts from here.
    var updatedAtMs: Int64
}

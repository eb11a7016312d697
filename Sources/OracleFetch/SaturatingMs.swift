/// Saturating millisecond arithmetic shared by the schedule types: venue-supplied numbers
/// (Retry-After, reset hints) must never trap on overflow.
enum SaturatingMs {
    /// About 31 years: far enough to mean "not in this process's lifetime", small enough to add safely.
    static let maxDelayMs: Int64 = 1_000_000_000_000

    static func clampedMs(_ value: Double) -> Int64 {
        guard value.isFinite else { return value > 0 ? maxDelayMs : 0 }
        if value <= 0 { return 0 }
        if value >= Double(maxDelayMs) { return maxDelayMs }
        return Int64(value)
    }

    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int64.max : Int64.min) : sum
    }
}

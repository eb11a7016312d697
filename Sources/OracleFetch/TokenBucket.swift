/// A token bucket over integer milliseconds: `burst` tokens at most, refilled at `ratePerSecond`.
///
/// Why a bucket rather than a fixed interval: a source serves several pairs, and a poll cycle asks
/// for all of them at once; the burst lets one cycle go out together while the rate still bounds
/// the long-run request count to `burst + rate × elapsed seconds`, which is what venues' published
/// limits measure. Time only moves forward here: an earlier `nowMs` than the last one refills nothing.
public struct TokenBucket: Sendable, Equatable {
    /// Sustained tokens per second; values that are not positive and finite are treated as
    /// one token per hour, so a bad configuration slows the source down rather than trapping.
    public let ratePerSecond: Double
    /// Bucket size (at least 1, or no request could ever be made).
    public let burst: Int
    public private(set) var tokens: Double
    private var lastRefillMs: Int64?

    public init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = (ratePerSecond.isFinite && ratePerSecond > 0) ? ratePerSecond : 1.0 / 3_600
        self.burst = max(1, burst)
        self.tokens = Double(self.burst)
    }

    /// Adds the tokens earned since the last call. The bucket starts full at the first call.
    public mutating func refill(nowMs: Int64) {
        guard let last = lastRefillMs else {
            lastRefillMs = nowMs
            return
        }
        guard nowMs > last else { return }
        let earned = Double(nowMs - last) * ratePerSecond / 1_000
        tokens = min(Double(burst), tokens + earned)
        lastRefillMs = nowMs
    }

    /// Takes one token if there is one.
    public mutating func tryTake(nowMs: Int64) -> Bool {
        refill(nowMs: nowMs)
        // A hair of tolerance so 0.9999999 tokens after exact refills still count as one.
        guard tokens >= 1 - 1e-9 else { return false }
        tokens = max(0, tokens - 1)
        return true
    }

    /// Earliest time at which a token will be available, without changing the bucket.
    public func nextTokenMs(nowMs: Int64) -> Int64 {
        var copy = self
        copy.refill(nowMs: nowMs)
        if copy.tokens >= 1 - 1e-9 { return nowMs }
        let waitMs = ((1 - copy.tokens) * 1_000 / ratePerSecond).rounded(.up)
        return SaturatingMs.adding(nowMs, SaturatingMs.clampedMs(waitMs))
    }
}

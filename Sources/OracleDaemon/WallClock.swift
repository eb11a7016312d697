#if canImport(Glibc)
import Glibc
#endif

/// The daemon's one reading of real time. The core never reads a clock; the edges pass this value in.
public enum WallClock {
    public static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Unix ms that moves with the monotonic clock from the first reading on, so a wall-clock step
    /// after start-up (NTP stepping, an operator's `date -s`) does not move it. The margin trigger
    /// judges call deadlines, `since` and notice times on it: a forward step can then never expire a
    /// call early, nor a backward one prolong it. (Quote staleness stays on the wall clock, against
    /// the venues' own timestamps.) Anchored once per process; a restart re-anchors on the wall clock.
    public static func steadyNowMs() -> Int64 {
        let a = steadyAnchor
        return a.wallMs + Int64((monotonicMs() - a.monoMs).rounded())
    }

    private static let steadyAnchor: (wallMs: Int64, monoMs: Double) = (nowMs(), monotonicMs())

    /// Monotonic milliseconds, for durations (cycle time, latency): immune to NTP steps.
    public static func monotonicMs() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }
}

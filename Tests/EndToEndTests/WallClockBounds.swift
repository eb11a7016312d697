import Foundation

/// Wall-clock bounds of the end-to-end tests, each derived from what it bounds (issue 9, "Tests
/// that say what they did"). Every bound below is written as configured interval + explicit
/// headroom, and stays tight enough that the wrong behaviour it guards against still fails it.
///
/// The machine they must hold on is a loaded 2-core box: the daemon, the fake venue, the test
/// process and up to three concurrent `swift build`s share two cores. There a socket answer that
/// takes ~2 ms idle takes up to a few hundred ms, and a timer due in 100 ms may fire 250 ms late.
enum WallClockBounds {
    /// Scheduling delay allowed for any one wake-up or round trip on the loaded machine.
    static let jitterSeconds = 0.25

    /// A well-behaved client's answer while the socket is abused, venues misbehave or the config
    /// reloads: idle it is ~2 ms of work; allow a connect and a response each delayed by
    /// `jitterSeconds`, twice over = 1 s. A server that serialised clients behind slow or idle ones
    /// would answer only when the daemon's request timeout (10 s) closes them, and one that answered
    /// between poll cycles would wait on fetches of up to `StressConfig.timeout` (1 s) plus the poll
    /// interval: both exceed it.
    static let promptAnswerSeconds = 4 * jitterSeconds

    /// Requests a token bucket of `rate`/s and `burst` may show in any window of `windowMs`, as the
    /// fake venue timestamps them on arrival: rate · (W + slack) + burst, where the slack is the
    /// jitter (a request sent on time may arrive up to that late, bunching with the next). With
    /// the defaults in use (20/s burst 5, 2/s burst 2) a bucket running at twice its rate exceeds
    /// this in every window ≥ 1 s: 2·20·1 + 5 = 45 > 20·1.25 + 5 = 30; 2·2·1 + 2 = 6 > 2·1.25 + 2 = 4.
    static func tokenBucketMax(rate: Double, burst: Int, windowMs: Int64) -> Int {
        Int(rate * (Double(windowMs) / 1000 + jitterSeconds)) + burst
    }
}

import Foundation
import OracleCore
import OracleFetch
import Testing
@testable import OracleDaemon
#if canImport(Glibc)
import Glibc
#endif

/// Fetch schedules must run on a monotonic clock: a wall-clock step must not stop a source.
@Suite struct ScheduleClockTests {
    static let spec = SourceSpec(name: "kraken", kind: .kraken, baseURL: "https://api.kraken.com",
                                 rateLimitPerSecond: 2, rateLimitBurst: 2, quarantineMs: 600_000,
                                 backoffBaseMs: 1_000, backoffMaxMs: 60_000)

    /// The time PollService hands the schedules (`WallClock.monotonicMs`) is CLOCK_MONOTONIC, read
    /// independently here; CLOCK_REALTIME (what a `date -s` or an NTP step moves) is decades away.
    @Test func scheduleTimeIsCLOCK_MONOTONIC() {
        func read(_ clock: clockid_t) -> Double {
            var ts = timespec()
            clock_gettime(clock, &ts)
            return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
        }
        let before = read(CLOCK_MONOTONIC)
        let ours = WallClock.monotonicMs()
        let after = read(CLOCK_MONOTONIC)
        #expect(ours >= before && ours <= after, "monotonicMs \(ours) not between two CLOCK_MONOTONIC readings \(before)…\(after)")
        #expect(abs(read(CLOCK_REALTIME) - ours) > 86_400_000, "monotonicMs looks like the wall clock")
    }

    /// What a step costs a schedule: fed a wall clock stepped back an hour, a drained bucket grants
    /// nothing until the clock catches up (an hour of a dead source); fed monotonic time, which the
    /// step does not move, it refills at its rate. This is why the poll loop passes monotonic time.
    @Test func aBackwardStepStarvesOnlyAWallFedSchedule() {
        let t0: Int64 = 1_800_000_000_000
        var wallFed = SourceSchedule(spec: Self.spec, jitter: { 0 })
        #expect(wallFed.tryAcquire(nowMs: t0) && wallFed.tryAcquire(nowMs: t0))
        let stepped = t0 - 3_600_000
        let wallGrants = (1...20).filter { i in wallFed.tryAcquire(nowMs: stepped + Int64(i) * 500) }.count
        #expect(wallGrants == 0, "expected a wall-fed bucket to starve after a backward step, got \(wallGrants) grants")

        let m0: Int64 = 5_000_000
        var monoFed = SourceSchedule(spec: Self.spec, jitter: { 0 })
        #expect(monoFed.tryAcquire(nowMs: m0) && monoFed.tryAcquire(nowMs: m0))
        // Ten seconds pass in real (monotonic) time while the wall clock jumps back: 2/s → 20 grants.
        let monoGrants = (1...20).filter { i in monoFed.tryAcquire(nowMs: m0 + Int64(i) * 500) }.count
        #expect(monoGrants == 20)
    }

    @Test func livenessIsAliveUntilAPartDies() {
        let liveness = PartLiveness()
        #expect(liveness.allAlive)
        liveness.markDead("fetch loop thread")
        liveness.markDead("fetch loop thread")
        #expect(!liveness.allAlive)
        #expect(liveness.deadParts == ["fetch loop thread"])
    }
}

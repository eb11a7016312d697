import OracleCore
import Testing
@testable import OracleFetch

/// Issue 9: a venue that recovers after an outage is asked again within seconds, whatever the
/// outage's length; only waits the venue asks for (or a quarantine) are longer. Time is simulated:
/// a caller polls every 100 ms, every allowed request fails until the outage ends, then succeeds.
@Suite struct SourceRecoveryTests {
    /// The defaults an operator gets without `backoff_base`/`backoff_max` in oracles.toml.
    func defaultSpec() -> SourceSpec {
        SourceSpec(name: "coinbase", kind: .coinbase, baseURL: "http://127.0.0.1:1", rateLimitPerSecond: 3, rateLimitBurst: 5)
    }

    /// Runs an outage of `outageMs` (every request in it fails with `fail`) and returns how long
    /// after its end the first request went out.
    func recoveryDelay(outageMs: Int64, jitter: Double, fail: (inout SourceSchedule, Int64) -> Void) -> Int64 {
        var schedule = SourceSchedule(spec: defaultSpec(), jitter: { jitter })
        var now: Int64 = 1_000_000
        let end = now + outageMs
        while true {
            if schedule.tryAcquire(nowMs: now) {
                if now < end { fail(&schedule, now) } else {
                    schedule.recordSuccess(nowMs: now, latencyMs: 50)
                    return now - end
                }
            }
            now += 100
        }
    }

    @Test(arguments: [Int64(10_000), Int64(60_000), Int64(600_000), Int64(6 * 3_600_000)])
    func transientOutagesOfAnyLengthRecoverWithinTenSeconds(outageMs: Int64) {
        let failures: [(String, (inout SourceSchedule, Int64) -> Void)] = [
            ("503", { $0.recordFailure(httpStatus: 503, error: VenueError(.unavailable, "Service Unavailable"), nowMs: $1) }),
            ("502 HTML", { $0.recordFailure(httpStatus: 502, error: VenueError(.other, "not JSON: <html>"), nowMs: $1) }),
            ("timeout", { $0.recordFailure(FetchError(.timeout, "operation timed out after 5000 ms"), nowMs: $1) }),
            ("reset", { $0.recordFailure(FetchError(.other, "Recv failure: Connection reset by peer"), nowMs: $1) }),
        ]
        for (name, fail) in failures {
            for jitter in [-1.0, 0, 1] {
                let delay = recoveryDelay(outageMs: outageMs, jitter: jitter, fail: fail)
                // Cap 8 s, +20 % jitter bounded by the cap, plus one 100 ms polling step.
                #expect(delay <= 8_100, "\(name), outage \(outageMs) ms, jitter \(jitter): first retry \(delay) ms after recovery")
            }
        }
    }

    @Test func defaultCapIsAtMostTenSeconds() {
        #expect(defaultSpec().backoffMaxMs <= 10_000)
        for n in 1...200 {
            #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: n, baseMs: 1_000, capMs: defaultSpec().backoffMaxMs, jitter: 1) <= 10_000)
        }
    }

    @Test func venueRequestedWaitsStayLongerThanTheTransientCap() {
        var schedule = SourceSchedule(spec: defaultSpec(), jitter: { 0 })
        schedule.recordFailure(httpStatus: 429, error: VenueError(.rateLimited, "slow down", retryAfterSeconds: 120), nowMs: 0)
        #expect(schedule.nextAllowedMs(nowMs: 0) == 120_000)

        var banned = SourceSchedule(spec: defaultSpec(), jitter: { 0 })
        banned.recordFailure(httpStatus: 418, error: VenueError(.rateLimited, "IP banned"), nowMs: 0)
        #expect(banned.nextAllowedMs(nowMs: 0) == SourceSchedule.banWithoutRetryAfterMs)

        var reset = SourceSchedule(spec: defaultSpec(), jitter: { 0 })
        reset.recordFailure(httpStatus: 429, error: VenueError(.rateLimited, "window", resetHintMs: 45_000), nowMs: 0)
        #expect(reset.nextAllowedMs(nowMs: 0) == 45_000)

        var blocked = SourceSchedule(spec: defaultSpec(), jitter: { 0 })
        blocked.recordFailure(httpStatus: 451, error: nil, nowMs: 0)
        #expect(blocked.nextAllowedMs(nowMs: 0) == defaultSpec().quarantineMs)
    }
}

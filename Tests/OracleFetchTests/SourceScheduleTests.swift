import Foundation
import OracleCore
import Testing
@testable import OracleFetch

@Suite struct SourceScheduleTests {
    func spec(rate: Double = 2, burst: Int = 3, base: Int64 = 1_000, cap: Int64 = 60_000,
              quarantine: Int64 = 600_000) -> SourceSpec {
        SourceSpec(name: "kraken", kind: .kraken, baseURL: "https://api.kraken.com",
                   rateLimitPerSecond: rate, rateLimitBurst: burst, quarantineMs: quarantine,
                   backoffBaseMs: base, backoffMaxMs: cap)
    }

    @Test func burstIsAvailableAtOnceThenRateApplies() {
        var schedule = SourceSchedule(spec: spec(rate: 2, burst: 3), jitter: { 0 })
        let t0: Int64 = 50_000
        #expect(schedule.tryAcquire(nowMs: t0) == true)
        #expect(schedule.tryAcquire(nowMs: t0) == true)
        #expect(schedule.tryAcquire(nowMs: t0) == true)
        #expect(schedule.tryAcquire(nowMs: t0) == false)
        // 2 per second: the next token is due 500 ms later, not before.
        #expect(schedule.nextAllowedMs(nowMs: t0) == t0 + 500)
        #expect(schedule.tryAcquire(nowMs: t0 + 499) == false)
        #expect(schedule.tryAcquire(nowMs: t0 + 500) == true)
        #expect(schedule.tryAcquire(nowMs: t0 + 500) == false)
        // A long pause refills only up to the burst.
        for _ in 0..<3 { #expect(schedule.tryAcquire(nowMs: t0 + 100_000) == true) }
        #expect(schedule.tryAcquire(nowMs: t0 + 100_000) == false)
        #expect(schedule.health.requests == 7)
    }

    @Test(arguments: [(5.0, 2), (0.5, 1), (3.0, 4), (10.0, 10)])
    func neverExceedsTheLimitOverASimulatedMinute(rate: Double, burst: Int) {
        var schedule = SourceSchedule(spec: spec(rate: rate, burst: burst), jitter: { 0 })
        var grants: [Int64] = []
        // A greedy caller asking every millisecond for a minute.
        for now in Int64(0)...60_000 where schedule.tryAcquire(nowMs: now) {
            grants.append(now)
        }
        let ceiling = Double(burst) + rate * 60
        #expect(Double(grants.count) <= ceiling)
        #expect(Double(grants.count) >= ceiling - 1, "a greedy caller gets (almost) all it is allowed")
        // And no window of any length holds more than burst + rate·window.
        for (i, start) in grants.enumerated() {
            for j in stride(from: i, to: min(grants.count, i + 40), by: 1) {
                let windowMs = Double(grants[j] - start)
                #expect(Double(j - i + 1) <= Double(burst) + rate * windowMs / 1_000 + 1e-6)
            }
        }
    }

    @Test func nextAllowedIsWhenTryAcquireSucceeds() {
        var schedule = SourceSchedule(spec: spec(rate: 3, burst: 1), jitter: { 0 })
        var now: Int64 = 1_000
        var count = 0
        while count < 20 {
            let next = schedule.nextAllowedMs(nowMs: now)
            #expect(next >= now)
            if next > now { #expect(schedule.tryAcquire(nowMs: next - 1) == false) }
            #expect(schedule.tryAcquire(nowMs: next) == true)
            now = next
            count += 1
        }
        // 1 token at once, then 3 per second: 20 grants need at least 19/3 s.
        #expect(now - 1_000 >= 6_333)
        #expect(now - 1_000 <= 6_350)
    }

    @Test func backoffGrowsAndCapsWithFixedJitter() {
        var schedule = SourceSchedule(spec: spec(rate: 1_000, burst: 1_000, base: 1_000, cap: 60_000), jitter: { 0 })
        var now: Int64 = 10_000
        var waits: [Int64] = []
        for _ in 0..<9 {
            schedule.recordFailure(FetchError(.timeout, "Operation timed out (host api.kraken.com)"), nowMs: now)
            let next = schedule.nextAllowedMs(nowMs: now)
            waits.append(next - now)
            #expect(schedule.tryAcquire(nowMs: next - 1) == false)
            #expect(schedule.tryAcquire(nowMs: next) == true)
            now = next
        }
        #expect(waits == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000])
        let health = schedule.health
        #expect(health.state == .backoff)
        #expect(health.consecutiveErrors == 9)
        #expect(health.errors == 9)
        #expect(health.lastError?.contains("timeout") == true)
    }

    @Test func jitterStaysWithinTwentyPercentAndUnderTheCap() {
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 3, baseMs: 1_000, capMs: 300_000, jitter: 1) == 4_800)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 3, baseMs: 1_000, capMs: 300_000, jitter: -1) == 3_200)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 9, baseMs: 1_000, capMs: 300_000, jitter: 1) == 300_000)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 12, baseMs: 1_000, capMs: 300_000, jitter: -1) == 240_000)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 1, baseMs: 1_000, capMs: 300_000, jitter: 7) == 1_200)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 1, baseMs: 1_000, capMs: 300_000, jitter: .nan) == 1_000)
        // Huge exponents and odd configurations neither trap nor go negative.
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: .max, baseMs: .max, capMs: .max, jitter: 1) > 0)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 0, baseMs: 1_000, capMs: 300_000, jitter: 0) == 0)
        #expect(SourceSchedule.backoffDelayMs(consecutiveErrors: 5, baseMs: 0, capMs: 300_000, jitter: 0) == 0)
        // The injected jitter is what the schedule uses.
        var schedule = SourceSchedule(spec: spec(rate: 100, burst: 100, base: 1_000, cap: 60_000), jitter: { 0.5 })
        schedule.recordFailure(httpStatus: 502, error: nil, nowMs: 0)
        #expect(schedule.nextAllowedMs(nowMs: 0) == 1_100)
    }

    @Test func retryAfterIsHonouredBeyondTheBackoff() {
        var schedule = SourceSchedule(spec: spec(rate: 100, burst: 100), jitter: { 0 })
        let now: Int64 = 5_000
        let error = VenueError(.rateLimited, "Too Many Requests", retryAfterSeconds: 30)
        schedule.recordFailure(httpStatus: 429, error: error, nowMs: now)
        #expect(schedule.nextAllowedMs(nowMs: now) == now + 30_000)
        #expect(schedule.tryAcquire(nowMs: now + 29_999) == false)
        let health = schedule.health(nowMs: now + 1)
        #expect(health.state == .rateLimited)
        #expect(health.nextAttemptMs == now + 30_000)
        #expect(schedule.tryAcquire(nowMs: now + 30_000) == true)
        schedule.recordSuccess(nowMs: now + 30_100, latencyMs: 100)
        #expect(schedule.health.state == .ok)
    }

    @Test func resetHintIsHonouredAndAbsurdHintsAreBounded() {
        var schedule = SourceSchedule(spec: spec(rate: 100, burst: 100, cap: 60_000, quarantine: 600_000), jitter: { 0 })
        schedule.recordFailure(httpStatus: 429, error: VenueError(.rateLimited, "window", resetHintMs: 7_500), nowMs: 0)
        #expect(schedule.nextAllowedMs(nowMs: 0) == 7_500)
        // A shorter hint than the backoff does not shorten the backoff.
        schedule.recordSuccess(nowMs: 8_000, latencyMs: 10)
        schedule.recordFailure(httpStatus: 429, error: VenueError(.rateLimited, "tiny", resetHintMs: 10), nowMs: 8_000)
        #expect(schedule.nextAllowedMs(nowMs: 8_000) == 9_000)
        // Retry-After of ten years is bounded by max(backoff cap, quarantine).
        schedule.recordSuccess(nowMs: 10_000, latencyMs: 10)
        schedule.recordFailure(httpStatus: 503, error: VenueError(.unavailable, "maintenance", retryAfterSeconds: 315_360_000), nowMs: 10_000)
        #expect(schedule.nextAllowedMs(nowMs: 10_000) == 610_000)
        #expect(schedule.health.state == .backoff)
    }

    @Test func http451QuarantinesUntilTheQuarantineEnds() {
        var schedule = SourceSchedule(spec: spec(rate: 10, burst: 5, quarantine: 3_600_000), jitter: { 0 })
        let now: Int64 = 1_000
        #expect(schedule.tryAcquire(nowMs: now) == true)
        schedule.recordFailure(httpStatus: 451, error: VenueError(.other, "Service unavailable from a restricted location"), nowMs: now)
        var health = schedule.health
        #expect(health.state == .quarantined)
        #expect(health.quarantineReason?.contains("451") == true)
        #expect(health.nextAttemptMs == now + 3_600_000)
        #expect(schedule.tryAcquire(nowMs: now + 3_599_999) == false)
        // A stray success does not lift the block.
        schedule.recordSuccess(nowMs: now + 10, latencyMs: 5)
        #expect(schedule.health(nowMs: now + 20).state == .quarantined)
        // Recovery: once the quarantine has run out requests flow again.
        #expect(schedule.tryAcquire(nowMs: now + 3_600_000) == true)
        schedule.recordSuccess(nowMs: now + 3_600_050, latencyMs: 50)
        health = schedule.health
        #expect(health.state == .ok)
        #expect(health.quarantineReason == nil)
        #expect(health.lastLatencyMs == 50)
    }

    @Test func http403QuarantinesUnlessItIsARateLimit() {
        var blocked = SourceSchedule(spec: spec(quarantine: 900_000), jitter: { 0 })
        blocked.recordFailure(httpStatus: 403, error: nil, nowMs: 0)
        #expect(blocked.health.state == .quarantined)
        #expect(blocked.nextAllowedMs(nowMs: 0) == 900_000)

        var throttled = SourceSchedule(spec: spec(base: 1_000, quarantine: 900_000), jitter: { 0 })
        throttled.recordFailure(httpStatus: 403, error: VenueError(.rateLimited, "WAF limit", retryAfterSeconds: 5), nowMs: 0)
        #expect(throttled.health.state == .rateLimited)
        #expect(throttled.nextAllowedMs(nowMs: 0) == 5_000)
    }

    @Test func successResetsTheBackoff() {
        var schedule = SourceSchedule(spec: spec(rate: 100, burst: 100, base: 1_000, cap: 60_000), jitter: { 0 })
        for i in 0..<4 { schedule.recordFailure(httpStatus: 500, error: nil, nowMs: Int64(i)) }
        #expect(schedule.nextAllowedMs(nowMs: 3) == 3 + 8_000)
        schedule.recordSuccess(nowMs: 20_000, latencyMs: 42)
        #expect(schedule.health.state == .ok)
        #expect(schedule.health.consecutiveErrors == 0)
        #expect(schedule.nextAllowedMs(nowMs: 20_000) == 20_000)
        // The streak starts over: the next failure waits the base delay again.
        schedule.recordFailure(httpStatus: 500, error: nil, nowMs: 21_000)
        #expect(schedule.nextAllowedMs(nowMs: 21_000) == 22_000)
        let health = schedule.health
        #expect(health.errors == 5)
        #expect(health.lastSuccessMs == 20_000)
        #expect(health.lastLatencyMs == 42)
        #expect(health.lastError == "HTTP 500")
    }

    @Test func badConfigurationNeverTraps() {
        var schedule = SourceSchedule(spec: spec(rate: .nan, burst: 0, base: -5, cap: -1, quarantine: -1), jitter: { .infinity })
        #expect(schedule.tryAcquire(nowMs: 0) == true)
        #expect(schedule.tryAcquire(nowMs: 1) == false)
        #expect(schedule.nextAllowedMs(nowMs: 1) > 1)
        schedule.recordFailure(httpStatus: 451, error: VenueError(.rateLimited, "x", retryAfterSeconds: .max, resetHintMs: .max), nowMs: .max - 10)
        #expect(schedule.nextAllowedMs(nowMs: .max - 10) >= .max - 10)
        // Time going backwards refills nothing and does not crash.
        var bucket = TokenBucket(ratePerSecond: 1, burst: 1)
        #expect(bucket.tryTake(nowMs: 10_000) == true)
        #expect(bucket.tryTake(nowMs: 5_000) == false)
    }

    @Test func healthEncodesAsSnakeCaseJSON() throws {
        var schedule = SourceSchedule(spec: spec(), jitter: { 0 })
        _ = schedule.tryAcquire(nowMs: 100)
        schedule.recordFailure(httpStatus: 429, error: VenueError(.rateLimited, "slow down", retryAfterSeconds: 2), nowMs: 200)
        let data = try JSONEncoder().encode(schedule.health)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["state"] as? String == "rate_limited")
        #expect(object["source"] as? String == "kraken")
        #expect(object["consecutive_errors"] as? Int == 1)
        #expect(object["next_attempt_ms"] as? Int == 2_200)
        #expect(object["requests"] as? Int == 1)
        #expect((object["last_error"] as? String)?.contains("slow down") == true)
        let back = try JSONDecoder().decode(SourceHealth.self, from: data)
        #expect(back == schedule.health)
    }
}

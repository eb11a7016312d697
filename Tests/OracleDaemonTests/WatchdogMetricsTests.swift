import Testing
@testable import OracleDaemon

/// The inputs of the "watchdog near its limit" alert (contrib/prometheus/oracled-rules.yml).
@Suite struct WatchdogMetricsTests {
    func values(_ families: [MetricFamily]) -> [String: String] {
        var out: [String: String] = [:]
        for f in families { out[f.name] = f.samples.first?.value }
        return out
    }

    @Test func timeoutIsWatchdogSecAndAgeCountsFromTheLastCycle() {
        let v = values(WatchdogMetrics.families(watchdogIntervalMs: 30_000, lastCycleAtMs: 1_000_000, startedAtMs: 900_000, nowMs: 1_012_345))
        #expect(v["oracled_watchdog_timeout_seconds"] == "30")
        #expect(v["oracled_last_cycle_age_seconds"] == "12.345")
    }

    @Test func watchdogOffIsZeroAndNoCycleYetCountsFromStart() {
        let v = values(WatchdogMetrics.families(watchdogIntervalMs: nil, lastCycleAtMs: nil, startedAtMs: 900_000, nowMs: 902_500))
        #expect(v["oracled_watchdog_timeout_seconds"] == "0")
        #expect(v["oracled_last_cycle_age_seconds"] == "2.5")
    }

    @Test func aClockStepBackwardsIsZeroNotNegative() {
        let v = values(WatchdogMetrics.families(watchdogIntervalMs: 2_000, lastCycleAtMs: 1_000_000, startedAtMs: 0, nowMs: 990_000))
        #expect(v["oracled_last_cycle_age_seconds"] == "0")
    }

    @Test func theStateRendersBothFamilies() async {
        let state = OracleState(startedAtMs: 0, watchdogIntervalMs: 2_000)
        let names = await state.watchdogMetricFamilies(nowMs: 500).map(\.name)
        #expect(names == ["oracled_watchdog_timeout_seconds", "oracled_last_cycle_age_seconds"])
    }
}

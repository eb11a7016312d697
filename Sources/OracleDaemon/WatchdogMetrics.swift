import OracleCore

/// The two gauges the "watchdog near its limit" alert needs (contrib/prometheus/oracled-rules.yml).
///
/// Why at scrape time: the listener keeps answering while the poll loop is wedged, so the age of the
/// last cycle grows on /metrics exactly as systemd's watchdog timer does, and an alert can fire before
/// systemd restarts the unit (a daemon killed by the watchdog would otherwise show nothing at all).
/// The age counts from the start of the last completed cycle, while `WATCHDOG=1` is sent at its end,
/// so it errs on the side of warning early.
enum WatchdogMetrics {
    static func families(watchdogIntervalMs: Int64?, lastCycleAtMs: Int64?, startedAtMs: Int64, nowMs: Int64) -> [MetricFamily] {
        // Before the first cycle the daemon has been silent since it started; a wall-clock step
        // backwards would give a negative age, which is reported as 0 rather than as a nonsense value.
        let ageMs = max(0, nowMs - (lastCycleAtMs ?? startedAtMs))
        return [
            MetricFamily(name: "oracled_watchdog_timeout_seconds", type: "gauge",
                         help: "systemd's WatchdogSec for this process (WATCHDOG_USEC); 0 when the watchdog is off.",
                         samples: [("", DecimalText.format(Double(watchdogIntervalMs ?? 0) / 1000, maxFractionDigits: 3))]),
            MetricFamily(name: "oracled_last_cycle_age_seconds", type: "gauge",
                         help: "Seconds since the poll loop last completed a cycle (and fed the watchdog).",
                         samples: [("", DecimalText.format(Double(ageMs) / 1000, maxFractionDigits: 3))]),
        ]
    }
}

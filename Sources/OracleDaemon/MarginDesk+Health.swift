import OracleCore
import OracleOutbox

extension MarginDesk {
    public func healthJSON() -> JSON {
        var byLevel: [String: Int] = [:]
        for id in accounts.keys { byLevel[levelName(id), default: 0] += 1 }
        let unpriced = accounts.keys.filter { !isPriced($0) }.sorted()
        return .object([
            ("accounts", .int(accounts.count)),
            ("levels", .object(byLevel.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("unpriced", .array(unpriced.prefix(50).map { .string($0) })),
            // Unpriced although every mark is usable: the valuation itself is not finite (with why).
            ("unpriced_invalid", .object(evaluator.invalid.sorted { $0.key < $1.key }.prefix(50).map { ($0.key, .string($0.value)) })),
            ("unpriced_invalid_count", .int(evaluator.invalid.count)),
            ("spool", spoolHealthJSON(nowMs: WallClock.nowMs())),
            ("store", .object([
                ("backend", .string(db.backendName)),
                ("status", .string(outbox.status.commitError == nil ? "ok" : "failing")),
                ("failing_since", outbox.status.commitFailingSinceMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                ("last_error", .optional(outbox.status.commitError)),
                ("commit_failures_total", .int(outbox.status.commitFailuresTotal)),
            ])),
            ("cluster", clusterDeskJSON()),
            ("notices_written", .int(noticesWritten)),
            ("mass_call_events", .int(massCallEvents)),
            ("last_mass_call", lastMassCallAtMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("sweeps", .int(sweeps)),
            ("sweep_corrections", .int(sweepCorrections)),
            ("screened_out", .int(screenedOut)),
            ("calibration", calibrationSummaryJSON()),
            ("risk_model_fallbacks", .object([
                ("accounts", .int(modelFallbacks().count)),
                ("latest", .array(modelFallbacks().prefix(20).map { .object([("account", .string($0.id)), ("reason", .string($0.reason))]) })),
            ])),
        ])
    }

    public func metricFamilies() -> [MetricFamily] {
        var byLevel: [String: Int] = ["none": 0, "warning": 0, "margin_call": 0, "urgent": 0, "liquidation": 0, "unpriced": 0]
        for id in accounts.keys { byLevel[levelName(id), default: 0] += 1 }
        return calibrationMetricFamilies() + [
            MetricFamily(name: "oracled_accounts", type: "gauge", help: "Accounts by current level (unpriced: a needed mark is not usable).",
                         samples: byLevel.sorted { $0.key < $1.key }.map { ("{level=\"\($0.key)\"}", "\($0.value)") }),
            MetricFamily(name: "oracled_accounts_unpriced_invalid", type: "gauge",
                         help: "Accounts unpriced although their marks are usable (non-finite valuation); never drive a notice.",
                         samples: [("", "\(evaluator.invalid.count)")]),
            MetricFamily(name: "oracled_notices_total", type: "counter", help: "Margin notices committed to the outbox.",
                         samples: [("", "\(noticesWritten)")]),
            MetricFamily(name: "oracled_notices_deferred", type: "gauge", help: "Notices queued in SQLite because the spool is not writable.",
                         samples: [("", "\(outbox.status.pending)")]),
            MetricFamily(name: "oracled_spool_deferred_seconds", type: "gauge",
                         help: "How long delivery to the spool has been deferred (0 when the spool is writable).",
                         samples: [("", DecimalText.format(outbox.status.deferredSeconds(nowMs: WallClock.nowMs()), maxFractionDigits: 3))]),
            MetricFamily(name: "oracled_store_commit_failures_total", type: "counter",
                         help: "Level changes the state database refused to commit (retried at the next evaluation).",
                         samples: [("", "\(outbox.status.commitFailuresTotal)")]),
            MetricFamily(name: "oracled_spool_delivery_failures_total", type: "counter",
                         help: "Failed attempts to deliver notices to the spool (each is retried on the next tick).",
                         samples: [("", "\(outbox.status.failuresTotal)")]),
            MetricFamily(name: "oracled_mass_call_events_total", type: "counter", help: "Mark updates that moved an unusual share of accounts into call.",
                         samples: [("", "\(massCallEvents)")]),
            MetricFamily(name: "oracled_risk_model_fallbacks", type: "gauge",
                         help: "Accounts on the standard requirement because the portfolio model's VaR/ES was not usable.",
                         samples: [("", "\(modelFallbacks().count)")]),
            Self.deliveryLatencyFamily(outbox.status.deliveryLatency),
            MetricFamily(name: "oracled_sweep_corrections_total", type: "counter", help: "Notices the full sweep produced that the incremental path had not (should stay 0).",
                         samples: [("", "\(sweepCorrections)")]),
        ]
    }
}

extension MarginDesk {
    /// `spool` of /v1/health: whether delivery is deferred, since when, how often it was tried, and why.
    func spoolHealthJSON(nowMs: Int64) -> JSON {
        let s = outbox.status
        return .object([
            ("directory", .string(spoolDirectory)),
            ("status", .string(s.isDeferred ? "deferred" : "ok")),
            ("deferred_notices", .int(s.pending)),
            ("deferred_since", s.deferredSinceMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("deferred_seconds", .number(s.deferredSeconds(nowMs: nowMs))),
            ("attempts", .int(s.attemptsDeferred)),
            ("last_attempt", s.lastAttemptMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("last_error", .optional(s.lastError)),
            // Kept for clients of the first API version: the same text as `last_error`.
            ("error", .optional(s.lastError)),
            ("delivered_total", .int(s.deliveredTotal)),
        ])
    }
}

extension MarginDesk {
    /// Accounts whose last valuation fell back from the portfolio model, with the reason, by id.
    func modelFallbacks() -> [(id: String, reason: String)] {
        valuations.compactMap { id, v in v.riskModel.fallbackReason.map { (id, $0) } }.sorted { $0.id < $1.id }
    }

    /// Test hooks: switch the screen off, and read its counters.
    func setScreening(_ on: Bool) { screening = on }
    var screenedOutCount: Int { screenedOut }
    var sweepCorrectionCount: Int { sweepCorrections }
}

extension MarginDesk {
    /// A histogram in the text format: the renderer writes `name` + `labels`, so the `_bucket`,
    /// `_sum` and `_count` suffixes travel in the label part of each sample.
    static func deliveryLatencyFamily(_ h: DeliveryLatency) -> MetricFamily {
        var samples: [(labels: String, value: String)] = h.cumulative.map { b in
            ("_bucket{le=\"\(b.le.isFinite ? DecimalText.format(b.le, maxFractionDigits: 3) : "+Inf")\"}", "\(b.count)")
        }
        samples.append(("_sum", DecimalText.format(h.sumSeconds, maxFractionDigits: 3)))
        samples.append(("_count", "\(h.count)"))
        return MetricFamily(name: "oracled_notice_delivery_seconds", type: "histogram",
                            help: "Seconds from a notice's created_at to its delivery into the spool.", samples: samples)
    }
}

import OracleCore

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
            ("spool", .object([
                ("directory", .string(spoolDirectory)),
                ("status", .string(deliveryError == nil ? "ok" : "deferred")),
                ("deferred_notices", .int(deferredCount)),
                ("error", .optional(deliveryError)),
            ])),
            ("notices_written", .int(noticesWritten)),
            ("mass_call_events", .int(massCallEvents)),
            ("last_mass_call", lastMassCallAtMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("sweeps", .int(sweeps)),
            ("sweep_corrections", .int(sweepCorrections)),
            ("screened_out", .int(screenedOut)),
            ("var_backtest", .object([
                ("observations", .int(kupiec.observations)),
                ("exceedances", .int(kupiec.exceedances)),
                ("expected_rate", .number(kupiec.expectedRate)),
                ("kupiec_lr", .number(kupiec.likelihoodRatio)),
                ("kupiec_p_value", .number(kupiec.pValue)),
                ("under_reserving", .bool(kupiec.observations >= 50 && kupiec.pValue < 0.05
                                          && Double(kupiec.exceedances) > kupiec.expectedRate * Double(kupiec.observations))),
            ])),
        ])
    }

    public func metricFamilies() -> [MetricFamily] {
        var byLevel: [String: Int] = ["none": 0, "warning": 0, "margin_call": 0, "urgent": 0, "liquidation": 0, "unpriced": 0]
        for id in accounts.keys { byLevel[levelName(id), default: 0] += 1 }
        func v(_ d: Double) -> String { d.isFinite ? DecimalText.format(d, maxFractionDigits: 6) : "NaN" }
        return [
            MetricFamily(name: "oracled_accounts", type: "gauge", help: "Accounts by current level (unpriced: a needed mark is not usable).",
                         samples: byLevel.sorted { $0.key < $1.key }.map { ("{level=\"\($0.key)\"}", "\($0.value)") }),
            MetricFamily(name: "oracled_accounts_unpriced_invalid", type: "gauge",
                         help: "Accounts unpriced although their marks are usable (non-finite valuation); never drive a notice.",
                         samples: [("", "\(evaluator.invalid.count)")]),
            MetricFamily(name: "oracled_notices_total", type: "counter", help: "Margin notices committed to the outbox.",
                         samples: [("", "\(noticesWritten)")]),
            MetricFamily(name: "oracled_notices_deferred", type: "gauge", help: "Notices queued in SQLite because the spool is not writable.",
                         samples: [("", "\(deferredCount)")]),
            MetricFamily(name: "oracled_mass_call_events_total", type: "counter", help: "Mark updates that moved an unusual share of accounts into call.",
                         samples: [("", "\(massCallEvents)")]),
            MetricFamily(name: "oracled_sweep_corrections_total", type: "counter", help: "Notices the full sweep produced that the incremental path had not (should stay 0).",
                         samples: [("", "\(sweepCorrections)")]),
            MetricFamily(name: "oracled_var_backtest_observations", type: "gauge", help: "VaR back-test observations (account × interval).",
                         samples: [("", "\(kupiec.observations)")]),
            MetricFamily(name: "oracled_var_backtest_exceedances", type: "gauge", help: "Realised losses beyond VaR.",
                         samples: [("", "\(kupiec.exceedances)")]),
            MetricFamily(name: "oracled_var_kupiec_lr", type: "gauge", help: "Kupiec proportion-of-failures likelihood ratio.",
                         samples: [("", v(kupiec.likelihoodRatio))]),
            MetricFamily(name: "oracled_var_kupiec_p_value", type: "gauge", help: "Kupiec POF p-value (small: the model's exceedance rate is off).",
                         samples: [("", v(kupiec.pValue))]),
        ]
    }
}

extension MarginDesk {
    /// Test hooks: switch the screen off, and read its counters.
    func setScreening(_ on: Bool) { screening = on }
    var screenedOutCount: Int { screenedOut }
    var sweepCorrectionCount: Int { sweepCorrections }
}

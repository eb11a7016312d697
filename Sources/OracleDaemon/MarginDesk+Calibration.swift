import OracleCore

/// The live calibration monitor (docs/backtesting.md "The daemon's monitor"): one observation per
/// account per history interval, the whole account's P&L over the interval against the VaR
/// published at its start, with Kupiec, Christoffersen and the traffic light per account and a
/// book-level summary for `/metrics`, `/v1/health` and `GET /v1/calibration`.
extension MarginDesk {
    /// Called with the first mark of each pair in each history slot (the price the history stores).
    /// An account's interval closes once every pair it needs has entered the new slot, at those
    /// first prices — the same prices the model's returns are made of — and the next interval opens
    /// with the VaR the account was last valued with: the VaR in force when the interval began.
    func observeCalibration(pair: String, price: Double, atMs: Int64) {
        let policy = universe.policy
        if !calibration.matches(policy) { calibration = CalibrationMonitor(policy: policy) } // a reload changed what VaR means
        let slot = calibration.slot(ofMs: atMs)
        if let last = calibration.lastSlot, slot > last { calibration.retain(Set(accounts.keys)) }
        let affected = (byPair[pair] ?? []).sorted().compactMap { id in
            accounts[id].map { CalibrationMonitor.Snapshot(id: id, account: $0, valueAtRisk: valuations[id]?.valueAtRisk) }
        }
        calibration.priceRecorded(pair: pair, price: price, slot: slot, affected: affected, universe: universe)
    }

    /// `GET /v1/calibration`: the summary, then one row per account with observations (by id).
    public func calibrationJSON() -> JSON {
        .object([
            ("summary", calibrationSummaryJSON()),
            ("accounts", .array(calibration.accounts.map { a in
                .object([
                    ("id", .string(a.id)),
                    ("observations", .int(a.observations)),
                    ("exceedances", .int(a.exceedances)),
                    ("kupiec_p", BacktestReport.probability(a.kupiecP)),
                    ("christoffersen_p", BacktestReport.probability(a.christoffersenP)),
                    ("conditional_coverage_p", BacktestReport.probability(a.conditionalCoverageP)),
                    ("traffic_light", .string(a.trafficLight.rawValue)),
                    ("window_observations", .int(a.windowObservations)),
                    ("window_exceedances", .int(a.windowExceedances)),
                ])
            })),
        ])
    }

    func calibrationSummaryJSON() -> JSON {
        let s = calibration.summary
        return .object([
            ("var_confidence", .number(calibration.confidence)),
            ("interval_ms", .int(calibration.intervalMs)),
            ("horizon_ms", .int(calibration.horizonMs)),
            ("var_scale", .number(calibration.intervalScale)),
            ("observations", .int(s.observations)),
            ("exceedances", .int(s.exceedances)),
            ("expected_rate", .number(s.expectedRate)),
            ("accounts", .object([("green", .int(s.green)), ("yellow", .int(s.yellow)), ("red", .int(s.red))])),
        ])
    }

    /// Book-level only: an account id is never a label (bounded dimensions).
    func calibrationMetricFamilies() -> [MetricFamily] {
        let s = calibration.summary
        return [
            MetricFamily(name: "oracled_var_backtest_observations_total", type: "counter",
                         help: "VaR back-test observations (one per account per history interval).",
                         samples: [("", "\(s.observations)")]),
            MetricFamily(name: "oracled_var_backtest_exceedances_total", type: "counter",
                         help: "Observations whose loss over the interval exceeded the VaR published at its start.",
                         samples: [("", "\(s.exceedances)")]),
            MetricFamily(name: "oracled_var_calibration_accounts", type: "gauge",
                         help: "Accounts by Basel traffic-light zone over their last 250 observations.",
                         samples: [("{zone=\"green\"}", "\(s.green)"), ("{zone=\"yellow\"}", "\(s.yellow)"), ("{zone=\"red\"}", "\(s.red)")]),
        ]
    }
}

import OracleCore

extension BacktestReport {
    /// `report.json`: the settings, then `accounts[]` with `id`, `observations`, `exceedances`,
    /// `kupiec_p`, `christoffersen_p`, `traffic_light` (DESIGN.md), the supporting figures and the
    /// series (one row per slot at which the account could be valued).
    public func json() -> String {
        let b = boundaries
        let root = JSON.object([
            ("model", .string(policy.model.rawValue)),
            ("var_confidence", .number(policy.varConfidence)),
            ("history_interval", .string(Self.duration(policy.historyIntervalMs))),
            ("horizon", .string(Self.duration(policy.horizonMs))),
            ("from", .string(RFC3339.format(ms: fromMs))),
            ("to", .string(RFC3339.format(ms: toMs))),
            ("price_points", .int(pricePoints)),
            ("traffic_light_window", .int(TrafficLight.window)),
            ("traffic_light_yellow_from", .int(b.yellow)),
            ("traffic_light_red_from", .int(b.red)),
            ("accounts", .array(results.map(Self.account))),
        ])
        return root.rendered + "\n"
    }

    static func account(_ r: BacktestResult) -> JSON {
        .object([
            ("id", .string(r.id)),
            ("observations", .int(r.observations)),
            ("exceedances", .int(r.exceedances)),
            ("exceedance_rate", probability(r.observations > 0 ? Double(r.exceedances) / Double(r.observations) : 0)),
            ("kupiec_p", probability(r.kupiecP)),
            ("christoffersen_p", probability(r.christoffersenP)),
            ("conditional_coverage_p", probability(r.conditionalCoverageP)),
            ("traffic_light", .string(r.trafficLight.rawValue)),
            ("window_observations", .int(r.windowObservations)),
            ("window_exceedances", .int(r.windowExceedances)),
            ("series", .array(r.rows.map { row in
                .object([
                    ("t", .string(RFC3339.format(ms: row.timeMs))),
                    ("pnl", money(row.pnl)),
                    ("var", money(row.valueAtRisk)),
                    ("equity", money(row.equity)),
                    ("maintenance_requirement", money(row.maintenanceRequirement)),
                    ("level", .string(row.level.rawValue)),
                    ("exceeded", .bool(row.exceeded)),
                ])
            })),
        ])
    }
}

import OracleCore

/// Options as the account API shows them: the contract, Greeks (× quantity, Deribit units: delta in
/// underlying units, gamma per USD, vega USD per vol point, theta USD per day) and the grid's figures.
enum OptionJSON {
    static func contract(_ o: OptionContract) -> JSON {
        .object([("name", .string(o.venueName)), ("underlying", .string(o.underlying)), ("right", .string(o.right.rawValue)),
                 ("strike", .string(o.strike.text)), ("expiry", .string(RFC3339.format(ms: o.expiryMs)))])
    }

    static func greeks(_ g: OptionGreeks) -> JSON {
        .object([("delta", .decimal(g.delta, digits: 6)), ("gamma", .decimal(g.gamma, digits: 10)),
                 ("vega", .decimal(g.vega, digits: 4)), ("theta", .decimal(g.theta, digits: 4))])
    }

    /// `risk.option_grid`: the requirement and the scenario that set it.
    static func grid(_ m: Valuation.OptionMargin) -> JSON {
        .object([("requirement", .decimal(m.requirement, digits: 2)), ("initial", .decimal(m.initial, digits: 2)),
                 ("worst_loss", .decimal(m.worstLoss, digits: 2)), ("short_option_minimum", .decimal(m.shortOptionMinimum, digits: 2)),
                 ("worst_scenario", m.worst.map(scenario) ?? .null)])
    }

    static func scenario(_ s: GridScenario) -> JSON {
        .object([("driver", .string(s.driver)),
                 ("moves", .object(s.moves.sorted { $0.key < $1.key }.map { ($0.key, .decimal($0.value, digits: 6)) })),
                 ("vol_shock", .string(["down", "none", "up"][s.volShock.rawValue])), ("extreme", .bool(s.extreme)),
                 ("weight", .decimal(s.weight, digits: 4)), ("pnl", .decimal(s.pnl, digits: 2))])
    }

    /// Top-level `greeks`: per underlying in the grid (linear positions add their quantity to delta),
    /// and the account's vega and theta (USD, so they add across underlyings).
    static func accountGreeks(_ m: Valuation.OptionMargin) -> JSON {
        .object([("by_underlying", .object(m.risk.map { r in
            (r.underlying, .object([("delta", .decimal(r.greeks.delta, digits: 6)), ("delta_usd", .decimal(r.deltaUSD, digits: 2)),
                                    ("gamma", .decimal(r.greeks.gamma, digits: 10)), ("vega", .decimal(r.greeks.vega, digits: 4)),
                                    ("theta", .decimal(r.greeks.theta, digits: 4)), ("option_value", .decimal(r.greeks.price, digits: 2))]))
        })), ("vega", .decimal(m.vega, digits: 4)), ("theta", .decimal(m.theta, digits: 4))])
    }
}

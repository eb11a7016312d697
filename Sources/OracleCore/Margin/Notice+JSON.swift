import Foundation

extension Notice {
    /// The notice as one compact JSON line (no trailing newline), keys in DESIGN.md order:
    ///
    ///     {"id":"acct-17-margin_call-3","account":"acct-17","level":"margin_call",
    ///      "created_at":"2026-11-25T16:36:00.036Z","currency":"USD","equity":"9800",
    ///      "maintenance_requirement":"9000","initial_requirement":"18000","ratio":"1.0888",
    ///      "deficit":"8200","top_up":{"BTC":"0.13","USD":"8200"},"deadline":"…",
    ///      "marks":{"BTC-USD":{"price":"65000","confidence":"12.5","sources":4}},
    ///      "risk":{"var":"…","es":"…","liquidity_addon":"0","concentration_addon":"0","model":"standard",
    ///              "model_fallback":null},"mass_call":false}
    ///
    /// An account holding options adds (after the keys above, never instead of them; see
    /// `Notice.Options`): `risk.option_grid` {requirement, initial, worst_loss, short_option_minimum,
    /// worst_scenario {driver, moves, vol_shock, extreme, weight, pnl}}, `greeks` {by_underlying {PAIR:
    /// {delta, delta_usd, gamma, vega, theta, option_value}}, vega, theta} and `option_positions`
    /// [{name, underlying, right, strike, expiry, quantity, volatility, price, value, greeks}] —
    /// the shapes of `GET /v1/accounts/{id}`.
    ///
    /// Money and prices are decimal strings (8 fraction digits at most, trailing zeros trimmed);
    /// top-ups are rounded *up* so depositing the written amount always suffices; the ratio has 6
    /// digits and is `null` when there is no requirement; missing VaR/ES and deadline are `null`.
    public func jsonLine() -> String {
        func dec(_ v: Double, _ digits: Int = 8) -> String { JSONString.quoted(DecimalText.format(v, maxFractionDigits: digits)) }
        func optDec(_ v: Double?) -> String { v.flatMap { $0.isFinite ? dec($0) : nil } ?? "null" }
        var s = "{\"id\":" + JSONString.quoted(id)
        s += ",\"account\":" + JSONString.quoted(account)
        s += ",\"level\":\"" + level.rawValue + "\""
        s += ",\"created_at\":\"" + RFC3339.format(ms: createdAtMs) + "\""
        s += ",\"currency\":" + JSONString.quoted(currency)
        s += ",\"equity\":" + dec(equity)
        s += ",\"maintenance_requirement\":" + dec(maintenanceRequirement)
        s += ",\"initial_requirement\":" + dec(initialRequirement)
        s += ",\"ratio\":" + (ratio.isFinite ? dec(ratio, 6) : "null")
        s += ",\"deficit\":" + dec(deficit)
        s += ",\"top_up\":{"
        for (i, t) in topUp.enumerated() {
            if i > 0 { s += "," }
            let up = (t.amount * 1e8).rounded(.up) / 1e8
            s += JSONString.quoted(t.asset) + ":" + dec(up)
        }
        s += "},\"deadline\":" + (deadlineMs.map { "\"" + RFC3339.format(ms: $0) + "\"" } ?? "null")
        s += ",\"marks\":{"
        for (i, m) in marks.enumerated() {
            if i > 0 { s += "," }
            s += JSONString.quoted(m.pair) + ":{\"price\":" + dec(m.price) + ",\"confidence\":" + dec(m.confidence)
                + ",\"sources\":\(m.sources)}"
        }
        // A risk figure that is not finite is written as null, never as a number: the model falls back
        // before that, and this keeps a bug from putting "inf" into a notice.
        s += "},\"risk\":{\"var\":" + optDec(risk.valueAtRisk) + ",\"es\":" + optDec(risk.expectedShortfall)
            + ",\"liquidity_addon\":" + dec(risk.liquidityAddOn) + ",\"concentration_addon\":" + dec(risk.concentrationAddOn)
            + ",\"model\":" + JSONString.quoted(risk.model)
            + ",\"model_fallback\":" + (risk.modelFallback.map { JSONString.quoted($0) } ?? "null")
        if let options { s += ",\"option_grid\":" + options.gridJSON() }
        s += "}"
        s += ",\"mass_call\":" + (flags.contains(.massCall) ? "true" : "false")
        s += ",\"deadline_expired\":" + (flags.contains(.deadlineExpired) ? "true" : "false")
        s += ",\"liquidation_deferred\":" + (flags.contains(.liquidationDeferred) ? "true" : "false")
        if let options { s += ",\"greeks\":" + options.greeksJSON() + ",\"option_positions\":" + options.linesJSON() }
        if !settlements.isEmpty { s += ",\"settlements\":" + OptionSettlement.jsonArray(settlements) }
        return s + "}"
    }

    /// One human line for syslog: `margin_call acct-17 ratio 1.0888 equity 9800 USD deficit 8200 USD deadline …`.
    public func syslogLine() -> String {
        var s = "\(level.rawValue) \(account) id \(id) ratio \(ratio.isFinite ? DecimalText.format(ratio, maxFractionDigits: 4) : "inf")"
        s += " equity \(DecimalText.format(equity, maxFractionDigits: 2)) \(currency)"
        s += " deficit \(DecimalText.format(deficit, maxFractionDigits: 2)) \(currency)"
        if let d = deadlineMs { s += " deadline \(RFC3339.format(ms: d))" }
        if flags.contains(.massCall) { s += " MASS-CALL" }
        if flags.contains(.liquidationDeferred) { s += " liquidation-deferred" }
        if let options { s += options.syslogText(currency: currency) }
        for x in settlements { s += " " + x.syslogText(currency: currency) }
        return s
    }
}

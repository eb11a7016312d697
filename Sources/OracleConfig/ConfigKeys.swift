/// Every key oracles.toml understands, per section. Anything else is reported as unknown, with
/// the closest of these as a suggestion.
enum ConfigKeys {
    static let topLevel = ["daemon", "aggregation", "source", "pair", "collateral", "margin", "store", "cluster", "vol"]

    static let cluster = ["node", "shards", "lease", "in_doubt_after"]

    static let daemon = ["socket", "state_dir", "spool_dir", "poll_interval", "user_agent",
                         "syslog_ident", "syslog_facility", "syslog_socket",
                         "stream_heartbeat", "stream_deviation_bps", "max_clients"]

    static let store = ["backend", "url", "password_file", "connect_timeout", "statement_timeout"]

    static let aggregation = ["min_sources", "max_age", "max_hold", "max_future_skew", "mad_k",
                              "mad_floor_bps", "dispersion_bps", "frozen_cycles", "max_spread_bps"]

    static let genericSource = ["url", "price_path", "bid_path", "ask_path", "timestamp_path",
                                "timestamp_unit", "error_path"]

    static let source = ["name", "kind", "base_url", "rate_limit", "burst", "connect_timeout", "timeout",
                         "max_body", "quarantine", "backoff_base", "backoff_max"] + genericSource

    static let pair = ["symbol", "maintenance_margin", "initial_margin", "sources",
                       "adv", "spread_bps", "impact_bps", "tiers"] + aggregation

    static let pairSource = ["source", "symbol", "convert"]

    static let vol = ["underlying", "forward_pair", "quote", "poll_interval", "min_sources", "max_age", "frozen_after",
                      "mad_k", "mad_floor_bps", "hold", "min_time_to_expiry", "max_fit_rmse", "sources"]

    static let volSource = ["name", "kind", "base_url", "rate_limit", "burst", "timeout"]

    static let tier = ["from_notional", "maintenance_margin", "initial_margin"]

    static let collateral = ["asset", "pair", "haircut", "tiers"]

    static let haircutTier = ["from_value", "haircut"]

    static let margin = ["currency", "model", "warn_ratio", "warn_exit_ratio", "call_ratio", "urgent_ratio",
                         "liquidation_ratio", "call_deadline", "price_side", "min_trigger_sources",
                         "slow_mark_window", "mass_call_share", "var_confidence", "es_confidence", "horizon",
                         "ewma_lambda", "portfolio_floor", "min_history", "history_interval",
                         "vol_floor", "z_max", "lookback_returns", "history_days", "max_loss_multiple",
                         "stress_weight", "stress_windows", "scenario_move", "scenario_crash", "max_participation"]

    /// The section a key belongs to, for "this key belongs in [daemon]" hints when a key is
    /// written above its section header or under the wrong one.
    static func home(of key: String) -> String? {
        if daemon.contains(key) { return "[daemon]" }
        if margin.contains(key) { return "[margin]" }
        if ["backend", "password_file", "statement_timeout"].contains(key) { return "[store]" }
        if aggregation.contains(key) { return "[aggregation] (or a [[pair]])" }
        if source.contains(key) { return "a [[source]]" }
        if pair.contains(key) { return "a [[pair]]" }
        if collateral.contains(key) { return "a [[collateral]]" }
        return nil
    }
}

/// The thresholds one account is judged by: the `[margin]` policy merged with the account's
/// overrides. All ratios are adjusted equity / maintenance requirement.
///
/// Hysteresis: the band `warnExitRatio − warnRatio` (0.10 with the defaults) is reused above every
/// level, and it is always positive (exit strictly above entry): the configuration and the account
/// API refuse an exit ratio at or below its entry ratio, and an override of `warn_ratio` without
/// its `warn_exit_ratio` keeps the configured band (warn_exit = overridden warn + global band), so
/// an override can never close the band and let a ratio hovering at a threshold notify every cycle. Leaving `warning` needs ratio ≥ `warnExitRatio`; leaving `urgent` for `margin_call`
/// needs ratio ≥ `urgentRatio + band` (`urgentExitRatio`); leaving a call (`cured`) needs equity ≥
/// the initial requirement *and* ratio ≥ `callRatio + band` (`callExitRatio`), so an account whose
/// initial/maintenance ratio is close to the call ratio cannot flap between call and cure.
public struct LevelThresholds: Sendable, Equatable {
    public var warnRatio: Double
    public var warnExitRatio: Double
    public var callRatio: Double
    public var urgentRatio: Double
    public var liquidationRatio: Double
    public var callDeadlineMs: Int64

    public init(warnRatio: Double, warnExitRatio: Double, callRatio: Double, urgentRatio: Double,
                liquidationRatio: Double, callDeadlineMs: Int64) {
        self.warnRatio = warnRatio
        self.warnExitRatio = warnExitRatio
        self.callRatio = callRatio
        self.urgentRatio = urgentRatio
        self.liquidationRatio = liquidationRatio
        self.callDeadlineMs = callDeadlineMs
    }

    /// Policy values with the account's overrides applied (no validation; see `validated`).
    public init(policy: MarginPolicy, overrides: ThresholdOverrides? = nil) {
        let o = overrides ?? ThresholdOverrides()
        // The global band, carried to an overridden warn_ratio that has no exit ratio of its own.
        let band = policy.warnExitRatio - policy.warnRatio
        let warn = o.warnRatio ?? policy.warnRatio
        self.init(warnRatio: warn,
                  warnExitRatio: o.warnExitRatio ?? (o.warnRatio == nil ? policy.warnExitRatio : warn + band),
                  callRatio: o.callRatio ?? policy.callRatio,
                  urgentRatio: o.urgentRatio ?? policy.urgentRatio,
                  liquidationRatio: o.liquidationRatio ?? policy.liquidationRatio,
                  callDeadlineMs: o.callDeadlineMs ?? policy.callDeadlineMs)
    }

    /// The merged thresholds, or an error naming the override that breaks the ordering
    /// warn_exit > warn ≥ call ≥ urgent ≥ liquidation > 0 (exit strictly above entry: the band must
    /// be positive). Ordering errors are `.inconsistent` (HTTP 422): the values parse, but together
    /// they cannot be obeyed.
    public static func validated(policy: MarginPolicy, overrides: ThresholdOverrides) throws(AccountError) -> LevelThresholds {
        let t = LevelThresholds(policy: policy, overrides: overrides)
        let f = DecimalText.format
        func field(_ key: String, _ set: Double?) -> String { set != nil ? "thresholds.\(key)" : "thresholds" }
        for (key, v) in [("warn_ratio", t.warnRatio), ("warn_exit_ratio", t.warnExitRatio), ("call_ratio", t.callRatio),
                         ("urgent_ratio", t.urgentRatio), ("liquidation_ratio", t.liquidationRatio)] {
            guard v.isFinite, v > 0 else { throw AccountError(.outOfRange, field: "thresholds.\(key)", "must be a positive finite ratio") }
        }
        guard t.warnExitRatio > t.warnRatio else {
            throw AccountError(.inconsistent, field: overrides.warnExitRatio != nil || overrides.warnRatio == nil
                                   ? "thresholds.warn_exit_ratio" : "thresholds.warn_ratio",
                               "warn_exit_ratio \(f(t.warnExitRatio, 8)) must be above warn_ratio \(f(t.warnRatio, 8)); the exit ratio must be strictly above the entry (the hysteresis band), e.g. warn_ratio + 0.1")
        }
        guard t.callRatio <= t.warnRatio else {
            throw AccountError(.inconsistent, field: field("call_ratio", overrides.callRatio),
                               "call_ratio \(f(t.callRatio, 8)) exceeds warn_ratio \(f(t.warnRatio, 8)); need warn ≥ call ≥ urgent ≥ liquidation")
        }
        guard t.urgentRatio <= t.callRatio else {
            throw AccountError(.inconsistent, field: field("urgent_ratio", overrides.urgentRatio),
                               "urgent_ratio \(f(t.urgentRatio, 8)) exceeds call_ratio \(f(t.callRatio, 8)); need warn ≥ call ≥ urgent ≥ liquidation")
        }
        guard t.liquidationRatio <= t.urgentRatio else {
            throw AccountError(.inconsistent, field: field("liquidation_ratio", overrides.liquidationRatio),
                               "liquidation_ratio \(f(t.liquidationRatio, 8)) exceeds urgent_ratio \(f(t.urgentRatio, 8)); need warn ≥ call ≥ urgent ≥ liquidation")
        }
        guard t.callDeadlineMs > 0 else {
            throw AccountError(.invalidValue, field: "thresholds.call_deadline", "must be positive")
        }
        return t
    }

    /// The hysteresis band reused above every level (see the type's doc comment).
    /// Positive for every validated set (`validated` and the configuration refuse exit ≤ entry).
    public var hysteresisBand: Double { max(0, warnExitRatio - warnRatio) }
    /// Ratio at or above which `urgent` steps back to `margin_call`.
    public var urgentExitRatio: Double { urgentRatio + hysteresisBand }
    /// Ratio at or above which a call may be `cured` (with equity ≥ initial requirement).
    public var callExitRatio: Double { callRatio + hysteresisBand }

    /// Relative tolerance of the cure test: equity within a billionth of the cure target counts as
    /// there (far below a cent on any real account, far above double rounding), so that equity +
    /// the published deficit — summed in whatever order — cures.
    public static let cureTolerance = 1e-9

    /// The equity that cures a call: max(initial, callExitRatio × maintenance).
    public func cureTarget(maintenance: Double, initial: Double) -> Double {
        max(initial, callExitRatio * maintenance)
    }

    /// equity ≥ initial and ratio ≥ callExitRatio (within `cureTolerance` of the target).
    public func isCured(equity: Double, maintenance: Double, initial: Double) -> Bool {
        let target = cureTarget(maintenance: maintenance, initial: initial)
        return equity >= target - Self.cureTolerance * max(1, abs(target))
    }
}

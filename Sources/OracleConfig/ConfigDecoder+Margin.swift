import OracleCore

/// `[margin]`.
extension ConfigDecoder {
    func decodeMargin(_ top: TableReader) -> MarginPolicy {
        var m = MarginPolicy()
        guard let r = sectionReader(top, "margin") else { return m }

        if let currency = r.string("currency", example: "\"USD\"") {
            if let problem = Self.assetProblem(currency) {
                r.report(.invalidValue, "currency", problem)
            } else {
                m.currency = currency
            }
        }
        m.model = r.choice("model", default: m.model)
        m.priceSide = r.choice("price_side", default: m.priceSide)

        m.warnRatio = r.double("warn_ratio", default: m.warnRatio, .positive)
        m.warnExitRatio = r.double("warn_exit_ratio", default: m.warnExitRatio, .positive)
        m.callRatio = r.double("call_ratio", default: m.callRatio, .positive)
        m.urgentRatio = r.double("urgent_ratio", default: m.urgentRatio, .positive)
        m.liquidationRatio = r.double("liquidation_ratio", default: m.liquidationRatio, .positive)
        checkLadder(r, m)

        m.callDeadlineMs = r.duration("call_deadline", default: m.callDeadlineMs)
        m.minTriggerSources = r.integer("min_trigger_sources", default: m.minTriggerSources, .atLeast(1))
        m.slowMarkWindowMs = r.duration("slow_mark_window", default: m.slowMarkWindowMs)
        m.massCallShare = r.double("mass_call_share", default: m.massCallShare, .leftOpen(0, 1))
        m.varConfidence = r.double("var_confidence", default: m.varConfidence, .open(0.5, 1))
        m.esConfidence = r.double("es_confidence", default: m.esConfidence, .open(0.5, 1))
        m.horizonMs = r.duration("horizon", default: m.horizonMs)
        m.ewmaLambda = r.double("ewma_lambda", default: m.ewmaLambda, .open(0, 1))
        // Above 0: with a floor of 0 a perfect hedge (long and short the same pair) would need nothing.
        m.portfolioFloor = r.double("portfolio_floor", default: m.portfolioFloor, .leftOpen(0, 1))
        // Fewer than two returns give no variance at all.
        m.minHistory = r.integer("min_history", default: m.minHistory, .atLeast(2))
        m.historyIntervalMs = r.duration("history_interval", default: m.historyIntervalMs)
        decodeCalibration(r, &m)
        decodeOptionGrid(r, &m)

        r.finish(known: ConfigKeys.margin)
        return m
    }

    /// The option scenario grid's keys (docs/options.md explains each default). Each is bounded on
    /// its own; the combination is then checked as the grid checks it (a vol-down shock that takes
    /// σ to zero at its cap is refused naming option_vol_down).
    private func decodeOptionGrid(_ r: TableReader, _ m: inout MarginPolicy) {
        var g = m.optionGrid
        g.majorRange = r.double("option_major_range", default: g.majorRange, .open(0, 1))
        g.minorRange = r.double("option_minor_range", default: g.minorRange, .open(0, 1))
        g.steps = r.integer("option_steps", default: g.steps, .closed(1, 100))
        g.volUp = r.double("option_vol_up", default: g.volUp, .closed(0, 10))
        g.volDown = r.double("option_vol_down", default: g.volDown, .rightOpen(0, 0.5))
        g.extremeMultiple = r.double("option_extreme_multiple", default: g.extremeMultiple, .closed(1, 10))
        g.extremeWeight = r.double("option_extreme_weight", default: g.extremeWeight, .closed(0, 1))
        g.shortOptionMinimum = r.double("option_short_minimum", default: g.shortOptionMinimum, .rightOpen(0, 1))
        g.rate = r.double("option_rate", default: g.rate, .closed(-1, 1))
        g.initialMultiple = r.double("option_initial_multiple", default: g.initialMultiple, .closed(1, 10))
        do throws(OptionError) {
            try g.validate()
            m.optionGrid = g
        } catch {
            r.report(.invalidValue, "option_" + error.field, error.message)
        }
    }

    /// The portfolio model's calibration keys (docs/margin-model.md explains each default).
    private func decodeCalibration(_ r: TableReader, _ m: inout MarginPolicy) {
        m.volFloorShare = r.double("vol_floor", default: m.volFloorShare, .leftOpen(0, 1))
        m.zMax = r.double("z_max", default: m.zMax, .atLeast(3))
        m.lookbackReturns = r.integer("lookback_returns", default: m.lookbackReturns, .closed(30, 20_000))
        m.historyDays = r.integer("history_days", default: m.historyDays, .closed(30, 20_000))
        m.maxLossMultiple = r.double("max_loss_multiple", default: m.maxLossMultiple, .atLeast(1))
        m.stressWeight = r.double("stress_weight", default: m.stressWeight, .closed(0, 2))
        m.scenarioMove = r.double("scenario_move", default: m.scenarioMove, .rightOpen(0, 1))
        m.scenarioCrash = r.double("scenario_crash", default: m.scenarioCrash, .rightOpen(0, 1))
        m.maxParticipation = r.double("max_participation", default: m.maxParticipation, .leftOpen(0, 1))
        if let array = r.array("stress_windows", example: "[\"2020-03-09/2020-03-20\", \"2022-11-08\"]") {
            var windows: [StressWindow] = []
            var ok = true
            for n in 0..<array.count {
                guard let text = array[n].string else {
                    r.report(.wrongType, "stress_windows", "element \(n + 1) must be a string \"YYYY-MM-DD\" or \"YYYY-MM-DD/YYYY-MM-DD\"")
                    ok = false
                    continue
                }
                switch Self.stressWindow(text) {
                case let .success(w): windows.append(w)
                case let .failure(e):
                    r.report(.invalidValue, "stress_windows", "element \(n + 1): \(e.message)")
                    ok = false
                }
            }
            if ok { m.stressWindows = windows }
        }
    }

    /// `"2022-11-08"` (one UTC day) or `"2022-11-05/2022-11-15"` (both days included).
    static func stressWindow(_ text: String) -> Result<StressWindow, ConfigValueError> {
        func day(_ s: Substring) -> (Int, Int, Int)? {
            let parts = s.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                  (1...12).contains(m), (1...31).contains(d) else { return nil }
            return (y, m, d)
        }
        let ends = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(ends.count), let from = day(ends[0]), let to = day(ends[ends.count - 1]) else {
            return .failure(ConfigValueError("\"\(text)\" is not a day or a range of days; write \"2022-11-08\" or \"2022-11-05/2022-11-15\""))
        }
        let w = StressWindow(from: from, to: to)
        guard w.fromMs <= w.toMs else {
            return .failure(ConfigValueError("\"\(text)\" ends before it starts; write the earlier day first"))
        }
        return .success(w)
    }

    /// liquidation < urgent <= call < warn < warn_exit: each level must be reached before the
    /// next worse one, and warn_exit above warn gives the hysteresis that stops a ratio hovering
    /// at the threshold from sending a notice every cycle.
    private func checkLadder(_ r: TableReader, _ m: MarginPolicy) {
        let ladder = "liquidation_ratio < urgent_ratio <= call_ratio < warn_ratio < warn_exit_ratio"
        let steps: [(lower: String, lo: Double, upper: String, hi: Double, strict: Bool)] = [
            ("liquidation_ratio", m.liquidationRatio, "urgent_ratio", m.urgentRatio, true),
            ("urgent_ratio", m.urgentRatio, "call_ratio", m.callRatio, false),
            ("call_ratio", m.callRatio, "warn_ratio", m.warnRatio, true),
            ("warn_ratio", m.warnRatio, "warn_exit_ratio", m.warnExitRatio, true),
        ]
        for step in steps {
            let ok = step.strict ? step.lo < step.hi : step.lo <= step.hi
            guard !ok else { continue }
            // Name the key the operator wrote (the upper one when both are written).
            let key = r.has(step.upper) || !r.has(step.lower) ? step.upper : step.lower
            r.report(.invalidValue, key, "\(step.upper) = \(TableReader.format(step.hi)) must be \(step.strict ? "greater than" : "at least") "
                     + "\(step.lower) = \(TableReader.format(step.lo)); the levels must satisfy \(ladder)")
        }
    }

    /// Why `text` is not an asset code (upper-case letters and digits), or nil when it is.
    static func assetProblem(_ text: String) -> String? {
        if !text.isEmpty && text.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) { return nil }
        return "\"\(text)\" is not an asset code; use upper-case letters and digits, e.g. \"USD\" or \"BTC\""
    }
}

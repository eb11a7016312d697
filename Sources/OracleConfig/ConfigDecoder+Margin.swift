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
        m.portfolioFloor = r.double("portfolio_floor", default: m.portfolioFloor, .closed(0, 1))
        // Fewer than two returns give no variance at all.
        m.minHistory = r.integer("min_history", default: m.minHistory, .atLeast(2))
        m.historyIntervalMs = r.duration("history_interval", default: m.historyIntervalMs)

        r.finish(known: ConfigKeys.margin)
        return m
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

/// The portfolio block of `MarginModel.value`: risk measures, floors, and the checks that turn an
/// unusable figure into a fallback instead of a requirement.
extension MarginModel {
    /// Figures of a successful portfolio valuation.
    struct PortfolioFigures: Sendable, Equatable {
        var valueAtRisk: Double
        var expectedShortfall: Double
        var stressFloor: Double?
        var scenarioFloor: Double
        var maintenance: Double
    }

    /// Why the portfolio figures were rejected.
    struct ModelFailure: Error, Sendable, Equatable {
        var reason: String
    }

    /// Linear exposures (one value per pair of the snapshot, in the margin currency) of positions and
    /// non-cash collateral, netted per pair, with the gross exposure the absurdity check compares
    /// against. An option adds nothing to the net (`OptionScenarioBook` revalues it in full in each
    /// scenario) and |q|·F to the gross: the notional of its underlying, as a linear position would.
    static func exposures(snapshot: RiskSnapshot, lines: [Valuation.PositionLine],
                          collateral: [(pair: String, value: Double)]) -> (net: [Double], gross: Double)? {
        var net = [Double](repeating: 0, count: snapshot.pairs.count)
        var gross = 0.0
        for line in lines {
            guard let i = snapshot.index[line.pair] else { return nil }
            let exposure = line.quantity * line.markPrice
            if line.option == nil { net[i] += exposure }
            gross += abs(exposure)
        }
        for c in collateral {
            guard let i = snapshot.index[c.pair] else { return nil }
            net[i] += c.value
            gross += abs(c.value)
        }
        return (net, gross)
    }

    /// Worst loss of the scenario grid: each pair alone ±`scenario_move`, then all together
    /// ±`scenario_crash` (a correlated crash and rally). Linear in price.
    static func scenarioGridLoss(_ e: [(index: Int, value: Double)], move: Double, crash: Double) -> Double {
        scenarioGridLoss(e.map(\.value), move: move, crash: crash)
    }

    static func scenarioGridLoss(_ e: [Double], move: Double, crash: Double) -> Double {
        var worst = 0.0, total = 0.0
        for x in e {
            worst = max(worst, abs(x) * move)
            total += x
        }
        return max(worst, abs(total) * crash)
    }

    /// `optionNowMs` is the valuation time of the account's options (`OptionMarket.nowMs`); an
    /// account with options is revalued in full in every scenario (`OptionScenarioBook`), one without
    /// keeps the linear multiply-add path.
    func portfolioRequirement(snapshot: RiskSnapshot, lines: [Valuation.PositionLine], collateral: [(pair: String, value: Double)],
                              standardMaintenance: Double, addOns: Double,
                              optionNowMs: Int64? = nil) -> Result<PortfolioFigures, ModelFailure> {
        guard let (e, gross) = Self.exposures(snapshot: snapshot, lines: lines, collateral: collateral) else {
            return .failure(ModelFailure(reason: "a pair of the account is missing from the risk snapshot"))
        }
        guard gross.isFinite else { return .failure(ModelFailure(reason: "gross exposure not finite")) }
        var book: OptionScenarioBook?
        if lines.contains(where: { $0.option != nil }) {
            guard let nowMs = optionNowMs else { return .failure(ModelFailure(reason: "options without a valuation time")) }
            book = OptionScenarioBook(snapshot: snapshot, lines: lines, linear: e, nowMs: nowMs,
                                      horizonMs: policy.horizonMs, rate: policy.optionGrid.rate)
            if book == nil { return .failure(ModelFailure(reason: "an option's underlying is missing from the risk snapshot")) }
        }
        let measured = book.map { $0.measures(snapshot, varConfidence: policy.varConfidence, esConfidence: policy.esConfidence) }
            ?? snapshot.measures(dense: e, varConfidence: policy.varConfidence, esConfidence: policy.esConfidence)
        guard let m = measured else {
            return .failure(ModelFailure(reason: "no scenarios"))
        }
        let limit = policy.maxLossMultiple * gross
        // Tolerance for rounding: a perfect hedge nets to exactly 0, a near-perfect one to ±1e-12 of gross.
        let tiny = 1e-9 * max(1, gross)
        for (name, x) in [("VaR", m.valueAtRisk), ("ES", m.expectedShortfall)] {
            if !x.isFinite { return .failure(ModelFailure(reason: "\(name) is not finite")) }
            // A linear book's loss distribution is centred near 0, so a negative tail figure means
            // broken scenarios. An option book may earn in every scenario (a short option's theta over
            // the horizon beats the tail move): a negative VaR is then real, floored at 0 below.
            if x < -tiny && book == nil { return .failure(ModelFailure(reason: "\(name) is negative (\(x))")) }
            if x > limit + tiny {
                return .failure(ModelFailure(reason: "\(name) \(x) exceeds \(policy.maxLossMultiple) × gross exposure \(gross)"))
            }
        }
        let v = max(0, m.valueAtRisk), es = max(0, m.expectedShortfall)
        var stress: Double?
        if policy.stressWeight > 0, let s = book.map({ $0.stressES(snapshot, confidence: policy.esConfidence) })
            ?? snapshot.stressES(dense: e, confidence: policy.esConfidence) {
            guard s.isFinite else { return .failure(ModelFailure(reason: "stress ES is not finite")) }
            stress = policy.stressWeight * max(0, s)
        }
        let grid = book?.gridLoss(move: policy.scenarioMove, crash: policy.scenarioCrash)
            ?? Self.scenarioGridLoss(e, move: policy.scenarioMove, crash: policy.scenarioCrash)
        var maint = Self.maxKeepingNaN(policy.portfolioFloor * standardMaintenance, Self.maxKeepingNaN(v, es) + addOns)
        maint = Self.maxKeepingNaN(maint, stress ?? 0)
        maint = Self.maxKeepingNaN(maint, grid)
        guard maint.isFinite else { return .failure(ModelFailure(reason: "requirement is not finite")) }
        return .success(PortfolioFigures(valueAtRisk: v, expectedShortfall: es, stressFloor: stress, scenarioFloor: grid, maintenance: maint))
    }
}

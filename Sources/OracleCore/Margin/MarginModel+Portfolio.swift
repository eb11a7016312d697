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

    /// Exposures (one value per pair of the snapshot, in the margin currency) of positions and
    /// non-cash collateral, netted per pair, with the gross exposure the absurdity check compares against.
    static func exposures(snapshot: RiskSnapshot, lines: [Valuation.PositionLine],
                          collateral: [(pair: String, value: Double)]) -> (net: [Double], gross: Double)? {
        var net = [Double](repeating: 0, count: snapshot.pairs.count)
        var gross = 0.0
        for line in lines {
            guard let i = snapshot.index[line.pair] else { return nil }
            // An option enters as its delta equivalent (Σ qty·delta × forward); the option grid,
            // which revalues it in full, is the requirement's floor for such an account.
            let exposure = line.greeks.map { $0.delta * line.markPrice } ?? line.quantity * line.markPrice
            net[i] += exposure
            gross += abs(line.option == nil ? exposure : line.quantity * line.markPrice)
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

    func portfolioRequirement(snapshot: RiskSnapshot, lines: [Valuation.PositionLine], collateral: [(pair: String, value: Double)],
                              standardMaintenance: Double, addOns: Double) -> Result<PortfolioFigures, ModelFailure> {
        guard let (e, gross) = Self.exposures(snapshot: snapshot, lines: lines, collateral: collateral) else {
            return .failure(ModelFailure(reason: "a pair of the account is missing from the risk snapshot"))
        }
        guard gross.isFinite else { return .failure(ModelFailure(reason: "gross exposure not finite")) }
        guard let m = snapshot.measures(dense: e, varConfidence: policy.varConfidence, esConfidence: policy.esConfidence) else {
            return .failure(ModelFailure(reason: "no scenarios"))
        }
        let limit = policy.maxLossMultiple * gross
        // Tolerance for rounding: a perfect hedge nets to exactly 0, a near-perfect one to ±1e-12 of gross.
        let tiny = 1e-9 * max(1, gross)
        for (name, x) in [("VaR", m.valueAtRisk), ("ES", m.expectedShortfall)] {
            if !x.isFinite { return .failure(ModelFailure(reason: "\(name) is not finite")) }
            if x < -tiny { return .failure(ModelFailure(reason: "\(name) is negative (\(x))")) }
            if x > limit + tiny {
                return .failure(ModelFailure(reason: "\(name) \(x) exceeds \(policy.maxLossMultiple) × gross exposure \(gross)"))
            }
        }
        let v = max(0, m.valueAtRisk), es = max(0, m.expectedShortfall)
        var stress: Double?
        if policy.stressWeight > 0, let s = snapshot.stressES(dense: e, confidence: policy.esConfidence) {
            guard s.isFinite else { return .failure(ModelFailure(reason: "stress ES is not finite")) }
            stress = policy.stressWeight * max(0, s)
        }
        let grid = Self.scenarioGridLoss(e, move: policy.scenarioMove, crash: policy.scenarioCrash)
        var maint = Self.maxKeepingNaN(policy.portfolioFloor * standardMaintenance, Self.maxKeepingNaN(v, es) + addOns)
        maint = Self.maxKeepingNaN(maint, stress ?? 0)
        maint = Self.maxKeepingNaN(maint, grid)
        guard maint.isFinite else { return .failure(ModelFailure(reason: "requirement is not finite")) }
        return .success(PortfolioFigures(valueAtRisk: v, expectedShortfall: es, stressFloor: stress, scenarioFloor: grid, maintenance: maint))
    }
}

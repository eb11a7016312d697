extension MarginModel {
    /// The top-ups to publish (notice, account API, what-if). `value` computes each as deficit /
    /// counted value per unit (haircut tiers included), exact when a deposit does not move the
    /// requirement: the standard model, and cash under either model. Under the portfolio model a
    /// non-cash deposit is exposure too, so its amount is searched for (`portfolioTopUp`) — here,
    /// where a figure is published, not inside `value`, which the sweep runs for every account.
    public func publishedTopUps(_ v: Valuation, account: Account, marks: [String: Mark], risk: (any RiskSource)?,
                                options: OptionMarket? = nil) -> [Valuation.TopUp] {
        guard case .portfolio = v.riskModel, v.deficit > 0, v.priced else { return v.topUps }
        let thresholds = LevelThresholds(policy: policy, overrides: account.thresholds)
        let shortfall = thresholds.cureTarget(maintenance: v.maintenanceRequirement, initial: v.initialRequirement) - v.equity
        return v.topUps.compactMap { t in
            t.asset == universe.currency ? t
                : portfolioTopUp(t, shortfall: shortfall, account: account, marks: marks, risk: risk, options: options,
                                 thresholds: thresholds)
        }
    }

    /// The deposit of one non-cash asset that cures a call under the portfolio model.
    ///
    /// There collateral is exposure (docs/margin-model.md §5): BTC deposited behind a long BTC
    /// position raises the scenario losses and the grid floor, so `deficit / counted value per unit`
    /// leaves the call open. The shortfall (cure target − equity) is piecewise linear in the amount
    /// deposited, so secant steps from the counted-value estimate find the amount in a few
    /// valuations; each step aims a millionth past the root so that the check lands on the cured
    /// side. When no deposit of the asset cures within a few steps (its own risk eats what it counts
    /// for), the asset is left out of `top_up` rather than published with an amount that does not cure.
    func portfolioTopUp(_ estimate: Valuation.TopUp, shortfall: Double, account: Account, marks: [String: Mark],
                        risk: (any RiskSource)?, options: OptionMarket? = nil, thresholds: LevelThresholds) -> Valuation.TopUp? {
        func remaining(after amount: Double) -> Double? {
            var trial = account
            if let i = trial.collateral.firstIndex(where: { $0.asset == estimate.asset }) {
                let total = trial.collateral[i].amount.value + amount
                trial.collateral[i].amount = VenueNumber(text: "\(total)", value: total)
            } else {
                trial.collateral.append(CollateralBalance(asset: estimate.asset, amount: VenueNumber(text: "\(amount)", value: amount)))
            }
            let v = value(trial, marks: marks, risk: risk, options: options)
            guard v.priced, v.equity.isFinite, v.maintenanceRequirement.isFinite, v.initialRequirement.isFinite else { return nil }
            if thresholds.isCured(equity: v.equity, maintenance: v.maintenanceRequirement, initial: v.initialRequirement) { return 0 }
            return thresholds.cureTarget(maintenance: v.maintenanceRequirement, initial: v.initialRequirement) - v.equity
        }
        var a0 = 0.0, s0 = shortfall
        var a1 = estimate.amount
        guard a1 > 0, a1.isFinite, var s1 = remaining(after: a1) else { return nil }
        for _ in 0..<8 {
            if s1 <= 0 { return .init(asset: estimate.asset, amount: Self.roundUp(a1, digits: 8)) }
            let cured = (s0 - s1) / (a1 - a0)   // shortfall removed per unit deposited
            guard cured > 0, cured.isFinite else { return nil }
            let next = a1 + s1 / cured * (1 + 1e-6)
            guard next.isFinite, next > a1 else { return nil }
            a0 = a1
            s0 = s1
            a1 = next
            guard let s = remaining(after: a1) else { return nil }
            s1 = s
        }
        return s1 <= 0 ? .init(asset: estimate.asset, amount: Self.roundUp(a1, digits: 8)) : nil
    }
}

/// Why an option position or the grid could not be valued (the account's `unpricedReason`).
struct OptionRefusal: Error, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// What valuing an option needs beyond the marks: σ for a strike and expiry, and the time.
///
/// The daemon builds one per evaluation from its `[[vol]]` surfaces (`SurfaceVolatility`) and its
/// clock; tests pass a `FlatVolatility`. Without one (nil), an account holding an option is
/// `unpriced`: an option valued on a guessed σ or at an unknown time is no valuation.
public struct OptionMarket: Sendable {
    public var volatility: any VolatilityLookup & Sendable
    /// Valuation time, Unix ms UTC: sets every option's time to expiry (ACT/365).
    public var nowMs: Int64

    public init(volatility: any VolatilityLookup & Sendable, nowMs: Int64) {
        self.volatility = volatility
        self.nowMs = nowMs
    }
}

/// Options in `MarginModel.value` (docs/options.md "Accounts" has the formulas and defaults):
///
/// - **Value**: Black-76 per contract with F = the underlying's mark (mid: the forward is the
///   oracle's price, its confidence interval is not applied to options), σ = the surface at the
///   option's strike and expiry, r = `[margin] option_rate` (0), T = ACT/365 from `nowMs`; at or
///   after expiry the intrinsic value at the mark. Equity += quantity × (value − entry premium).
/// - **Requirement**: per underlying the account holds options on, all its positions on that
///   underlying — options and linear — are margined together by `ScenarioGrid` (correlated
///   underlyings as the risk history says, uncorrelated without it), replacing those linear
///   positions' standard rates; initial = `initialMultiple` × the grid requirement. Linear
///   positions on other pairs keep their standard rates; liquidity and concentration add-ons apply
///   to linear positions as before.
extension MarginModel {
    /// One option position valued, or why it cannot be (no σ at that point, an input refused).
    static func optionLine(_ p: Position, contract o: OptionContract, forward: Double, market: OptionMarket?,
                           rate: Double) -> Result<Valuation.PositionLine, OptionRefusal> {
        let name = o.venueName
        guard let market else {
            return .failure(OptionRefusal("\(name) cannot be valued: no volatility source for options (a [[vol]] block serving \(o.underlying))"))
        }
        let q = p.quantity.value, entry = p.entryPrice.value
        let years = Black76.years(from: market.nowMs, to: o.expiryMs)
        var sigma = 0.0
        if years > 0 {
            guard let s = market.volatility.volatility(underlying: o.underlying, strike: o.strike.value, expiryMs: o.expiryMs,
                                                       forward: forward, nowMs: market.nowMs) else {
                return .failure(OptionRefusal("no volatility for \(name): the \(o.underlying) surface has nothing usable at that strike and expiry (GET /v1/vol)"))
            }
            sigma = s
        }
        let g: OptionGreeks
        do { g = try Black76.value(o.right, forward: forward, strike: o.strike.value, volatility: sigma, years: years, rate: rate) } catch {
            return .failure(OptionRefusal("\(name) cannot be valued: \(error)"))
        }
        let pnl = q * (g.price - entry)
        return .success(Valuation.PositionLine(
            pair: o.underlying, quantity: q, entryPrice: entry, markPrice: forward, valuationPrice: g.price,
            notional: abs(q) * forward, unrealisedPnl: pnl, maintenance: 0, initial: 0, liquidityAddOn: 0,
            concentrationAddOn: 0, option: o, volatility: years > 0 ? sigma : nil, greeks: g.scaled(by: q)))
    }

    /// The scenario grid over `positions` (the options and the linear positions on their
    /// underlyings), or why it refused.
    func optionGrid(_ positions: [GridPosition], forwards: [String: Double], market: OptionMarket,
                    risk: (any RiskSource)?) -> Result<Valuation.OptionMargin, OptionRefusal> {
        let underlyings = Array(Set(positions.map(\.underlying))).sorted()
        let grid: GridResult
        do {
            grid = try ScenarioGrid.evaluate(positions, forwards: forwards, volatility: market.volatility, nowMs: market.nowMs,
                                             correlation: gridCorrelation(underlyings, risk: risk), policy: policy.optionGrid)
        } catch {
            return .failure(OptionRefusal("the option grid refused: \(error)"))
        }
        return .success(Valuation.OptionMargin(
            requirement: grid.requirement, initial: grid.requirement * policy.optionGrid.initialMultiple,
            worstLoss: grid.worstLoss, shortOptionMinimum: grid.shortOptionMinimum, worst: grid.worst, risk: grid.risk))
    }

    /// Correlations between the grid's underlyings from the risk history's EWMA covariance, when it
    /// has enough returns over all of them; otherwise none (ρ = 0: no offset between underlyings,
    /// the conservative choice the grid documents).
    func gridCorrelation(_ underlyings: [String], risk: (any RiskSource)?) -> GridCorrelation {
        var out = GridCorrelation()
        guard underlyings.count > 1, let snap = risk?.snapshot(for: underlyings),
              snap.returnCount >= max(1, policy.minHistory) else { return out }
        for (i, a) in underlyings.enumerated() {
            for b in underlyings[(i + 1)...] {
                guard let ab = snap.covariance(a, b), let aa = snap.covariance(a, a), let bb = snap.covariance(b, b),
                      aa > 0, bb > 0 else { continue }
                let rho = ab / (aa * bb).squareRoot()
                guard rho.isFinite else { continue }
                try? out.set(a, b, min(1, max(-1, rho)))
            }
        }
        return out
    }
}

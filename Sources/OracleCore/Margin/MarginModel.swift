/// Values accounts on a snapshot of marks (DESIGN.md "Valuation" and "Requirements").
///
/// - **Equity** = Σ collateral × price × (1 − haircut) + Σ quantity × (price − entry). The margin
///   currency counts at 1 without haircut. With `price_side = conservative` collateral and longs
///   use mark − confidence (floored at 0 for collateral) and shorts mark + confidence, so a wide
///   interval lowers equity instead of flattering it.
/// - **Standard requirement**: Σ over positions of the tiered rate on notional |q| × mark; tiers are
///   marginal (like tax brackets), so the requirement is continuous in size.
/// - **Portfolio requirement** (when `model = portfolio` and enough history):
///   max(floor × standard, max(VaR, ES) + liquidity add-on) for maintenance, and the same scaled by
///   standard initial / standard maintenance for the initial requirement. VaR/ES cover the
///   positions; collateral price risk is covered by its haircut, as in the standard model.
/// - **Liquidity add-on** per position with an ADV: |q| · mark · (spread_bps + impact_bps · √(|q|/ADV)) / 10⁴.
public struct MarginModel: Sendable {
    public var universe: MarginUniverse

    public init(universe: MarginUniverse) {
        self.universe = universe
    }

    public var policy: MarginPolicy { universe.policy }

    /// A mark can price an account: present, not `stale`/`unavailable`, with a positive finite price.
    public static func isPriceable(_ mark: Mark?) -> Bool {
        guard let m = mark, m.status == .ok || m.status == .degraded, let p = m.price else { return false }
        return p.isFinite && p > 0
    }

    /// A mark may trigger notices: `ok`, or `degraded` with at least `minTriggerSources` usable sources.
    public func isTriggerEligible(_ mark: Mark) -> Bool {
        Self.isPriceable(mark) && (mark.status == .ok || mark.sourcesUsed >= policy.minTriggerSources)
    }

    /// Marginal-rate requirement on a notional: `baseRate` below the first tier, each tier's rate
    /// on the slice of notional above its `fromNotional` up to the next tier's.
    public static func tieredRequirement(notional: Double, baseRate: Double, tiers: [MarginTier], initial: Bool) -> Double {
        guard !tiers.isEmpty else { return notional * baseRate }
        var total = 0.0
        var from = 0.0, rate = baseRate
        for tier in tiers {
            if notional <= tier.fromNotional { return total + (notional - from) * rate }
            total += (tier.fromNotional - from) * rate
            from = tier.fromNotional
            rate = initial ? tier.initialMargin : tier.maintenanceMargin
        }
        return total + (notional - from) * rate
    }

    /// The deposit (in the margin currency) that cures a call at once:
    /// max(0, max(initial, callExitRatio × maintenance) − equity), rounded up to the cent. The cure
    /// test allows `LevelThresholds.cureTolerance` of the target, so a shortfall within it is 0 and
    /// rounding noise does not add a cent to an exact figure.
    public static func cureDeficit(equity: Double, maintenance: Double, initial: Double, thresholds: LevelThresholds) -> Double {
        let target = thresholds.cureTarget(maintenance: maintenance, initial: initial)
        let slack = LevelThresholds.cureTolerance * max(1, abs(target))
        let shortfall = target - equity
        guard shortfall > slack else { return 0 }
        return roundUp(shortfall - slack, digits: 2)
    }

    /// `x` rounded up to `digits` fraction digits.
    static func roundUp(_ x: Double, digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded(.up) / scale
        return r >= x ? r : r.nextUp
    }

    /// Liquidity add-on of closing |quantity| at `price` on `pair` (0 without a positive ADV).
    public func liquidityAddOn(pair: String, quantity: Double, price: Double) -> Double {
        guard let risk = universe.pairs[pair]?.risk, let adv = risk.adv, adv > 0 else { return 0 }
        let q = abs(quantity)
        return q * price * (risk.spreadBps + risk.impactBps * (q / adv).squareRoot()) / 10_000
    }

    /// Values `account` on `marks` (by pair symbol). `risk` is the current `RiskSnapshot`, needed
    /// only by the portfolio model; without one (or without enough returns for the account's
    /// pairs) the standard requirement applies and `riskModel` says why.
    public func value(_ account: Account, marks: [String: Mark], risk: RiskSnapshot? = nil) -> Valuation {
        let conservative = policy.priceSide == .conservative
        var priced = true, eligible = true
        var missingPair: String?, reason: String?
        var used: [Valuation.MarkUsed] = []

        func price(_ pair: String) -> (mid: Double, conf: Double)? {
            guard let m = marks[pair], Self.isPriceable(m), let p = m.price else {
                if priced {
                    priced = false
                    missingPair = pair
                    if let m = marks[pair] {
                        reason = m.price == nil ? "\(pair) has no price (\(m.status.rawValue))" : "\(pair) is \(m.status.rawValue)"
                    } else {
                        reason = "\(pair) has no mark"
                    }
                }
                eligible = false
                return nil
            }
            if !used.contains(where: { $0.pair == pair }) {
                if !isTriggerEligible(m) { eligible = false }
                used.append(.init(pair: pair, price: p, confidence: max(0, m.confidence ?? 0), sources: m.sourcesUsed, status: m.status))
            }
            let c = m.confidence ?? 0
            return (p, c.isFinite ? max(0, c) : 0)
        }

        var equity = 0.0
        var collateral: [Valuation.CollateralLine] = []
        for c in account.collateral {
            let amount = c.amount.value
            let haircut = universe.haircut(c.asset)
            var px = 1.0
            if c.asset != universe.currency {
                guard let pair = universe.collateralPair(c.asset) else {
                    if priced { priced = false; missingPair = nil; reason = "asset \(c.asset) has no pricing pair" }
                    continue
                }
                if amount == 0 { px = marks[pair]?.price ?? 0 } else {
                    guard let m = price(pair) else { continue }
                    px = conservative ? max(0, m.mid - m.conf) : m.mid
                }
            }
            let value = amount * px * (1 - haircut)
            equity += value
            collateral.append(.init(asset: c.asset, amount: amount, price: px, haircut: haircut, value: value))
        }

        var lines: [Valuation.PositionLine] = []
        var stdMaint = 0.0, stdInit = 0.0, liquidity = 0.0
        for p in account.positions {
            let q = p.quantity.value, entry = p.entryPrice.value
            guard q != 0 else { continue }
            guard let m = price(p.pair), let spec = universe.pairs[p.pair] else { continue }
            let vp = conservative ? (q > 0 ? m.mid - m.conf : m.mid + m.conf) : m.mid
            let pnl = q * (vp - entry)
            let notional = abs(q) * m.mid
            let mm = Self.tieredRequirement(notional: notional, baseRate: spec.maintenanceMargin, tiers: spec.risk.tiers, initial: false)
            let im = Self.tieredRequirement(notional: notional, baseRate: spec.initialMargin, tiers: spec.risk.tiers, initial: true)
            let liq = liquidityAddOn(pair: p.pair, quantity: q, price: m.mid)
            equity += pnl
            stdMaint += mm
            stdInit += im
            liquidity += liq
            lines.append(.init(pair: p.pair, quantity: q, entryPrice: entry, markPrice: m.mid, valuationPrice: vp,
                               notional: notional, unrealisedPnl: pnl, maintenance: mm, initial: im, liquidityAddOn: liq))
        }

        var maint = stdMaint, initial = stdInit
        var model = Valuation.RiskModel.standard
        var valueAtRisk: Double?, shortfall: Double?, addOn = 0.0
        if policy.model == .portfolio {
            let need = max(1, policy.minHistory)
            var exposures: [(index: Int, value: Double)] = []
            var have = risk?.returnCount ?? 0
            for line in lines {
                guard let i = risk?.index[line.pair] else { have = 0; break }
                exposures.append((i, line.quantity * line.markPrice))
            }
            if let risk, have >= need {
                let v = risk.parametricVaR(exposures: exposures, confidence: policy.varConfidence)
                let es = risk.historicalES(exposures: exposures, confidence: policy.esConfidence)
                valueAtRisk = v
                shortfall = es
                addOn = liquidity
                let riskBased = max(v, es) + liquidity
                maint = max(policy.portfolioFloor * stdMaint, riskBased)
                initial = maint * (stdMaint > 0 ? stdInit / stdMaint : 1)
                model = .portfolio
            } else {
                model = .standardInsufficientHistory(have: have, need: need)
            }
        }

        // A valuation that is not finite (absurd sizes overflow, a NaN from a model) is no valuation:
        // the account is unpriced, says why, and drives no notice. A zero requirement (ratio +∞) is fine.
        if priced, !(equity.isFinite && maint.isFinite && initial.isFinite) || maint < 0 || initial < 0 {
            priced = false
            missingPair = nil
            reason = "valuation is not finite (equity \(equity), maintenance \(maint), initial \(initial)); check the account's sizes and prices"
        }
        let ratio = maint > 0 ? equity / maint : .infinity
        // Curing needs equity ≥ initial and ratio ≥ the account's call exit ratio (its thresholds,
        // overrides included), so the deposit that cures is max(initial, call_exit × maintenance) − equity.
        let thresholds = LevelThresholds(policy: policy, overrides: account.thresholds)
        let deficit = priced ? Self.cureDeficit(equity: equity, maintenance: maint, initial: initial, thresholds: thresholds) : 0
        var topUps: [Valuation.TopUp] = []
        if deficit > 0 {
            let assets = [universe.currency] + universe.knownAssets.filter { $0 != universe.currency }
            for asset in assets {
                var px = 1.0
                if asset != universe.currency {
                    guard let pair = universe.collateralPair(asset), let m = marks[pair], Self.isPriceable(m),
                          let mid = m.price else { continue }
                    px = conservative ? max(0, mid - max(0, m.confidence.map { $0.isFinite ? $0 : 0 } ?? 0)) : mid
                }
                // The asset's value per unit as the valuation counts it: conservative price, less haircut.
                let unit = px * (1 - universe.haircut(asset))
                guard unit > 0, unit.isFinite else { continue }
                // Rounded up to 1e-8 units (what the notice writes), so the deposit never falls short.
                topUps.append(.init(asset: asset, amount: Self.roundUp(deficit / unit, digits: 8)))
            }
        }
        return Valuation(accountId: account.id, priced: priced, missingPair: missingPair, unpricedReason: reason,
                         triggerEligible: eligible && priced, equity: equity, collateral: collateral, positions: lines,
                         maintenanceRequirement: maint, initialRequirement: initial,
                         standardMaintenance: stdMaint, standardInitial: stdInit,
                         valueAtRisk: valueAtRisk, expectedShortfall: shortfall, liquidityAddOn: addOn,
                         riskModel: model, ratio: ratio, deficit: deficit, topUps: topUps, marks: used)
    }
}

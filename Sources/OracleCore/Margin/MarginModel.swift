/// Values accounts on a snapshot of marks (docs/margin-model.md has every formula, default and why).
///
/// - **Equity** = Σ collateral counted value + Σ quantity × (price − entry). Collateral counts
///   amount × price less its haircut, tiered by size when `[[collateral]] tiers` are set (each
///   slice of value at its tier's haircut). The margin currency counts at 1 without haircut. With
///   `price_side = conservative` collateral and longs use mark − confidence (floored at 0 for
///   collateral) and shorts mark + confidence, so a wide interval lowers equity.
/// - **Standard requirement**: Σ over positions of the tiered rate on notional |q| × mark (tiers
///   marginal, like tax brackets) plus the liquidity and concentration add-ons.
/// - **Portfolio requirement** (when `model = portfolio` and the account's own pairs have enough
///   history): max(floor × standard, max(VaR, ES) + add-ons, stress_weight × stress ES, scenario
///   grid) for maintenance; initial = maintenance × standard initial / standard maintenance.
///   VaR/ES are filtered historical simulation over the account's exposures — positions *and*
///   non-cash collateral at its counted value, so BTC collateral behind a long BTC adds risk and
///   behind a short offsets it. A VaR/ES that is non-finite, negative or above
///   `max_loss_multiple` × gross exposure is a model failure: the standard requirement applies and
///   `riskModel` says why (`standardFallback`). No NaN can pass through a `max`.
/// - **Liquidity add-on** per position with an ADV: |q|·mark·(spread_bps + impact_bps·v·√(|q|/ADV))/10⁴,
///   v = current / long-run volatility of the pair (1 without history).
/// - **Concentration add-on** per position with an ADV: with D = |q| / (max_participation · ADV)
///   days to close, notional · z_VaR · σ_h · (√D − 1) when D > 1; σ_h is the pair's horizon
///   volatility, or maintenance_margin / z_VaR without history.
public struct MarginModel: Sendable {
    public var universe: MarginUniverse {
        didSet { zVaRCache = NormalDistribution.quantile(universe.policy.varConfidence) }
    }
    /// Φ⁻¹(var_confidence), computed once rather than per position.
    private var zVaRCache: Double

    public init(universe: MarginUniverse) {
        self.universe = universe
        self.zVaRCache = NormalDistribution.quantile(universe.policy.varConfidence)
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

    /// Liquidity add-on of closing |quantity| at `price` on `pair` (0 without a positive ADV);
    /// `volScale` is current / long-run volatility (1 when unknown).
    public func liquidityAddOn(pair: String, quantity: Double, price: Double, volScale: Double = 1) -> Double {
        universe.pairs[pair].map { Self.liquidityAddOn(spec: $0, quantity: quantity, price: price, volScale: volScale) } ?? 0
    }

    static func liquidityAddOn(spec: PairSpec, quantity: Double, price: Double, volScale: Double) -> Double {
        guard let adv = spec.risk.adv, adv > 0 else { return 0 }
        let q = abs(quantity)
        let scale = volScale.isFinite && volScale > 0 ? volScale : 1
        return q * price * (spec.risk.spreadBps + spec.risk.impactBps * scale * (q / adv).squareRoot()) / 10_000
    }

    /// Concentration add-on: the extra √D − 1 horizons of risk of a position that takes D > 1 days
    /// to close at `max_participation` of ADV (0 without a positive ADV). `horizonSigma` is the
    /// pair's volatility at the horizon, nil to use maintenance_margin / z_VaR.
    public func concentrationAddOn(pair: String, quantity: Double, price: Double, horizonSigma: Double?) -> Double {
        universe.pairs[pair].map {
            Self.concentrationAddOn(spec: $0, quantity: quantity, price: price, horizonSigma: horizonSigma,
                                    participation: policy.maxParticipation, zVaR: zVaRCache)
        } ?? 0
    }

    static func concentrationAddOn(spec: PairSpec, quantity: Double, price: Double, horizonSigma: Double?,
                                   participation: Double, zVaR: Double) -> Double {
        guard let adv = spec.risk.adv, adv > 0, participation > 0 else { return 0 }
        let days = abs(quantity) / (participation * adv)
        guard days > 1 else { return 0 }
        let move: Double
        if let s = horizonSigma, s.isFinite, s > 0 { move = zVaR * s } else { move = spec.maintenanceMargin }
        return abs(quantity) * price * move * (days.squareRoot() - 1)
    }

    /// The pairs whose returns an account's portfolio risk needs: its positions' and its non-cash
    /// collateral's pricing pairs, sorted and distinct (the key of a `RiskBook` snapshot).
    public func riskPairs(_ account: Account) -> [String] {
        var list: [String] = []
        list.reserveCapacity(account.positions.count + account.collateral.count)
        for p in account.positions where p.quantity.value != 0 { list.append(p.pair) }
        for c in account.collateral where c.amount.value != 0 {
            if let pair = universe.collateralPair(c.asset) { list.append(pair) }
        }
        list.sort()
        var out: [String] = []
        out.reserveCapacity(list.count)
        for p in list where out.last != p { out.append(p) }
        return out
    }

    /// The larger of two requirement candidates, with NaN never dropped: Swift's `max` returns
    /// whichever operand compares, so `max(x, .nan)` can silently lose the NaN. Here a NaN wins.
    static func maxKeepingNaN(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return a > b ? a : b
    }

    /// Values `account` on `marks` (by pair symbol). `risk` gives the market-risk view (a
    /// `RiskBook` in the daemon); the portfolio model needs one with enough returns over the
    /// account's own pairs, otherwise the standard requirement applies and `riskModel` says why.
    /// The add-ons use it for volatility in both models.
    ///
    /// `options` gives σ and the time for option positions (`MarginModel+Options.swift`); an account
    /// holding an option without it, or without a usable σ, is `unpriced`.
    public func value(_ account: Account, marks: [String: Mark], risk: (any RiskSource)? = nil,
                      options: OptionMarket? = nil) -> Valuation {
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
        /// Non-cash collateral as exposure: (pair, counted value).
        var collateralExposure: [(pair: String, value: Double)] = []
        for c in account.collateral {
            let amount = c.amount.value
            var px = 1.0
            var pricingPair: String?
            if c.asset != universe.currency {
                guard let pair = universe.collateralPair(c.asset) else {
                    if priced { priced = false; missingPair = nil; reason = "asset \(c.asset) has no pricing pair" }
                    continue
                }
                pricingPair = pair
                if amount == 0 { px = marks[pair]?.price ?? 0 } else {
                    guard let m = price(pair) else { continue }
                    px = conservative ? max(0, m.mid - m.conf) : m.mid
                }
            }
            let gross = amount * px
            let value: Double
            var haircut = universe.haircut(c.asset)
            if c.asset != universe.currency, let spec = universe.collateral[c.asset] {
                value = spec.countedValue(gross)
                if gross > 0 { haircut = 1 - value / gross }
            } else {
                value = gross * (1 - haircut)
            }
            equity += value
            collateral.append(.init(asset: c.asset, amount: amount, price: px, haircut: haircut, value: value))
            if let pricingPair, amount != 0 { collateralExposure.append((pricingPair, value)) }
        }

        var lines: [Valuation.PositionLine] = []
        lines.reserveCapacity(account.positions.count)
        let zVaR = zVaRCache
        var stdMaint = 0.0, stdInit = 0.0, liquidity = 0.0, concentration = 0.0
        var gridPositions: [GridPosition] = []
        var optionPairs: Set<String> = []
        for p in account.positions {
            let q = p.quantity.value, entry = p.entryPrice.value
            guard q != 0 else { continue }
            guard let m = price(p.pair), let spec = universe.pairs[p.pair] else { continue }
            if let o = p.option {
                switch Self.optionLine(p, contract: o, forward: m.mid, market: options, rate: policy.optionGrid.rate) {
                case let .success(line):
                    equity += line.unrealisedPnl
                    lines.append(line)
                    gridPositions.append(GridPosition(option: o, quantity: q, entryPrice: entry))
                    optionPairs.insert(p.pair)
                case let .failure(why):
                    if priced { priced = false; missingPair = nil; reason = why.reason }
                    eligible = false
                }
                continue
            }
            let vp = conservative ? (q > 0 ? m.mid - m.conf : m.mid + m.conf) : m.mid
            let pnl = q * (vp - entry)
            let notional = abs(q) * m.mid
            let mm = Self.tieredRequirement(notional: notional, baseRate: spec.maintenanceMargin, tiers: spec.risk.tiers, initial: false)
            let im = Self.tieredRequirement(notional: notional, baseRate: spec.initialMargin, tiers: spec.risk.tiers, initial: true)
            let hasADV = (spec.risk.adv ?? 0) > 0
            let vol = hasADV ? risk?.volatility(of: p.pair) : nil
            let liq = Self.liquidityAddOn(spec: spec, quantity: q, price: m.mid, volScale: vol?.scale ?? 1)
            let conc = Self.concentrationAddOn(spec: spec, quantity: q, price: m.mid, horizonSigma: vol?.horizonSigma,
                                               participation: policy.maxParticipation, zVaR: zVaR)
            equity += pnl
            stdMaint += mm
            stdInit += im
            liquidity += liq
            concentration += conc
            lines.append(.init(pair: p.pair, quantity: q, entryPrice: entry, markPrice: m.mid, valuationPrice: vp,
                               notional: notional, unrealisedPnl: pnl, maintenance: mm, initial: im, liquidityAddOn: liq,
                               concentrationAddOn: conc))
        }

        // Options: their underlyings' positions leave the standard rates for the scenario grid.
        var optionMargin: Valuation.OptionMargin?
        if !optionPairs.isEmpty, let options {
            var forwards: [String: Double] = [:]
            for i in lines.indices where optionPairs.contains(lines[i].pair) {
                forwards[lines[i].pair] = lines[i].markPrice
                guard lines[i].option == nil else { continue }
                stdMaint -= lines[i].maintenance
                stdInit -= lines[i].initial
                lines[i].maintenance = 0
                lines[i].initial = 0
                lines[i].inOptionGrid = true
                gridPositions.append(GridPosition(underlying: lines[i].pair, quantity: lines[i].quantity, entryPrice: lines[i].entryPrice))
            }
            // The sums again from the lines, rather than trusting the subtractions to cancel exactly.
            stdMaint = lines.reduce(0) { $0 + $1.maintenance }
            stdInit = lines.reduce(0) { $0 + $1.initial }
            switch optionGrid(gridPositions, forwards: forwards, market: options, risk: risk) {
            case let .success(figures):
                optionMargin = figures
                stdMaint += figures.requirement
                stdInit += figures.initial
            case let .failure(why):
                if priced { priced = false; missingPair = nil; reason = why.reason }
                eligible = false
            }
        }

        // Standard model: the rates plus the add-ons (both models charge what closing costs).
        let addOns = liquidity + concentration
        var maint = stdMaint + addOns, initial = stdInit + addOns
        var model = Valuation.RiskModel.standard
        var valueAtRisk: Double?, shortfall: Double?
        var stressFloor: Double?, scenarioFloor: Double?
        if policy.model == .portfolio {
            let need = max(1, policy.minHistory)
            let pairs = riskPairs(account)
            let snapshot = pairs.isEmpty ? nil : risk?.snapshot(for: pairs)
            let have = snapshot?.returnCount ?? 0
            if pairs.isEmpty {
                model = .portfolio // nothing at risk: the floors below still apply (all zero)
                valueAtRisk = 0
                shortfall = 0
            } else if let snapshot, have >= need {
                let outcome = portfolioRequirement(snapshot: snapshot, lines: lines, collateral: collateralExposure,
                                                   standardMaintenance: stdMaint, addOns: addOns, optionNowMs: options?.nowMs)
                switch outcome {
                case let .success(r):
                    valueAtRisk = r.valueAtRisk
                    shortfall = r.expectedShortfall
                    stressFloor = r.stressFloor
                    scenarioFloor = r.scenarioFloor
                    maint = r.maintenance
                    // The option grid is a floor of the portfolio requirement: the history's scenarios
                    // move prices only, the grid also shocks volatility.
                    if optionMargin != nil { maint = Self.maxKeepingNaN(maint, stdMaint + addOns) }
                    initial = maint * (stdMaint > 0 ? stdInit / stdMaint : 1)
                    model = .portfolio
                case let .failure(problem):
                    model = .standardFallback(reason: problem.reason)
                }
            } else {
                model = .standardInsufficientHistory(have: have, need: need)
            }
        }
        // Last line of defence: a non-finite requirement never reaches the level machine as a number.
        if !maint.isFinite || !initial.isFinite || maint < 0 {
            maint = stdMaint + addOns
            initial = stdInit + addOns
            valueAtRisk = nil
            shortfall = nil
            stressFloor = nil
            scenarioFloor = nil
            model = .standardFallback(reason: "requirement not finite")
        }

        // A valuation that is not finite (absurd sizes overflow, a NaN from a model) is no valuation:
        // the account is unpriced, says why, and drives no notice. A zero requirement (ratio +∞) is fine.
        if priced, !(equity.isFinite && maint.isFinite && initial.isFinite) || maint < 0 || initial < 0 {
            priced = false
            missingPair = nil
            reason = "valuation is not finite (equity \(equity), maintenance \(maint), initial \(initial)); check the account's sizes and prices"
        }
        // Nothing required: +∞, unless equity is negative (a cash debt left by an option's settlement
        // with no position behind it), which is −∞: below every threshold, so the debt is called.
        let ratio = maint > 0 ? equity / maint : (equity < 0 ? -.infinity : .infinity)
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
                // The deposit counts at the conservative price less the haircut of the tier(s) it lands
                // in above the balance already held (a balance in a higher tier takes that tier's haircut).
                let amount: Double
                if asset != universe.currency, let spec = universe.collateral[asset], !spec.tiers.isEmpty {
                    let held = collateral.reduce(0.0) { $1.asset == asset ? $0 + $1.amount * $1.price : $0 }
                    amount = spec.valueToAdd(counted: deficit, above: held) / px
                } else {
                    amount = deficit / (px * (1 - universe.haircut(asset)))
                }
                guard px > 0, amount.isFinite, amount > 0 else { continue }
                // Rounded up to 1e-8 units (what the notice writes), so the deposit never falls short.
                topUps.append(.init(asset: asset, amount: Self.roundUp(amount, digits: 8)))
            }
        }
        return Valuation(accountId: account.id, priced: priced, missingPair: missingPair, unpricedReason: reason,
                         triggerEligible: eligible && priced, equity: equity, collateral: collateral, positions: lines,
                         maintenanceRequirement: maint, initialRequirement: initial,
                         standardMaintenance: stdMaint, standardInitial: stdInit,
                         valueAtRisk: valueAtRisk, expectedShortfall: shortfall, liquidityAddOn: liquidity,
                         riskModel: model, concentrationAddOn: concentration, stressFloor: stressFloor, scenarioFloor: scenarioFloor,
                         optionMargin: optionMargin, ratio: ratio, deficit: deficit, topUps: topUps, marks: used)
    }
}

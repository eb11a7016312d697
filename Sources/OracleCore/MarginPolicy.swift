/// `[margin]` of oracles.toml after validation: thresholds on ratio = adjusted equity / maintenance.
public struct MarginPolicy: Sendable, Equatable {
    public enum Model: String, Sendable, Equatable, CaseIterable { case standard, portfolio }
    /// Which side of a mark's confidence interval values collateral and positions.
    public enum PriceSide: String, Sendable, Equatable, CaseIterable {
        /// Collateral at price − confidence, longs at price − confidence, shorts at price + confidence.
        case conservative
        case mid
    }

    public var currency: String
    public var model: Model
    public var warnRatio: Double
    public var warnExitRatio: Double
    public var callRatio: Double
    public var urgentRatio: Double
    public var liquidationRatio: Double
    /// Ratio above which a level de-escalates (hysteresis) for call/urgent levels; defaults to warn_exit_ratio.
    public var callDeadlineMs: Int64
    public var priceSide: PriceSide
    /// Notices only from `ok` marks, or `degraded` marks with at least this many usable sources.
    public var minTriggerSources: Int
    /// Slow mark: EWMA window for the liquidation confirmation.
    public var slowMarkWindowMs: Int64
    /// Share of priced accounts entering call on one update that flags a mass-call event.
    public var massCallShare: Double
    /// Portfolio model.
    public var varConfidence: Double
    public var esConfidence: Double
    public var horizonMs: Int64
    public var ewmaLambda: Double
    public var portfolioFloor: Double
    /// The option scenario grid (docs/options.md "Accounts"): ranges, vol shocks, extremes, the
    /// short-option minimum and the initial multiple.
    public var optionGrid = ScenarioGridPolicy()
    /// Returns needed before the risk-based requirement is used.
    public var minHistory: Int
    /// Interval of stored mark history (one return per interval).
    public var historyIntervalMs: Int64

    // Calibration of the portfolio model (docs/margin-model.md has each formula and why).

    /// The filtering volatility is never below this share of the long-run volatility, so a flat
    /// stretch cannot make the next move an enormous z-score.
    public var volFloorShare: Double
    /// |z| of a devolatilised return is clipped to this many (floored) standard deviations.
    public var zMax: Double
    /// Most recent returns of the estimation series used as FHS scenarios and for the EWMA.
    public var lookbackReturns: Int
    /// Daily closes kept per pair (the daily series behind a 1-day horizon and the stress windows).
    public var historyDays: Int
    /// VaR or ES above this multiple of the account's gross exposure is a model failure.
    public var maxLossMultiple: Double
    /// Requirement ≥ `stressWeight` × ES over the stress windows present in the history.
    public var stressWeight: Double
    public var stressWindows: [StressWindow]
    /// Scenario grid: each asset alone ±`scenarioMove`, and all assets together ±`scenarioCrash`.
    public var scenarioMove: Double
    public var scenarioCrash: Double
    /// Share of a pair's ADV that can be sold per day when closing a position (concentration add-on).
    public var maxParticipation: Double

    public init(currency: String = "USD", model: Model = .standard, warnRatio: Double = 1.30,
                warnExitRatio: Double = 1.40, callRatio: Double = 1.10, urgentRatio: Double = 1.00,
                liquidationRatio: Double = 0.90, callDeadlineMs: Int64 = 3_600_000,
                priceSide: PriceSide = .conservative, minTriggerSources: Int = 2,
                slowMarkWindowMs: Int64 = 300_000, massCallShare: Double = 0.25,
                varConfidence: Double = 0.99, esConfidence: Double = 0.975, horizonMs: Int64 = 86_400_000,
                ewmaLambda: Double = 0.97, portfolioFloor: Double = 0.5, minHistory: Int = 30,
                historyIntervalMs: Int64 = 60_000, volFloorShare: Double = 0.25, zMax: Double = 20,
                lookbackReturns: Int = 1_000, historyDays: Int = 4_000, maxLossMultiple: Double = 3,
                stressWeight: Double = 0.25, stressWindows: [StressWindow] = StressWindow.defaults,
                scenarioMove: Double = 0.05, scenarioCrash: Double = 0.10, maxParticipation: Double = 0.10) {
        self.currency = currency
        self.model = model
        self.warnRatio = warnRatio
        self.warnExitRatio = warnExitRatio
        self.callRatio = callRatio
        self.urgentRatio = urgentRatio
        self.liquidationRatio = liquidationRatio
        self.callDeadlineMs = callDeadlineMs
        self.priceSide = priceSide
        self.minTriggerSources = minTriggerSources
        self.slowMarkWindowMs = slowMarkWindowMs
        self.massCallShare = massCallShare
        self.varConfidence = varConfidence
        self.esConfidence = esConfidence
        self.horizonMs = horizonMs
        self.ewmaLambda = ewmaLambda
        self.portfolioFloor = portfolioFloor
        self.minHistory = minHistory
        self.historyIntervalMs = historyIntervalMs
        self.volFloorShare = volFloorShare
        self.zMax = zMax
        self.lookbackReturns = lookbackReturns
        self.historyDays = historyDays
        self.maxLossMultiple = maxLossMultiple
        self.stressWeight = stressWeight
        self.stressWindows = stressWindows
        self.scenarioMove = scenarioMove
        self.scenarioCrash = scenarioCrash
        self.maxParticipation = maxParticipation
    }
}

/// A designated stress period, whole UTC days `[fromMs, toMs]` (both days included): the
/// anti-procyclicality floor applies the daily returns that ended inside it to today's book.
public struct StressWindow: Sendable, Equatable {
    public var fromMs: Int64
    public var toMs: Int64

    public init(fromMs: Int64, toMs: Int64) {
        self.fromMs = fromMs
        self.toMs = toMs
    }

    /// Whole days: `fromDay`/`toDay` are (year, month, day).
    public init(from a: (Int, Int, Int), to b: (Int, Int, Int)) {
        fromMs = RFC3339.unixMs(year: a.0, month: a.1, day: a.2, hour: 0, minute: 0, second: 0, millis: 0)
        toMs = RFC3339.unixMs(year: b.0, month: b.1, day: b.2, hour: 23, minute: 59, second: 59, millis: 999)
    }

    /// COVID crash (BTC −37 % on 2020-03-12), LUNA (May 2022), FTX (November 2022).
    public static let defaults: [StressWindow] = [
        StressWindow(from: (2020, 3, 9), to: (2020, 3, 20)),
        StressWindow(from: (2022, 5, 5), to: (2022, 5, 20)),
        StressWindow(from: (2022, 11, 5), to: (2022, 11, 15)),
    ]

    public func contains(_ ms: Int64) -> Bool { ms >= fromMs && ms <= toMs }
}

/// `[[collateral]]`: an asset accepted as collateral, valued on a pair's mark with a haircut.
public struct CollateralSpec: Sendable, Equatable {
    public var asset: String
    /// The pair whose mark prices this asset in the margin currency (nil for the margin currency itself).
    public var pair: String?
    public var haircut: Double
    /// Optional size tiers: value above `fromValue` takes `haircut` (marginal, ascending).
    public var tiers: [HaircutTier]

    public init(asset: String, pair: String?, haircut: Double, tiers: [HaircutTier] = []) {
        self.asset = asset
        self.pair = pair
        self.haircut = haircut
        self.tiers = tiers
    }

    /// Counted value of `value` (amount × price) of this asset: each slice of value at its tier's
    /// haircut, like the margin tiers, so the counted value is continuous and increasing in size.
    public func countedValue(_ value: Double) -> Double {
        guard !tiers.isEmpty, value > 0 else { return value * (1 - haircut) }
        var total = 0.0, from = 0.0, h = haircut
        for tier in tiers {
            if value <= tier.fromValue { return total + (value - from) * (1 - h) }
            total += (tier.fromValue - from) * (1 - h)
            from = tier.fromValue
            h = tier.haircut
        }
        return total + (value - from) * (1 - h)
    }

    /// The value (amount × price) to add on top of a balance worth `held` so that the counted value
    /// grows by `counted`: the inverse of `countedValue` above `held`. With tiers the added slices
    /// take the haircut of the tier they fall in, not the base haircut, so a balance already in a
    /// higher tier needs more than `counted / (1 − haircut)`.
    public func valueToAdd(counted: Double, above held: Double) -> Double {
        guard counted > 0 else { return 0 }
        guard !tiers.isEmpty else { return counted / (1 - haircut) }
        let start = max(0, held)
        var remaining = counted, at = start, h = haircut
        for tier in tiers {
            if at < tier.fromValue {
                let room = (tier.fromValue - at) * (1 - h)   // counted value left in this slice
                if remaining <= room { return at + remaining / (1 - h) - start }
                remaining -= room
                at = tier.fromValue
            }
            h = tier.haircut
        }
        return at + remaining / (1 - h) - start
    }
}

/// A collateral size tier: the slice of value above `fromValue` (margin currency) takes `haircut`.
public struct HaircutTier: Sendable, Equatable {
    public var fromValue: Double
    public var haircut: Double

    public init(fromValue: Double, haircut: Double) {
        self.fromValue = fromValue
        self.haircut = haircut
    }
}

/// Per-pair risk inputs for the portfolio model and the liquidity add-on (`[[pair]]` keys).
public struct PairRiskSpec: Sendable, Equatable {
    /// Typical book depth / average daily volume in base units, for the √(size/ADV) impact.
    public var adv: Double?
    /// Half-spread cost in bps charged on liquidation.
    public var spreadBps: Double
    /// Impact coefficient: cost bps = impactBps · √(|q| / adv).
    public var impactBps: Double
    /// Optional size tiers: (notional threshold, maintenance rate, initial rate), ascending.
    public var tiers: [MarginTier]

    public init(adv: Double? = nil, spreadBps: Double = 5, impactBps: Double = 100, tiers: [MarginTier] = []) {
        self.adv = adv
        self.spreadBps = spreadBps
        self.impactBps = impactBps
        self.tiers = tiers
    }
}

/// A size tier: notional above `fromNotional` is charged these rates (marginal, like tax brackets,
/// so the requirement is continuous in size).
public struct MarginTier: Sendable, Equatable {
    public var fromNotional: Double
    public var maintenanceMargin: Double
    public var initialMargin: Double

    public init(fromNotional: Double, maintenanceMargin: Double, initialMargin: Double) {
        self.fromNotional = fromNotional
        self.maintenanceMargin = maintenanceMargin
        self.initialMargin = initialMargin
    }
}

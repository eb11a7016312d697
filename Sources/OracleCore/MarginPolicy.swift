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
    /// Returns needed before the risk-based requirement is used.
    public var minHistory: Int
    /// Interval of stored mark history (one return per interval).
    public var historyIntervalMs: Int64

    public init(currency: String = "USD", model: Model = .standard, warnRatio: Double = 1.30,
                warnExitRatio: Double = 1.40, callRatio: Double = 1.10, urgentRatio: Double = 1.00,
                liquidationRatio: Double = 0.90, callDeadlineMs: Int64 = 3_600_000,
                priceSide: PriceSide = .conservative, minTriggerSources: Int = 2,
                slowMarkWindowMs: Int64 = 300_000, massCallShare: Double = 0.25,
                varConfidence: Double = 0.99, esConfidence: Double = 0.975, horizonMs: Int64 = 86_400_000,
                ewmaLambda: Double = 0.94, portfolioFloor: Double = 0.5, minHistory: Int = 30,
                historyIntervalMs: Int64 = 60_000) {
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
    }
}

/// `[[collateral]]`: an asset accepted as collateral, valued on a pair's mark with a haircut.
public struct CollateralSpec: Sendable, Equatable {
    public var asset: String
    /// The pair whose mark prices this asset in the margin currency (nil for the margin currency itself).
    public var pair: String?
    public var haircut: Double

    public init(asset: String, pair: String?, haircut: Double) {
        self.asset = asset
        self.pair = pair
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

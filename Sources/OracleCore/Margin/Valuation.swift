/// An account valued on one snapshot of marks: equity, requirements, risk figures, ratio, deficit
/// and top-ups, each broken down by component. Money is in the margin currency.
///
/// When `priced` is false (a needed mark is missing, `stale` or `unavailable`) the account is
/// `unpriced`: the figures are partial and must not drive a notice.
public struct Valuation: Sendable, Equatable {
    /// One collateral balance: `value = amount × price × (1 − haircut)`.
    public struct CollateralLine: Sendable, Equatable {
        public var asset: String
        public var amount: Double
        /// Price used (conservative side if so configured; 1 for the margin currency).
        public var price: Double
        public var haircut: Double
        public var value: Double
    }

    /// One position: `unrealisedPnl = quantity × (valuationPrice − entry)`; requirements on
    /// `notional = |quantity| × markPrice` (tiers applied).
    public struct PositionLine: Sendable, Equatable {
        public var pair: String
        public var quantity: Double
        public var entryPrice: Double
        public var markPrice: Double
        /// Price used for P&L: mark − confidence for longs, + confidence for shorts (conservative).
        public var valuationPrice: Double
        public var notional: Double
        public var unrealisedPnl: Double
        /// Standard-model requirements of this position.
        public var maintenance: Double
        public var initial: Double
        /// Liquidity cost of closing it (0 without a configured ADV): spread plus impact, the
        /// impact scaled by current / long-run volatility.
        public var liquidityAddOn: Double
        /// Extra risk of a position too large to close within the horizon (0 without an ADV or
        /// when it can be closed in a day at `max_participation` of ADV).
        public var concentrationAddOn: Double = 0
        /// The option, nil for a linear position. For an option `markPrice` is the underlying's
        /// mark (the forward), `valuationPrice` the option's Black-76 value per contract, `notional`
        /// |quantity| × forward, and `maintenance`/`initial` are 0: options are margined together
        /// with their underlying's linear positions by the scenario grid (`Valuation.optionMargin`).
        public var option: OptionContract? = nil
        /// σ used (fraction) for an option; nil for a linear position.
        public var volatility: Double? = nil
        /// Greeks × quantity for an option (Deribit units, see `OptionGreeks`); nil for a linear position.
        public var greeks: OptionGreeks? = nil
        /// A linear position on an underlying the account holds options on: margined in the grid with
        /// them (its `maintenance`/`initial` are 0 and the grid's figure covers it).
        public var inOptionGrid: Bool = false
    }

    /// The option scenario grid's figures for the account (docs/options.md "Accounts").
    public struct OptionMargin: Sendable, Equatable {
        /// The grid requirement (maintenance part of the grid-margined positions): max(worst loss, short minimum).
        public var requirement: Double
        /// initial_multiple × requirement.
        public var initial: Double
        public var worstLoss: Double
        public var shortOptionMinimum: Double
        /// The scenario that gave the worst loss (nil for an empty grid).
        public var worst: GridScenario?
        /// Per underlying in the grid: Σ qty × Greeks (linear positions add their quantity to delta),
        /// option value and unrealised P&L.
        public var risk: [UnderlyingRisk]

        /// Σ vega over underlyings (USD per vol point).
        public var vega: Double { risk.reduce(0) { $0 + $1.greeks.vega } }
        /// Σ theta (USD per day).
        public var theta: Double { risk.reduce(0) { $0 + $1.greeks.theta } }
    }

    /// A mark the valuation used, as the notice reports it.
    public struct MarkUsed: Sendable, Equatable {
        public var pair: String
        public var price: Double
        public var confidence: Double
        public var sources: Int
        public var status: Mark.Status
    }

    /// Deposit of one asset that alone cures a call (see `deficit`).
    public struct TopUp: Sendable, Equatable {
        public var asset: String
        public var amount: Double
    }

    /// Which requirement applied, spelled for the API (`"standard (insufficient history: 12/30 returns)"`).
    public enum RiskModel: Sendable, Equatable, CustomStringConvertible {
        case standard
        case standardInsufficientHistory(have: Int, need: Int)
        case portfolio
        /// The portfolio model ran but its output was not usable (a non-finite, negative or absurd
        /// VaR/ES): the standard requirement applies and `reason` says why. Spelled "standard";
        /// the reason goes out as `model_fallback`.
        case standardFallback(reason: String)

        public var description: String {
            switch self {
            case .standard, .standardFallback: "standard"
            case .portfolio: "portfolio"
            case let .standardInsufficientHistory(have, need): "standard (insufficient history: \(have)/\(need) returns)"
            }
        }

        /// Why the portfolio model's figures were rejected, nil unless it fell back.
        public var fallbackReason: String? {
            if case let .standardFallback(reason) = self { return reason }
            return nil
        }
    }

    public var accountId: String
    public var priced: Bool
    /// The first pair that could not be priced, and why ("BTC-USD is stale").
    public var missingPair: String?
    public var unpricedReason: String?
    /// All marks used are `ok`, or `degraded` with ≥ min_trigger_sources usable sources.
    public var triggerEligible: Bool

    public var equity: Double
    public var collateral: [CollateralLine]
    public var positions: [PositionLine]

    /// Requirements in force (portfolio or standard, per `riskModel`).
    public var maintenanceRequirement: Double
    public var initialRequirement: Double
    /// Standard-model totals (Σ of the position lines), for comparison and the portfolio floor.
    public var standardMaintenance: Double
    public var standardInitial: Double

    /// Filtered-historical-simulation VaR (at var_confidence) and ES (at es_confidence) at the
    /// horizon, over positions and non-cash collateral; nil unless the portfolio model ran. This
    /// VaR is the model's own figure — the one back-tested — never the floored requirement.
    public var valueAtRisk: Double?
    public var expectedShortfall: Double?
    /// Liquidity add-on (Σ of the position lines) included in the requirement, in both models.
    public var liquidityAddOn: Double
    public var riskModel: RiskModel
    /// Concentration add-on (Σ of the position lines) included in the requirement, in both models.
    public var concentrationAddOn: Double = 0
    /// Anti-procyclicality floors of the portfolio model: stress_weight × stress-window ES (nil
    /// without a stress window in the history) and the scenario-grid loss.
    public var stressFloor: Double? = nil
    public var scenarioFloor: Double? = nil
    /// The option grid's figures; nil when the account holds no option.
    public var optionMargin: OptionMargin? = nil

    /// equity / maintenance requirement; +∞ without a requirement.
    public var ratio: Double
    /// The deposit that cures a call at once: max(0, max(initial, call exit ratio × maintenance) −
    /// equity), rounded up to the cent (`MarginModel.cureDeficit`); 0 when unpriced.
    public var deficit: Double
    /// Per collateral asset: deficit / (conservative price × (1 − haircut)), rounded up to 1e-8 units:
    /// depositing that amount of that one asset cures. Empty when there is no deficit.
    public var topUps: [TopUp]
    public var marks: [MarkUsed]
}

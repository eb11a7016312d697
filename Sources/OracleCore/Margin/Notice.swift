/// One margin notice as it goes to the spool, `calls.jsonl` and syslog (DESIGN.md "Notice JSON").
///
/// **Ids** are `"<account>-<level>-<seq>"`, where `seq` is the account's `LevelMachine` notice
/// counter after the transition (1, 2, 3, …). The counter is persisted with the level state in the
/// same transaction that queues the notice, so a restart after `kill -9` recomputes the very same
/// id for a notice it has to redeliver, and the spool writer can skip ids it already wrote. The
/// counter survives account deletion (`LevelMachine.reset`), so a re-created account never reuses
/// an id. Account ids are restricted to `[A-Za-z0-9._:-]`, so the id is a safe file name.
public struct Notice: Sendable, Equatable {
    /// A mark as the notice reports it.
    public struct MarkRef: Sendable, Equatable {
        public var pair: String
        public var price: Double
        public var confidence: Double
        public var sources: Int

        public init(pair: String, price: Double, confidence: Double, sources: Int) {
            self.pair = pair
            self.price = price
            self.confidence = confidence
            self.sources = sources
        }
    }

    /// The risk figures behind the requirement.
    public struct Risk: Sendable, Equatable {
        public var valueAtRisk: Double?
        public var expectedShortfall: Double?
        public var liquidityAddOn: Double
        /// `Valuation.RiskModel` description: "portfolio", "standard", "standard (insufficient history: 12/30 returns)".
        public var model: String
        /// Why the portfolio model's figures were rejected (the requirement is the standard one), else nil.
        public var modelFallback: String?
        public var concentrationAddOn: Double

        public init(valueAtRisk: Double?, expectedShortfall: Double?, liquidityAddOn: Double, model: String,
                    modelFallback: String? = nil, concentrationAddOn: Double = 0) {
            self.valueAtRisk = valueAtRisk
            self.expectedShortfall = expectedShortfall
            self.liquidityAddOn = liquidityAddOn
            self.model = model
            self.modelFallback = modelFallback
            self.concentrationAddOn = concentrationAddOn
        }
    }

    public var id: String
    public var account: String
    public var level: MarginLevel
    /// Unix ms.
    public var createdAtMs: Int64
    public var currency: String
    public var equity: Double
    public var maintenanceRequirement: Double
    public var initialRequirement: Double
    /// +∞ without a requirement (written as `null`).
    public var ratio: Double
    public var deficit: Double
    /// Per collateral asset, in asset units (haircut-adjusted; rounded up when written).
    public var topUp: [(asset: String, amount: Double)]
    /// Unix ms; nil when no call deadline applies.
    public var deadlineMs: Int64?
    public var marks: [MarkRef]
    public var risk: Risk
    public var flags: NoticeFlags
    /// The account's options: per-underlying Greeks, the scenario grid's figures and one line per
    /// option position; nil (and nothing written) for an account without options.
    public var options: Options?
    /// Options settled at expiry by the event behind this notice (written only when not empty).
    public var settlements: [OptionSettlement] = []

    public init(id: String, account: String, level: MarginLevel, createdAtMs: Int64, currency: String,
                equity: Double, maintenanceRequirement: Double, initialRequirement: Double, ratio: Double,
                deficit: Double, topUp: [(asset: String, amount: Double)], deadlineMs: Int64?,
                marks: [MarkRef], risk: Risk, flags: NoticeFlags, options: Options? = nil) {
        self.id = id
        self.account = account
        self.level = level
        self.createdAtMs = createdAtMs
        self.currency = currency
        self.equity = equity
        self.maintenanceRequirement = maintenanceRequirement
        self.initialRequirement = initialRequirement
        self.ratio = ratio
        self.deficit = deficit
        self.topUp = topUp
        self.deadlineMs = deadlineMs
        self.marks = marks
        self.risk = risk
        self.flags = flags
        self.options = options
    }

    /// The notice for a `LevelMachine` action, from the valuation that caused it.
    public init(level: MarginLevel, seq: UInt64, createdAtMs: Int64, deadlineMs: Int64?, flags: NoticeFlags,
                valuation v: Valuation, currency: String) {
        self.init(id: Self.makeId(account: v.accountId, level: level, seq: seq), account: v.accountId, level: level,
                  createdAtMs: createdAtMs, currency: currency, equity: v.equity,
                  maintenanceRequirement: v.maintenanceRequirement, initialRequirement: v.initialRequirement,
                  ratio: v.ratio, deficit: v.deficit, topUp: v.topUps.map { ($0.asset, $0.amount) },
                  deadlineMs: deadlineMs,
                  marks: v.marks.map { MarkRef(pair: $0.pair, price: $0.price, confidence: $0.confidence, sources: $0.sources) },
                  risk: Risk(valueAtRisk: v.valueAtRisk, expectedShortfall: v.expectedShortfall,
                             liquidityAddOn: v.liquidityAddOn, model: v.riskModel.description,
                             modelFallback: v.riskModel.fallbackReason, concentrationAddOn: v.concentrationAddOn),
                  flags: flags, options: Options(valuation: v))
    }

    /// `"<account>-<level>-<seq>"`, e.g. `acct-17-margin_call-3` (see the type's doc comment).
    public static func makeId(account: String, level: MarginLevel, seq: UInt64) -> String {
        "\(account)-\(level.rawValue)-\(seq)"
    }

    public static func == (a: Notice, b: Notice) -> Bool {
        a.jsonLine() == b.jsonLine()
    }
}

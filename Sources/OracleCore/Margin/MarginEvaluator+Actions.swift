extension MarginEvaluator {
    /// A level state to persist (with the notice, when there is one, in the same transaction).
    public struct LevelChange: Sendable, Equatable {
        public var account: String
        public var state: LevelMachine.State
        /// The ratio of the valuation behind the change (+∞ without requirement).
        public var ratio: Double
    }

    /// One mass-call event (see `MassCallGuard`).
    public struct MassCallEvent: Sendable, Equatable {
        public var pair: String
        /// Accounts holding `pair` that entered a call on this update, and all accounts holding it.
        public var entering: Int
        public var holders: Int
        public var atMs: Int64
    }

    /// What the owner must do after an event: write `notices` and `levels` durably together, persist
    /// `slowMarks`, report `massCalls`, `confirmed` pairs and newly `unpriced` accounts.
    public struct Actions: Sendable {
        public var notices: [Notice] = []
        public var levels: [LevelChange] = []
        public var massCalls: [MassCallEvent] = []
        /// Pairs whose pending mass-call move this update confirmed.
        public var confirmed: [String] = []
        /// Accounts whose valuation came out unusable although their marks are usable (id, reason).
        public var unpriced: [(account: String, reason: String)] = []
        /// Slow marks changed by this update (to persist).
        public var slowMarks: [String: SlowMark] = [:]
        /// Accounts valued in full by this event.
        public var evaluated = 0
        /// Accounts changed by expiry settlement: to store before `levels` and `notices` are committed.
        public var settledAccounts: [SettledAccount] = []
        /// One record per option settled (to log; also in the settled accounts' notices).
        public var settlements: [OptionSettlement] = []

        public init() {}

        public var isEmpty: Bool { notices.isEmpty && levels.isEmpty && settledAccounts.isEmpty }

        mutating func merge(_ other: Actions) {
            notices += other.notices
            levels += other.levels
            massCalls += other.massCalls
            confirmed += other.confirmed
            unpriced += other.unpriced
            slowMarks.merge(other.slowMarks) { $1 }
            evaluated += other.evaluated
            settledAccounts += other.settledAccounts
            settlements += other.settlements
        }
    }
}

/// What `Backtest.run` found for one account: the calibration statistics and the time series the
/// report draws. Money is in the margin currency.
public struct BacktestResult: Sendable, Equatable {
    /// One history slot at which the account could be valued.
    public struct Row: Sendable, Equatable {
        /// Slot start, Unix ms (for daily closes: the day).
        public var timeMs: Int64
        /// Realised P&L of the account's holdings from this slot to the next; nil on the last slot
        /// or when the next slot is missing (a gap is not one interval).
        public var pnl: Double?
        /// VaR published at this slot, scaled to one history interval; nil without a VaR (the
        /// standard model, or not enough history yet).
        public var valueAtRisk: Double?
        public var equity: Double
        public var maintenanceRequirement: Double
        /// The level machine's level after this slot's evaluation.
        public var level: MarginLevel
        /// −pnl > valueAtRisk (only when both exist).
        public var exceeded: Bool

        public init(timeMs: Int64, pnl: Double?, valueAtRisk: Double?, equity: Double, maintenanceRequirement: Double,
                    level: MarginLevel, exceeded: Bool) {
            self.timeMs = timeMs
            self.pnl = pnl
            self.valueAtRisk = valueAtRisk
            self.equity = equity
            self.maintenanceRequirement = maintenanceRequirement
            self.level = level
            self.exceeded = exceeded
        }

        /// A back-test observation: a VaR and the P&L over the interval it covered.
        public var isObservation: Bool { pnl != nil && valueAtRisk != nil }
    }

    /// The statistics of the exceedance sequence: the same value (and computation) as the daemon's
    /// live monitor reports per account, so a backtest and `/v1/calibration` cannot disagree.
    public var statistics: AccountCalibration
    public var rows: [Row]

    public init(statistics: AccountCalibration, rows: [Row]) {
        self.statistics = statistics
        self.rows = rows
    }

    public var id: String { statistics.id }
    /// Observations (slots with both a VaR and a realised next-interval P&L) and exceedances.
    public var observations: Int { statistics.observations }
    public var exceedances: Int { statistics.exceedances }
    /// Kupiec proportion-of-failures p-value over all observations.
    public var kupiecP: Double { statistics.kupiecP }
    /// Christoffersen independence p-value over all observations.
    public var christoffersenP: Double { statistics.christoffersenP }
    /// Christoffersen conditional coverage (Kupiec + independence, χ²(2)) p-value.
    public var conditionalCoverageP: Double { statistics.conditionalCoverageP }
    /// Basel zone over the last `TrafficLight.window` observations.
    public var trafficLight: TrafficLight { statistics.trafficLight }
    /// The observations and exceedances the traffic light counted.
    public var windowObservations: Int { statistics.windowObservations }
    public var windowExceedances: Int { statistics.windowExceedances }

    /// The exceedance sequence of the observations, oldest first.
    public var exceedanceSequence: [Bool] { rows.filter(\.isObservation).map(\.exceeded) }
}

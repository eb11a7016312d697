/// The daemon's VaR back-test, run live (docs/backtesting.md "The daemon's monitor").
///
/// One observation per account per history interval: at the start of each interval the monitor
/// notes every account's VaR in force (scaled to one interval by √(interval / horizon): a 1-day
/// VaR checked every minute is divided by √1440, under the same square-root-of-time rule the
/// model uses to scale up) together with its holdings and the prices; at the start of the next
/// interval it values the same holdings at the new prices. The P&L is the whole account's —
/// positions' quantity × Δprice + non-cash collateral amount × Δprice — because that is what the
/// requirement must cover, and a hedge's legs judged one at a time would each look mis-sized.
/// An exceedance is −P&L > VaR. Intervals that are skipped (no mark for a slot) give no
/// observation: a two-interval move judged against a one-interval VaR would be unfair.
///
/// Per account the last `ExceedanceWindow` flags are kept; Kupiec and Christoffersen run over
/// them, the Basel traffic light over the last 250. Book-level totals count every observation.
public struct CalibrationMonitor: Sendable {
    struct Pending: Sendable {
        var slot: Int64
        var valueAtRisk: Double
        var holdings: [Holding]
    }

    struct Holding: Sendable {
        var pair: String
        var quantity: Double
        var price: Double
    }

    public let confidence: Double
    public let intervalMs: Int64
    public let horizonMs: Int64
    public let windowCapacity: Int
    /// The latest slot any pair has entered.
    public private(set) var lastSlot: Int64?
    /// Per pair, its latest slot and the first price recorded in it.
    var slotPrices: [String: (slot: Int64, price: Double)] = [:]
    var pending: [String: Pending] = [:]
    var windows: [String: ExceedanceWindow] = [:]
    /// Every observation and exceedance since start (book level; per-account windows are bounded).
    public private(set) var totalObservations = 0
    public private(set) var totalExceedances = 0

    public init(confidence: Double, intervalMs: Int64, horizonMs: Int64, windowCapacity: Int = 500) {
        self.confidence = confidence
        self.intervalMs = max(1, intervalMs)
        self.horizonMs = max(1, horizonMs)
        self.windowCapacity = max(TrafficLight.window, windowCapacity)
    }

    public init(policy: MarginPolicy) {
        self.init(confidence: policy.varConfidence, intervalMs: policy.historyIntervalMs, horizonMs: policy.horizonMs)
    }

    /// Whether this monitor measures what `policy` publishes (else the owner starts a new one).
    public func matches(_ policy: MarginPolicy) -> Bool {
        confidence == policy.varConfidence && intervalMs == max(1, policy.historyIntervalMs) && horizonMs == max(1, policy.horizonMs)
    }

    /// √(interval / horizon): the factor from the published VaR to one interval's.
    public var intervalScale: Double { (Double(intervalMs) / Double(horizonMs)).squareRoot() }

    /// What one account looks like at the start of an interval.
    public struct Snapshot: Sendable {
        public var id: String
        public var account: Account
        /// The VaR published for it (at the horizon); nil: no observation this interval.
        public var valueAtRisk: Double?

        public init(id: String, account: Account, valueAtRisk: Double?) {
            self.id = id
            self.account = account
            self.valueAtRisk = valueAtRisk
        }
    }

    /// The slot of `ms` (floor division, so times before 1970 fall in the right slot).
    public func slot(ofMs ms: Int64) -> Int64 { ms >= 0 ? ms / intervalMs : (ms - intervalMs + 1) / intervalMs }

    /// `pair`'s first price in `slot` (the price the mark history stores for the slot). For each of
    /// `affected` (the accounts that need `pair`) whose every pair now has a price in `slot`: the
    /// observation opened at `slot − 1` is closed at these prices, and the next one is opened with
    /// the account's VaR in force now. Prices for older slots are ignored. Returns the number of
    /// observations recorded.
    @discardableResult
    public mutating func priceRecorded(pair: String, price: Double, slot: Int64, affected: [Snapshot],
                                       universe: MarginUniverse) -> Int {
        guard price.isFinite, price > 0 else { return 0 }
        if let old = slotPrices[pair], old.slot >= slot { return 0 }
        slotPrices[pair] = (slot, price)
        lastSlot = max(lastSlot ?? slot, slot)
        var recorded = 0
        for a in affected {
            let pairs = a.account.pairsNeeded(in: universe)
            guard !pairs.isEmpty, pairs.allSatisfy({ slotPrices[$0]?.slot == slot }) else { continue }
            if let p = pending[a.id] {
                if p.slot == slot { continue } // already handled for this slot
                if p.slot == slot - 1, record(p, id: a.id) { recorded += 1 }
            }
            pending[a.id] = open(a, slot: slot, universe: universe)
        }
        return recorded
    }

    /// Forgets accounts that no longer exist (their windows and open observations).
    public mutating func retain(_ ids: Set<String>) {
        for id in windows.keys where !ids.contains(id) { windows[id] = nil }
        for id in pending.keys where !ids.contains(id) { pending[id] = nil }
    }

    private mutating func record(_ p: Pending, id: String) -> Bool {
        var pnl = 0.0
        for h in p.holdings {
            guard let now = slotPrices[h.pair]?.price else { return false }
            pnl += h.quantity * (now - h.price)
        }
        guard pnl.isFinite else { return false }
        let exceeded = -pnl > p.valueAtRisk
        windows[id, default: ExceedanceWindow(capacity: windowCapacity)].append(exceeded)
        totalObservations += 1
        if exceeded { totalExceedances += 1 }
        return true
    }

    /// The observation starting now: the holdings at this slot's prices and the VaR for one interval.
    private func open(_ a: Snapshot, slot: Int64, universe: MarginUniverse) -> Pending? {
        guard let v = a.valueAtRisk, v.isFinite, v >= 0 else { return nil }
        // An option's realised P&L depends on how volatility moved too, which the held prices here do
        // not record: quantity × Δprice would judge its VaR against a wrong P&L. Not back-tested.
        guard !a.account.hasOptions else { return nil }
        var holdings: [Holding] = []
        for c in a.account.collateral where c.amount.value != 0 {
            guard let pair = universe.collateralPair(c.asset) else { continue }
            guard let px = slotPrices[pair]?.price else { return nil }
            holdings.append(Holding(pair: pair, quantity: c.amount.value, price: px))
        }
        for p in a.account.positions where p.quantity.value != 0 {
            guard let px = slotPrices[p.pair]?.price else { return nil }
            holdings.append(Holding(pair: p.pair, quantity: p.quantity.value, price: px))
        }
        // An account with nothing at risk would add only certain passes and dilute the book.
        guard !holdings.isEmpty else { return nil }
        return Pending(slot: slot, valueAtRisk: v * intervalScale, holdings: holdings)
    }

    /// One account's statistics; nil before its first observation.
    public func calibration(_ id: String) -> AccountCalibration? {
        guard let w = windows[id], w.count > 0 else { return nil }
        return AccountCalibration(id: id, sequence: w.sequence, confidence: confidence)
    }

    /// Every account with at least one observation, by id.
    public var accounts: [AccountCalibration] {
        windows.keys.sorted().compactMap(calibration)
    }

    /// Book-level figures: accounts per zone and the totals.
    public var summary: CalibrationSummary {
        var zones: [TrafficLight: Int] = [.green: 0, .yellow: 0, .red: 0]
        for a in accounts { zones[a.trafficLight, default: 0] += 1 }
        return CalibrationSummary(observations: totalObservations, exceedances: totalExceedances,
                                  expectedRate: 1 - confidence, green: zones[.green] ?? 0,
                                  yellow: zones[.yellow] ?? 0, red: zones[.red] ?? 0)
    }
}

/// One account's back-test over its kept window.
public struct AccountCalibration: Sendable, Equatable {
    public var id: String
    /// Over the kept window (≤ `ExceedanceWindow.capacity`).
    public var observations: Int
    public var exceedances: Int
    public var kupiecP: Double
    public var christoffersenP: Double
    public var conditionalCoverageP: Double
    /// Over the last 250 observations.
    public var trafficLight: TrafficLight
    public var windowObservations: Int
    public var windowExceedances: Int

    public init(id: String, sequence: [Bool], confidence: Double) {
        let c = ChristoffersenTest(expectedRate: 1 - confidence, exceedances: sequence)
        let tail = sequence.suffix(TrafficLight.window)
        self.id = id
        observations = sequence.count
        exceedances = c.kupiec.exceedances
        kupiecP = c.kupiec.pValue
        christoffersenP = c.independencePValue
        conditionalCoverageP = c.conditionalCoveragePValue
        windowObservations = tail.count
        windowExceedances = tail.reduce(0) { $0 + ($1 ? 1 : 0) }
        trafficLight = TrafficLight.zone(exceedances: windowExceedances, observations: tail.count, confidence: confidence)
    }
}

/// The book's calibration at a glance (health, metrics, `oraclectl calibration`).
public struct CalibrationSummary: Sendable, Equatable {
    public var observations: Int
    public var exceedances: Int
    public var expectedRate: Double
    /// Accounts (with at least one observation) per traffic-light zone.
    public var green: Int
    public var yellow: Int
    public var red: Int
}

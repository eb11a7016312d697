/// Replays a price history through the margin model and the level machine, as the daemon would
/// have run them, and back-tests the VaR it published (`oracled backtest`; docs/backtesting.md).
///
/// Protocol, per history slot t (one slot per `history_interval`; daily closes → one per day):
/// 1. The slot's prices (the last price of each pair in the slot: its close) are fed to a
///    `MarkHistory` incrementally, so the model at t sees the history up to and including t and
///    nothing later.
/// 2. Each account is valued on synthetic marks at t (status `ok`, confidence 0, enough sources)
///    with a `RiskSnapshot` built from that history over the account's own pairs (one snapshot per
///    distinct pair set per slot), through the public `MarginModel.value`: whatever model the
///    library implements is the one tested.
/// 3. VaR_t = `Valuation.valueAtRisk` × √(interval / horizon) (the VaR for one interval; × 1 when
///    the horizon is the interval); no VaR (standard model, short history) → no observation.
/// 4. The realised P&L from t to t + 1 of the holdings at t: Σ positions' quantity × Δprice +
///    Σ non-cash collateral amount × Δprice. It is an observation only when slot t + 1 exists for
///    every pair the account needs (a gap would be several intervals judged against one).
///    Exceedance: −P&L > VaR_t.
/// 5. The level machine evaluates the ratio at t (the slow ratio equal to it: a close is already a
///    slow price) with the slot's time as `now`, giving the level timeline.
///
/// Pure: time is the data's, no clock is read.
public enum Backtest {
    /// Slots kept in the `MarkHistory`, as in the daemon (`MarginDesk`: 2 000).
    public static let defaultHistoryCapacity = 2_000

    /// Runs `accounts` over `points` (any order; sorted here by time, stably).
    public static func run(universe: MarginUniverse, points: [PriceHistoryCSV.Point], accounts: [Account],
                           historyCapacity: Int = defaultHistoryCapacity) -> [BacktestResult] {
        let policy = universe.policy
        let interval = max(1, policy.historyIntervalMs)
        let scale = (Double(interval) / Double(max(1, policy.horizonMs))).squareRoot()
        func slotOf(_ ms: Int64) -> Int64 { ms >= 0 ? ms / interval : (ms - interval + 1) / interval }

        // Closes per slot: the price with the latest time in the slot (file order breaks ties).
        var closes: [Int64: [String: (ms: Int64, price: Double)]] = [:]
        for p in points {
            let s = slotOf(p.timeMs)
            if let old = closes[s]?[p.pair], old.ms > p.timeMs { continue }
            closes[s, default: [:]][p.pair] = (p.timeMs, p.price)
        }
        let slots = closes.keys.sorted()
        let model = MarginModel(universe: universe)
        let sources = max(3, policy.minTriggerSources)

        struct Book {
            var account: Account
            var pairs: [String]
            var key: String
            /// (pair, quantity of the pair's base asset held): positions and non-cash collateral.
            var holdings: [(pair: String, quantity: Double)]
            var machine: LevelMachine
            var rows: [BacktestResult.Row] = []
        }
        var books: [Book] = accounts.map { a in
            let pairs = a.pairsNeeded(in: universe).sorted()
            var h: [(String, Double)] = []
            for c in a.collateral where c.amount.value != 0 {
                if let pair = universe.collateralPair(c.asset) { h.append((pair, c.amount.value)) }
            }
            // Options are refused before this (`oracled backtest` names them): nothing values them here.
            for p in a.positions where p.quantity.value != 0 && p.option == nil { h.append((p.pair, p.quantity.value)) }
            return Book(account: a, pairs: pairs, key: pairs.joined(separator: ","), holdings: h,
                        machine: LevelMachine(thresholds: LevelThresholds(policy: policy, overrides: a.thresholds)))
        }

        var history = MarkHistory(intervalMs: interval, capacity: historyCapacity)
        for (i, slot) in slots.enumerated() {
            let now = closes[slot] ?? [:]
            let nowMs = slot * interval
            for (pair, c) in now.sorted(by: { $0.key < $1.key }) { history.record(pair: pair, price: c.price, atMs: c.ms) }
            var marks: [String: Mark] = [:]
            for (pair, c) in now {
                marks[pair] = Mark(pair: pair, price: c.price, confidence: 0, status: .ok, sourcesUsed: sources,
                                   sourcesTotal: sources, updatedAtMs: c.ms, seq: UInt64(i + 1), sources: [])
            }
            let next: [String: (ms: Int64, price: Double)]? = i + 1 < slots.count && slots[i + 1] == slot + 1 ? closes[slots[i + 1]] : nil
            var snapshots: [String: RiskSnapshot] = [:]
            for b in books.indices {
                let book = books[b]
                guard book.pairs.allSatisfy({ now[$0] != nil }) else { continue }
                var risk: RiskSnapshot?
                if policy.model == .portfolio, !book.pairs.isEmpty {
                    if let s = snapshots[book.key] { risk = s } else {
                        let s = RiskSnapshot(history: history, pairs: book.pairs, policy: policy)
                        snapshots[book.key] = s
                        risk = s
                    }
                }
                let v = model.value(book.account, marks: marks, risk: risk)
                guard v.priced else { continue }
                _ = books[b].machine.markEvaluated(
                    LevelMachine.Input(ratio: v.ratio, slowRatio: v.ratio, equity: v.equity,
                                       initialRequirement: v.initialRequirement, eligible: v.triggerEligible),
                    nowMs: nowMs)
                var pnl: Double?
                if let next, book.pairs.allSatisfy({ next[$0] != nil }) {
                    var sum = 0.0
                    for h in book.holdings { sum += h.quantity * (next[h.pair]!.price - now[h.pair]!.price) }
                    pnl = sum
                }
                let varT = v.valueAtRisk.map { $0 * scale }
                var exceeded = false
                if let pnl, let varT { exceeded = -pnl > varT }
                books[b].rows.append(.init(timeMs: nowMs, pnl: pnl, valueAtRisk: varT, equity: v.equity,
                                           maintenanceRequirement: v.maintenanceRequirement,
                                           level: books[b].machine.state.level, exceeded: exceeded))
            }
        }

        return books.map { book in
            let seq = book.rows.filter(\.isObservation).map(\.exceeded)
            return BacktestResult(statistics: AccountCalibration(id: book.account.id, sequence: seq, confidence: policy.varConfidence),
                                  rows: book.rows)
        }
    }
}

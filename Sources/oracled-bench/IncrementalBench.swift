import Foundation
import OracleCore

/// The daemon's own incremental path: `MarginEvaluator.marksUpdated` — the code `MarginDesk.onMarks`
/// runs after recording history — on a book of `accounts` accounts shaped like the sweep benchmark's
/// (8 positions on 8 of 12 pairs, 4 collateral assets; 96 % healthy, 2.5 % near warning, 1.5 %
/// within ±10 % of call). Each update moves one random pair by 1–20 bp (log-uniform, random sign)
/// with a new `seq`; the evaluator finds the holders of that pair (two thirds of the book here),
/// screens them through the `SweepBook` quiet bands, values the due ones in full and runs their
/// level machines, the mass-call guard and the slow marks. Store and spool are not included (that
/// is `notice_*`).
///
/// Figures: `incremental_us_per_update` (mean over `updates`), `incremental_p50_us`/`_p99_us`,
/// `incremental_screened_per_update` (holders screened), `incremental_valued_per_update` (valued
/// in full), `incremental_notices`, and `incremental_accounts` (the book size it ran on).
func runIncrementalBench(accounts n: Int, updates: Int = 400) -> [(name: String, value: Double, unit: String)] {
    var rng = SweepBenchRNG(seed: 0x1ec)
    let symbols = ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "DOGE-USD", "ADA-USD", "AVAX-USD",
                   "LINK-USD", "DOT-USD", "LTC-USD", "BCH-USD", "TRX-USD"]
    let basePrices = [65_000.0, 3_200, 150, 0.6, 0.15, 0.45, 35, 14, 7, 90, 450, 0.2]
    let mm = [0.05, 0.05, 0.08, 0.10, 0.10, 0.10, 0.08, 0.08, 0.10, 0.08, 0.08, 0.10]
    let pairs = symbols.indices.map { i in
        PairSpec(symbol: symbols[i], sources: [], policy: AggregationPolicy(), maintenanceMargin: mm[i], initialMargin: 2 * mm[i])
    }
    let assets = ["USD", "BTC", "ETH", "SOL"], haircut = [0.0, 0.10, 0.15, 0.25], assetPair = [-1, 0, 1, 2]
    let universe = MarginUniverse(policy: MarginPolicy(),
                                  collateral: [CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.10),
                                               CollateralSpec(asset: "ETH", pair: "ETH-USD", haircut: 0.15),
                                               CollateralSpec(asset: "SOL", pair: "SOL-USD", haircut: 0.25)],
                                  pairs: pairs)
    var prices = basePrices
    var seq = [UInt64](repeating: 1, count: symbols.count)
    func mark(_ p: Int, atMs: Int64) -> Mark {
        Mark(pair: symbols[p], price: prices[p], confidence: prices[p] * 2e-4, status: .ok, sourcesUsed: 5, sourcesTotal: 5,
             updatedAtMs: atMs, seq: seq[p], sources: [])
    }
    func number(_ x: Double) -> VenueNumber { VenueNumber(text: "\(x)", value: x) }

    var book: [Account] = []
    book.reserveCapacity(n)
    for a in 0..<n {
        let gross = 10_000 * pow(100, rng.next())
        var positions: [Position] = []
        var pnl = 0.0, maint = 0.0
        var held = Array(0..<symbols.count)
        for i in 0..<8 {
            held.swapAt(i, i + Int(rng.nextInt(UInt64(symbols.count - i))))
            let p = held[i], px = basePrices[p], conf = px * 2e-4
            let q = (rng.next() < 0.5 ? -1.0 : 1.0) * gross / 8 * (0.5 + rng.next()) / px
            let entry = px * (1 + 0.04 * (rng.next() - 0.5))
            positions.append(Position(pair: symbols[p], quantity: number(q), entryPrice: number(entry)))
            pnl += q * ((q > 0 ? px - conf : px + conf) - entry)
            maint += abs(q) * px * mm[p]
        }
        let bucket = rng.next(), u = rng.next()
        let ratio = bucket < 0.96 ? exp(log(2.0) + (log(10.0) - log(2.0)) * u)
            : bucket < 0.985 ? 1.21 + (2.0 - 1.21) * u
            : 0.99 + (1.21 - 0.99) * u
        let needed = max(0, ratio * maint - pnl)
        var shares = (0..<4).map { _ in rng.next() + 0.05 }
        let total = shares.reduce(0, +)
        shares = shares.map { $0 / total }
        let collateral = assets.indices.map { k in
            let unit = assetPair[k] < 0 ? 1 : basePrices[assetPair[k]] * (1 - 2e-4) * (1 - haircut[k])
            return CollateralBalance(asset: assets[k], amount: number(needed * shares[k] / unit))
        }
        book.append(Account(id: "acct-\(a)", collateral: collateral, positions: positions))
    }

    var evaluator = MarginEvaluator(universe: universe)
    var all: [String: Mark] = [:]
    for p in symbols.indices { all[symbols[p]] = mark(p, atMs: 0) }
    _ = evaluator.marksUpdated(all, nowMs: 0)
    let settled = evaluator.put(book, nowMs: 0)
    book = []
    var notices = settled.notices.count
    _ = notices
    // One untimed update first: it builds the per-pair holder lists (once per start-up or reload;
    // later PUTs keep them current incrementally).
    seq[0] += 1
    all[symbols[0]] = mark(0, atMs: 500)
    _ = evaluator.marksUpdated(all, nowMs: 500)

    let clock = ContinuousClock()
    var times: [Double] = []
    times.reserveCapacity(updates)
    var valued = 0, screenedBefore = evaluator.screenedOut, screened = 0
    notices = 0
    var now: Int64 = 1_000
    for _ in 0..<updates {
        let p = Int(rng.nextInt(UInt64(symbols.count)))
        let bp = exp(log(20.0) * rng.next())
        prices[p] *= exp((rng.next() < 0.5 ? -1.0 : 1.0) * bp * 1e-4)
        seq[p] += 1
        now += 1_000
        all[symbols[p]] = mark(p, atMs: now)
        let update = all
        let t0 = clock.now
        let actions = evaluator.marksUpdated(update, nowMs: now)
        let t = clock.now - t0
        times.append(Double(t.components.seconds) * 1e6 + Double(t.components.attoseconds) / 1e12)
        valued += actions.evaluated
        notices += actions.notices.count
        screened += evaluator.screenedOut - screenedBefore + actions.evaluated
        screenedBefore = evaluator.screenedOut
    }
    let sorted = times.sorted()
    let mean = times.reduce(0, +) / Double(updates)
    print("  daemon path: MarginEvaluator.marksUpdated on \(n) accounts, \(updates) updates of one random pair (1–20 bp)")
    return [
        ("incremental_accounts", Double(n), "accounts"),
        ("incremental_us_per_update", mean, "us"),
        ("incremental_p50_us", sorted[updates / 2], "us"),
        ("incremental_p99_us", sorted[updates * 99 / 100], "us"),
        ("incremental_screened_per_update", Double(screened) / Double(updates), "accounts"),
        ("incremental_valued_per_update", Double(valued) / Double(updates), "accounts"),
        ("incremental_notices", Double(notices), "count"),
    ]
}

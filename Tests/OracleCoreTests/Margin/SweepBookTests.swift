import Foundation
import Testing
@testable import OracleCore

@Suite struct SweepBookTests {
    typealias F = MarginFixtures

    struct RNG {
        var s: UInt64
        mutating func next() -> Double {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Double(s >> 11) / Double(1 << 53)
        }
    }

    static let tiers = [MarginTier(fromNotional: 50_000, maintenanceMargin: 0.08, initialMargin: 0.16)]
    let universe = MarginUniverse(policy: MarginPolicy(), collateral: [
        CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.10), CollateralSpec(asset: "ETH", pair: "ETH-USD", haircut: 0.15)],
        pairs: [F.pair("BTC-USD", risk: PairRiskSpec(tiers: tiers)), F.pair("ETH-USD"), F.pair("SOL-USD", mm: 0.08, im: 0.16)])
    let base = ["BTC-USD": 65_000.0, "ETH-USD": 3_200, "SOL-USD": 150]

    func randomAccounts(_ n: Int, rng: inout RNG) -> [Account] {
        (0..<n).map { a in
            let pairs = ["BTC-USD", "ETH-USD", "SOL-USD"].filter { _ in rng.next() < 0.8 }
            let positions = pairs.map { p -> Position in
                let q = (rng.next() - 0.5) * 40_000 / (base[p] ?? 1)
                return Position(pair: p, quantity: VenueNumber(text: "\(q)", value: q),
                                entryPrice: VenueNumber(text: "x", value: (base[p] ?? 1) * (0.98 + 0.04 * rng.next())))
            }
            let usd = 500 + rng.next() * 4000, btc = rng.next() * 0.05
            return Account(id: "a\(a)", collateral: [CollateralBalance(asset: "USD", amount: VenueNumber(text: "\(usd)", value: usd)),
                                                    CollateralBalance(asset: "BTC", amount: VenueNumber(text: "\(btc)", value: btc))],
                           positions: positions)
        }
    }

    func marks(_ prices: [String: Double], conf: Double) -> [String: Mark] {
        var d: [String: Mark] = [:]
        for (p, px) in prices { d[p] = F.mark(p, px, conf: px * conf) }
        return d
    }

    @Test func sweepAgreesWithMarginModel() {
        var rng = RNG(s: 7)
        let accounts = randomAccounts(300, rng: &rng)
        var book = SweepBook(universe: universe)
        for a in accounts { #expect(book.append(a) != nil) }
        let m = marks(base, conf: 3e-4)
        let prices = SweepPrices(marks: m, book: book, priceSide: .conservative)
        let below = book.sweep(prices, callRatio: 1.10)
        let model = MarginModel(universe: universe)
        var expectedBelow = 0
        for (i, a) in accounts.enumerated() {
            let v = model.value(a, marks: m)
            #expect(abs(book.equity[i] - v.equity) < 1e-6 * max(1, abs(v.equity)))
            #expect(abs(book.maintenance[i] - v.maintenanceRequirement) < 1e-6 * max(1, v.maintenanceRequirement))
            #expect(abs(book.initial[i] - v.initialRequirement) < 1e-6 * max(1, v.initialRequirement))
            if v.ratio < 1.10 { expectedBelow += 1 }
        }
        #expect(below == expectedBelow)
    }

    @Test func replaceInPlaceOrRetire() {
        var book = SweepBook(universe: universe)
        let a = F.account("x", collateral: [("USD", "100")], positions: [("BTC-USD", "1", "60000"), ("ETH-USD", "1", "3000")])
        let i = book.append(a) ?? -1
        let smaller = F.account("x", collateral: [("USD", "200")], positions: [("ETH-USD", "2", "3000")])
        #expect(book.replace(at: i, with: smaller) == i)
        var prices = SweepPrices(pairCount: book.pairs.count)
        for (p, px) in base { prices.set(pair: Int(book.pairIndex[p] ?? 0), price: px) }
        let r = book.evaluate(i, prices: prices)
        #expect(abs(r.equity - (200 + 2 * 200)) < 1e-9)
        #expect(abs(r.maintenance - 2 * 3200 * 0.05) < 1e-9)
        let bigger = F.account("x", collateral: [("USD", "1"), ("BTC", "1"), ("ETH", "1")], positions: [])
        let j = book.replace(at: i, with: bigger)
        #expect(j == 1 && !book.isActive[0] && book.isActive[1])
        #expect(book.append(F.account("y", positions: [("DOGE-USD", "1", "1")])) == nil)
    }

    /// Churn (accounts removed and re-created) must not grow the book: compaction keeps every live
    /// account's figures and entries, and its new index is where the returned map says.
    @Test func compactionDropsRetiredSlotsAndKeepsLiveAccounts() {
        var book = SweepBook(universe: universe)
        var prices = SweepPrices(pairCount: book.pairs.count)
        for (p, px) in base { prices.set(pair: Int(book.pairIndex[p] ?? 0), price: px) }
        var slot: [String: Int] = [:]
        for i in 0..<10 {
            slot["a\(i)"] = book.append(F.account("a\(i)", collateral: [("USD", "\(1_000 * (i + 1))")], positions: [("BTC-USD", "\(i + 1)", "60000")]))
        }
        // Remove the odd ones and grow a0 out of its slot.
        for i in stride(from: 1, to: 10, by: 2) { book.remove(at: slot["a\(i)"]!); slot["a\(i)"] = nil }
        slot["a0"] = book.replace(at: slot["a0"]!, with: F.account("a0", collateral: [("USD", "5"), ("BTC", "1")],
                                                                   positions: [("BTC-USD", "1", "60000"), ("ETH-USD", "-3", "3000")]))
        let before = slot.mapValues { book.evaluate($0, prices: prices) }
        #expect(book.count == 11)
        let map = book.compact()
        #expect(book.count == 5 && book.isActive.allSatisfy { $0 })
        for (id, old) in slot {
            let new = map[old]
            #expect(new >= 0 && book.ids[new] == id)
            let r = book.evaluate(new, prices: prices)
            #expect(r.equity == before[id]!.equity && r.maintenance == before[id]!.maintenance && r.initial == before[id]!.initial)
        }
        #expect(map.filter { $0 < 0 }.count == 6)
    }

    /// The index's promise: after any sequence of mark moves, every account outside its quiet band
    /// (by a full re-evaluation, checked after every update) was handed out as a candidate — with
    /// the default shares and with skewed per-pair volatilities (which change only the shares), and
    /// with no account tracked exactly (budgets only), the default, and every account tracked.
    @Test(arguments: [(nil, 0.02), ([1.0, 4.0, 0.25], 0.02), (nil, 0), (nil, 10)] as [([Double]?, Double)])
    func crossingIndexMissesNothing(volatility: [Double]?, trackBelow: Double) {
        var rng = RNG(s: 11)
        let accounts = randomAccounts(2000, rng: &rng)
        var book = SweepBook(universe: universe)
        for a in accounts { book.append(a) }
        var prices = SweepPrices(pairCount: book.pairs.count)
        var conf = [Double](repeating: 0, count: book.pairs.count)
        for (p, px) in base {
            let i = Int(book.pairIndex[p] ?? 0)
            conf[i] = px * 2e-4
            prices.set(pair: i, price: px, confidence: conf[i])
        }
        book.sweep(prices, callRatio: 1.1)
        let t = LevelThresholds(policy: MarginPolicy())
        var states = [LevelMachine.State](repeating: .init(), count: book.count)
        var bands = [QuietBand](repeating: QuietBand(low: 0, high: 0, highNeedsInitial: false), count: book.count)
        func settle(_ a: Int, _ e: Double, _ m: Double, _ i: Double) {
            var machine = LevelMachine(thresholds: t, state: states[a])
            let r = m > 0 ? e / m : .infinity
            _ = machine.markEvaluated(.init(ratio: r, slowRatio: r, equity: e, initialRequirement: i, eligible: true), nowMs: 0)
            states[a] = machine.state
            bands[a] = machine.quietBand
        }
        for a in 0..<book.count { settle(a, book.equity[a], book.maintenance[a], book.initial[a]) }
        var index = CrossingIndex(book: book, prices: prices, relativeVolatility: volatility, trackBelow: trackBelow) { bands[$0] }
        var candidates: [Int32] = []
        var total = 0, missed = 0, transitions = 0, tracked = 0
        for step in 0..<3000 {
            let p = Int(rng.next() * 3)
            let move = exp((rng.next() - 0.5) * (step % 100 == 0 ? 0.02 : 0.002))
            let c = conf[p] * (1 + 0.5 * (rng.next() - 0.5)) // within the allowance
            prices.set(pair: p, price: prices.mid[p] * move, confidence: c)
            candidates.removeAll()
            index.candidates(afterUpdateOf: p, prices: prices, into: &candidates)
            total += candidates.count
            #expect(Set(candidates).count == candidates.count)
            let units = book.assetUnitValues(prices)
            for a32 in candidates {
                let a = Int(a32)
                book.reevaluate(a, prices: prices, units: units)
                let before = bands[a]
                settle(a, book.equity[a], book.maintenance[a], book.initial[a])
                if bands[a] != before { transitions += 1 }
                index.reinsert(a, book: book, prices: prices, band: bands[a])
            }
            if index.needsRebuild {
                book.sweep(prices, callRatio: 1.1)
                for a in 0..<book.count { settle(a, book.equity[a], book.maintenance[a], book.initial[a]) }
                index = CrossingIndex(book: book, prices: prices, relativeVolatility: volatility, trackBelow: trackBelow) { bands[$0] }
            }
            tracked = max(tracked, index.trackedAccounts)
            // Every step: a fresh full evaluation of every account must agree with the bands.
            var check = book
            check.sweep(prices, callRatio: 1.1)
            for a in 0..<book.count
            where !bands[a].contains(equity: check.equity[a], maintenance: check.maintenance[a], initial: check.initial[a]) {
                missed += 1
            }
        }
        #expect(missed == 0, "accounts left their band unnoticed")
        #expect(transitions > 0) // the path really moves accounts between levels
        #expect(total < 3000 * 2000 / 20) // far fewer than re-evaluating every holder
        #expect(trackBelow == 0 ? tracked == 0 : tracked > 0) // both paths really run
    }

    /// Shares by sensitivity: an account whose exposure is almost all on one pair gets nearly all
    /// its slack on that pair, so a move of the main pair the even split would already release
    /// (past slack / K) does not release it, and a tiny exposure gets a small budget.
    @Test func slackFollowsExposure() {
        var book = SweepBook(pairs: ["A-USD", "B-USD"], maintenance: [0.05, 0.05], initial: [0.10, 0.10],
                             assets: ["USD"], assetPair: [-1], assetHaircut: [0])
        // Long 10 A at 100 (notional 1000) and long 0.1 B at 100 (notional 10); equity 75 + pnl 0.
        book.appendRaw(id: "x", collateral: [(0, 75)], positions: [(0, 10, 100), (1, 0.1, 100)])
        var prices = SweepPrices(pairCount: 2)
        prices.set(pair: 0, price: 100, confidence: 0)
        prices.set(pair: 1, price: 100, confidence: 0)
        book.sweep(prices, callRatio: 1.1)
        // Band [1.3, ∞): f_L = 75 − 1.3 · 50.5 = 9.35. Fall harm on A = 10 − 1.3·0.5 = 9.35/unit:
        // the whole slack lasts a 1.0 fall of A; an even split would release at 0.5.
        let band = QuietBand(low: 1.3, high: .infinity, highNeedsInitial: false)
        var index = CrossingIndex(book: book, prices: prices, trackBelow: 0) { _ in band }
        var out: [Int32] = []
        prices.set(pair: 0, price: 99.3, confidence: 0) // 0.7 down: past an even half, within the share
        index.candidates(afterUpdateOf: 0, prices: prices, into: &out)
        #expect(out.isEmpty)
        prices.set(pair: 0, price: 98.9, confidence: 0) // 1.1 down: past the whole slack
        index.candidates(afterUpdateOf: 0, prices: prices, into: &out)
        #expect(out == [0])
        book.reevaluate(0, prices: prices, units: book.assetUnitValues(prices))
        #expect(!band.contains(equity: book.equity[0], maintenance: book.maintenance[0], initial: book.initial[0]))
    }

    @Test func quietBandContains() {
        let b = QuietBand(low: 1.0, high: 1.2, highNeedsInitial: true)
        #expect(b.contains(equity: 110, maintenance: 100, initial: 200))
        #expect(!b.contains(equity: 99, maintenance: 100, initial: 200))
        #expect(b.contains(equity: 150, maintenance: 100, initial: 200))   // above 1.2 but below initial
        #expect(!b.contains(equity: 200, maintenance: 100, initial: 200))
        #expect(QuietBand(low: 1.3, high: .infinity, highNeedsInitial: false).contains(equity: 5, maintenance: 0, initial: 0))
    }
}

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

    /// The index's promise: after any sequence of mark moves, every account outside its quiet band
    /// (by a full re-evaluation) was handed out as a candidate.
    @Test func crossingIndexMissesNothing() {
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
        func settle(_ a: Int) {
            var m = LevelMachine(thresholds: t, state: states[a])
            let r = book.ratio(a)
            _ = m.markEvaluated(.init(ratio: r, slowRatio: r, equity: book.equity[a], initialRequirement: book.initial[a], eligible: true), nowMs: 0)
            states[a] = m.state
            bands[a] = m.quietBand
        }
        for a in 0..<book.count { settle(a) }
        var index = CrossingIndex(book: book, prices: prices) { bands[$0] }
        var candidates: [Int32] = []
        var total = 0
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
                settle(a)
                index.reinsert(a, book: book, prices: prices, band: bands[a])
            }
            if index.needsRebuild {
                book.sweep(prices, callRatio: 1.1)
                for a in 0..<book.count { settle(a) }
                index = CrossingIndex(book: book, prices: prices) { bands[$0] }
            }
            if step % 500 == 499 {
                var check = book
                check.sweep(prices, callRatio: 1.1)
                for a in 0..<book.count {
                    #expect(bands[a].contains(equity: check.equity[a], maintenance: check.maintenance[a], initial: check.initial[a]),
                            "account \(a) left its band unnoticed at step \(step)")
                }
            }
        }
        #expect(total < 3000 * 2000 / 5) // far fewer than re-evaluating every holder
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

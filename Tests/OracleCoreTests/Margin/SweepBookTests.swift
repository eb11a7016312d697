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

    @Test func quietBandContains() {
        let b = QuietBand(low: 1.0, high: 1.2, highNeedsInitial: true)
        #expect(b.contains(equity: 110, maintenance: 100, initial: 200))
        #expect(!b.contains(equity: 99, maintenance: 100, initial: 200))
        #expect(b.contains(equity: 150, maintenance: 100, initial: 200))   // above 1.2 but below initial
        #expect(!b.contains(equity: 200, maintenance: 100, initial: 200))
        #expect(QuietBand(low: 1.3, high: .infinity, highNeedsInitial: false).contains(equity: 5, maintenance: 0, initial: 0))
    }
}

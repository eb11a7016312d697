import Foundation
import Testing
@testable import OracleCore

/// Expiry settlement (docs/option-expiry.md): figures recomputed here by hand — intrinsic value,
/// realised cash q × (intrinsic − entry premium), the balance after, equity unchanged across the
/// settlement — not with the code under test.
@Suite struct OptionExpiryTests {
    typealias F = MarginFixtures
    static let day: Int64 = 86_400_000
    /// 2026-12-24T08:00:00Z; the options below expire one day later, 2026-12-25T08:00:00Z.
    static let now: Int64 = 1_798_099_200_000
    static let expiry = now + day

    static func n(_ x: Double) -> VenueNumber { VenueNumber(text: DecimalText.format(x, maxFractionDigits: 8), value: x) }

    static func option(_ right: OptionRight, _ strike: Double, expiry: Int64 = expiry) -> OptionContract {
        OptionContract(underlying: "BTC-USD", right: right, strike: n(strike), expiryMs: expiry)
    }

    static func evaluator(btc: Double?, status: Mark.Status = .ok) -> MarginEvaluator {
        var e = MarginEvaluator(universe: F.universe())
        e.volatility = FlatVolatility(["BTC-USD": 0.5])
        _ = e.marksUpdated(F.marks(F.mark("BTC-USD", btc, status: status)), nowMs: now)
        return e
    }

    static func usd(_ a: Account) -> Double? { a.collateral.first { $0.asset == "USD" }?.amount.value }

    @Test func aShortCallInTheMoneyDebitsItsRealisedLossAndLeavesEquityUnchanged() throws {
        // Short 5 calls K = 60 000 sold at 2 100; BTC marks 64 000 at expiry.
        let account = Account(id: "short-call", collateral: [CollateralBalance(asset: "USD", amount: Self.n(50_000))],
                              positions: [Position(option: Self.option(.call, 60_000), quantity: Self.n(-5), entryPrice: Self.n(2_100))])
        var e = Self.evaluator(btc: 64_000)
        _ = e.put([account], nowMs: Self.now)
        // Before expiry nothing settles, and the scan is free: the next expiry is known.
        #expect(e.nextExpiryMs == Self.expiry)
        #expect(e.deadlineTick(nowMs: Self.expiry - 1).settlements.isEmpty)
        #expect(e.accounts["short-call"]?.hasOptions == true)

        let at = Self.expiry + 5_000
        // Equity the instant before settlement: the expired option at intrinsic, against its premium.
        let intrinsic = 64_000.0 - 60_000          // 4 000 per contract
        let equityBefore = 50_000 + -5 * (intrinsic - 2_100)   // 40 500
        let before = try #require(e.value("short-call", nowMs: at))
        #expect(abs(before.equity - equityBefore) < 1e-6)

        let out = e.deadlineTick(nowMs: at)
        let s = try #require(out.settlements.first)
        #expect(out.settlements.count == 1)
        #expect(s.account == "short-call" && s.name == "BTC-25DEC26-60000-C" && s.method == "mark")
        #expect(s.settlementPrice == 64_000 && s.intrinsic == 4_000)
        #expect(s.value == -20_000)                 // q × intrinsic = −5 × 4 000
        #expect(s.cash == -9_500)                   // −5 × (4 000 − 2 100)
        #expect(s.balanceBefore == 50_000 && s.balanceAfter == 40_500)
        #expect(s.atMs == at)
        let settled = try #require(e.accounts["short-call"])
        #expect(!settled.hasOptions && settled.positions.isEmpty)
        #expect(settled.collateral.first?.amount.text == "40500")
        #expect(out.settledAccounts.map(\.after) == [settled])
        #expect(out.settledAccounts.first?.before == account)
        // Re-valued at once: the same equity, no requirement left.
        let v = try #require(e.valuations["short-call"])
        #expect(abs(v.equity - equityBefore) < 1e-6)
        #expect(v.maintenanceRequirement == 0)
        #expect(e.nextExpiryMs == nil)
        // The stored form round-trips through the API's reader.
        #expect(try AccountJSON.decode(AccountJSON.encode(settled), universe: e.universe) == settled)
    }

    @Test func aLongPutOutOfTheMoneyExpiresWorthlessAndSettlesOnce() throws {
        // Long 2 puts K = 50 000 bought at 800; BTC at 64 000: worthless, the premium is the loss.
        let account = Account(id: "long-put", collateral: [CollateralBalance(asset: "USD", amount: Self.n(10_000))],
                              positions: [Position(option: Self.option(.put, 50_000), quantity: Self.n(2), entryPrice: Self.n(800))])
        var e = Self.evaluator(btc: 64_000)
        _ = e.put([account], nowMs: Self.now)
        let out = e.expiryTick(nowMs: Self.expiry)     // exactly at expiry settles
        let s = try #require(out.settlements.first)
        #expect(s.intrinsic == 0 && s.value == 0)
        #expect(s.cash == -1_600)                    // 2 × (0 − 800)
        #expect(Self.usd(try #require(e.accounts["long-put"])) == 8_400)
        #expect(e.valuations["long-put"]?.equity == 8_400)
        // Settles once: later ticks (and a sweep) find nothing to settle and leave the balance.
        #expect(e.expiryTick(nowMs: Self.expiry + 1_000).settlements.isEmpty)
        #expect(e.deadlineTick(nowMs: Self.expiry + 2_000).settlements.isEmpty)
        #expect(e.sweepTick(nowMs: Self.expiry + 3_000).actions.settlements.isEmpty)
        #expect(Self.usd(try #require(e.accounts["long-put"])) == 8_400)
    }

    @Test func anUnpriceableMarkDefersSettlementToTheFirstPriceableOne() throws {
        let account = Account(id: "wait", collateral: [CollateralBalance(asset: "USD", amount: Self.n(20_000))],
                              positions: [Position(option: Self.option(.put, 70_000), quantity: Self.n(-1), entryPrice: Self.n(3_000))])
        var e = Self.evaluator(btc: 64_000)
        _ = e.put([account], nowMs: Self.now)
        _ = e.marksUpdated(F.marks(F.mark("BTC-USD", nil, status: .stale)), nowMs: Self.expiry - 1_000)
        let waiting = e.deadlineTick(nowMs: Self.expiry + 1_000)
        #expect(waiting.settlements.isEmpty && waiting.settledAccounts.isEmpty)
        #expect(e.accounts["wait"]?.hasOptions == true)
        #expect(e.awaitingSettlement["wait"] != nil)
        #expect(e.nextExpiryMs == Self.expiry + 1_000)   // keeps the scan due
        // A stale mark with a price is still not a settlement price.
        var stale = F.mark("BTC-USD", 66_000, status: .stale)
        stale.seq = 2
        _ = e.marksUpdated(["BTC-USD": stale], nowMs: Self.expiry + 2_000)
        #expect(e.deadlineTick(nowMs: Self.expiry + 3_000).settlements.isEmpty)
        // The first priceable mark (after expiry) is the settlement price: 70 000 − 63 000 = 7 000.
        var back = F.mark("BTC-USD", 63_000)
        back.seq = 3
        _ = e.marksUpdated(["BTC-USD": back], nowMs: Self.expiry + 60_000)
        let out = e.deadlineTick(nowMs: Self.expiry + 61_000)
        let s = try #require(out.settlements.first)
        #expect(s.settlementPrice == 63_000 && s.intrinsic == 7_000)
        #expect(s.cash == -4_000)                    // −1 × (7 000 − 3 000)
        #expect(Self.usd(try #require(e.accounts["wait"])) == 16_000)
        #expect(e.awaitingSettlement.isEmpty && e.nextExpiryMs == nil)
    }

    @Test func aDebtBeyondTheCashStaysOnTheCashLine() throws {
        // Short 5 calls K = 40 000 sold at 100, 5 BTC long at 64 000 beside them, 2 000 USD cash.
        // Settled at 64 000: intrinsic 24 000, cash = −5 × (24 000 − 100) = −119 500, balance
        // 2 000 − 119 500 = −117 500; the long gained nothing (entry = mark): equity −117 500.
        let account = Account(id: "debt", collateral: [CollateralBalance(asset: "USD", amount: Self.n(2_000))],
                              positions: [Position(option: Self.option(.call, 40_000), quantity: Self.n(-5), entryPrice: Self.n(100)),
                                          Position(pair: "BTC-USD", quantity: Self.n(5), entryPrice: Self.n(64_000))])
        var e = Self.evaluator(btc: 64_000)
        _ = e.put([account], nowMs: Self.now)
        let out = e.deadlineTick(nowMs: Self.expiry + 1_000)
        #expect(out.settlements.first?.cash == -119_500)
        #expect(out.settlements.first?.value == -120_000)
        let settled = try #require(e.accounts["debt"])
        #expect(Self.usd(settled) == -117_500)
        #expect(settled.collateral.first?.amount.text == "-117500")
        #expect(settled.positions.count == 1 && settled.positions[0].option == nil)
        // The negative cash line is accepted back by the reader (margin currency only).
        #expect(try AccountJSON.decode(AccountJSON.encode(settled), universe: e.universe) == settled)
        let v = try #require(e.valuations["debt"])
        #expect(abs(v.equity - -117_500) < 1e-6)
        #expect(abs(v.maintenanceRequirement - 0.05 * 5 * 64_000) < 1e-6)   // 16 000, standard rate
        #expect(e.machines["debt"]?.state.level.isCall == true)   // called before and after: equity is continuous
        // Another asset may still not be negative.
        #expect(throws: AccountError.self) {
            try AccountJSON.decode(#"{"id":"a","collateral":[{"asset":"BTC","amount":"-1"}]}"#, universe: e.universe)
        }
    }

    /// A short option settled with nothing else in the account leaves a cash debt and no requirement:
    /// the ratio is −∞ (not +∞), so the account is called with the debt as its deficit.
    @Test func aDebtWithNoPositionLeftIsCalled() throws {
        // Short 2 calls K = 60 000 sold at 500, 1 000 USD; settled at 64 000: cash −2 × (4 000 − 500)
        // = −7 000, balance −6 000, nothing required: deficit 6 000.
        let account = Account(id: "bare", collateral: [CollateralBalance(asset: "USD", amount: Self.n(1_000))],
                              positions: [Position(option: Self.option(.call, 60_000), quantity: Self.n(-2), entryPrice: Self.n(500))])
        var e = Self.evaluator(btc: 64_000)
        _ = e.put([account], nowMs: Self.now)
        let out = e.deadlineTick(nowMs: Self.expiry + 1_000)
        #expect(out.settlements.first?.cash == -7_000)
        let v = try #require(e.valuations["bare"])
        #expect(v.priced && v.maintenanceRequirement == 0 && abs(v.equity - -6_000) < 1e-9)
        #expect(v.ratio == -.infinity && v.deficit == 6_000)
        #expect(e.machines["bare"]?.state.level.isCall == true)
        // A sweep through the flat book agrees (the account has no option left, so it is in the book).
        let slot = try #require(e.bookSlot["bare"])
        #expect(e.book.ratio(slot) == -.infinity || e.book.maintenance[slot] == 0)
    }

    @Test func settlementThatLeavesAHedgeNakedCallsAndTheNoticeSaysSo() throws {
        // Short 5 calls K = 40 000 sold at 24 100, hedged by 5 BTC long at 64 000; USD 17 000.
        // Before expiry the grid margins the pair together (deep in the money: hedged; only the
        // extreme −48 % move at a third counts, ≈ 11 000). Settled at 64 000: cash
        // −5 × (24 000 − 24 100) = +500, balance 17 500, equity 17 500; the long alone then needs
        // the standard 5 % × 5 × 64 000 = 16 000: ratio 17 500 / 16 000 = 1.09375 < call 1.10.
        let account = Account(id: "hedge", collateral: [CollateralBalance(asset: "USD", amount: Self.n(17_000))],
                              positions: [Position(option: Self.option(.call, 40_000), quantity: Self.n(-5), entryPrice: Self.n(24_100)),
                                          Position(pair: "BTC-USD", quantity: Self.n(5), entryPrice: Self.n(64_000))])
        var e = Self.evaluator(btc: 64_000)
        let first = e.put([account], nowMs: Self.now)
        #expect(!(e.machines["hedge"]?.state.level.isCall ?? true), "\(first.notices.map(\.level))")
        let at = Self.expiry + 1_000
        let out = e.deadlineTick(nowMs: at)
        #expect(out.settlements.first?.cash == 500)
        #expect(Self.usd(try #require(e.accounts["hedge"])) == 17_500)
        let v = try #require(e.valuations["hedge"])
        #expect(abs(v.equity - 17_500) < 1e-6)
        #expect(abs(v.maintenanceRequirement - 16_000) < 1e-6)
        #expect(abs(v.ratio - 17_500.0 / 16_000) < 1e-12)
        let notice = try #require(out.notices.first { $0.account == "hedge" })
        #expect(notice.level == .marginCall)
        #expect(notice.settlements.map(\.name) == ["BTC-25DEC26-40000-C"])
        #expect(out.levels.contains { $0.account == "hedge" })
        let line = notice.jsonLine()
        #expect(line.contains(#""settlements":[{"option":"BTC-25DEC26-40000-C","underlying":"BTC-USD","quantity":"-5","method":"mark","settlement_price":"64000","intrinsic":"24000","value":"-120000","entry_price":"24100","cash":"500","balance":"17500","settled_at":"2026-12-25T08:00:01.000Z"}]"#), "\(line)")
        #expect(notice.syslogLine().contains("settled BTC-25DEC26-40000-C x-5 at 64000 cash 500 USD"))
    }

    @Test func aNoticeWithoutSettlementsIsUnchanged() {
        let account = F.account(collateral: [("USD", "1000")], positions: [("BTC-USD", "1", "64000")])
        var e = Self.evaluator(btc: 64_000)
        let out = e.put([account], nowMs: Self.now)
        for n in out.notices { #expect(!n.jsonLine().contains("settlements")) }
    }
}

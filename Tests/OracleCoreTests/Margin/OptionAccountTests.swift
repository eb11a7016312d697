import Foundation
import Testing
@testable import OracleCore

/// Option positions in accounts: the importer's forms and errors, the valuation (Black-76 on the
/// mark with the surface's σ) and the grid requirement recomputed here independently, and the
/// evaluator calling a short option book on a volatility spike with prices unchanged.
@Suite struct OptionAccountTests {
    typealias F = MarginFixtures
    static let day: Int64 = 86_400_000
    /// 2026-12-06T08:00:00Z.
    static let now: Int64 = 1_796_544_000_000

    static func universe(_ edit: (inout MarginPolicy) -> Void = { _ in }) -> MarginUniverse {
        var p = MarginPolicy()
        edit(&p)
        return F.universe(policy: p)
    }

    static func n(_ x: Double) -> VenueNumber { VenueNumber(text: DecimalText.format(x, maxFractionDigits: 8), value: x) }

    static func option(_ right: OptionRight, _ strike: Double, days: Int64, _ underlying: String = "BTC-USD") -> OptionContract {
        OptionContract(underlying: underlying, right: right, strike: n(strike), expiryMs: now + days * day)
    }

    /// Black-76 at r = 0, written out again (not the code under test).
    static func ref(_ right: OptionRight, _ f: Double, _ k: Double, _ sigma: Double, _ t: Double) -> Double {
        guard t > 0 else { return max(0, right == .call ? f - k : k - f) }
        func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
        let sd = sigma * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd, d2 = d1 - sd
        return right == .call ? f * cdf(d1) - k * cdf(d2) : k * cdf(-d2) - f * cdf(-d1)
    }

    /// The grid requirement of options on one underlying (defaults of docs/options.md), by brute force.
    static func gridRequirement(_ legs: [(OptionContract, Double)], linear: Double = 0, forward f: Double, sigma: Double) -> Double {
        let range = 0.16
        func pnl(_ move: Double, _ volFactor: (Double) -> Double) -> Double {
            var total = linear * f * move
            for (o, q) in legs {
                let t = Double(o.expiryMs - now) / (365 * Double(day))
                let m = min(2, pow(30 / (t * 365), 0.3))
                let s = sigma * volFactor(m)
                total += q * (ref(o.right, f * (1 + move), o.strike.value, s, t) - ref(o.right, f, o.strike.value, sigma, t))
            }
            return total
        }
        var worst = 0.0
        for k in -8...8 {
            for shock in [{ (m: Double) in 1 - 0.30 * m }, { _ in 1.0 }, { (m: Double) in 1 + 0.45 * m }] {
                worst = min(worst, pnl(Double(k) / 8 * range, shock))
            }
        }
        for move in [-3 * range, 3 * range] {
            for shock in [{ (_: Double) in 1.0 }, { (m: Double) in 1 + 0.45 * m }] {
                worst = min(worst, 0.33 * pnl(move, shock))
            }
        }
        let shortMinimum = legs.reduce(0.0) { $0 + ($1.1 < 0 ? 0.01 * f * -$1.1 : 0) }
        return max(-worst, shortMinimum)
    }

    // MARK: importer

    @Test func bothOptionFormsDecodeOnBothReadersAndRoundTrip() throws {
        let u = Self.universe()
        let body = #"""
        {"id": "opt-1", "collateral": [{"asset": "USD", "amount": "50000"}],
         "positions": [{"option": {"underlying": "BTC-USD", "right": "call", "strike": "60000", "expiry": "2026-12-25T08:00:00Z"}, "quantity": "-5", "entry_price": "2100"},
                       {"option": "BTC-25DEC26-60000-P", "quantity": "-5", "entry_price": "1900"},
                       {"pair": "BTC-USD", "quantity": "0.5", "entry_price": "59000"}]}
        """#
        let a = try AccountJSON.decode(body, universe: u)
        let b = try AccountJSON.decodeWithFoundation(Data(body.utf8), universe: u)
        #expect(a == b)
        #expect(a.positions.count == 3)
        let call = try #require(a.positions[0].option)
        #expect(call.right == .call && call.strike.text == "60000" && call.underlying == "BTC-USD")
        #expect(call.expiryMs == RFC3339.unixMs(year: 2026, month: 12, day: 25, hour: 8, minute: 0, second: 0, millis: 0))
        #expect(a.positions[1].option?.right == .put && a.positions[1].option?.expiryMs == call.expiryMs)
        #expect(a.positions[0].pair == "BTC-USD" && a.positions[2].option == nil)
        #expect(a.pairsNeeded(in: u) == ["USD", "BTC-USD"].filter { u.pairs[$0] != nil })
        // The stored form reads back as the same account.
        let again = try AccountJSON.decode(AccountJSON.encode(a), universe: u)
        #expect(again == a)
        #expect(AccountJSON.encode(again) == AccountJSON.encode(a))
    }

    @Test func badOptionPositionsAreRefusedNamingTheField() {
        let u = Self.universe()
        func field(_ position: String) -> String? {
            let body = #"{"id":"x","positions":["# + position + "]}"
            for decode in [{ try AccountJSON.decode(body, universe: u) },
                           { try AccountJSON.decodeWithFoundation(Data(body.utf8), universe: u) }] as [() throws -> Account] {
                do { _ = try decode() } catch let e as AccountError { return e.field } catch { return "?" }
            }
            return nil
        }
        #expect(field(#"{"option":{"underlying":"BTC-USD","right":"call","strik":"1","expiry":"2026-12-25"},"quantity":"1","entry_price":"1"}"#)
            == "positions[0].option.strik")
        #expect(field(#"{"option":{"underlying":"BTC-USD","right":"call","strike":"abc","expiry":"2026-12-25"},"quantity":"1","entry_price":"1"}"#)
            == "positions[0].option.strike")
        #expect(field(#"{"option":"BTC-25DEC26-60000-X","quantity":"1","entry_price":"1"}"#) == "positions[0].option")
        #expect(field(#"{"option":"BTC-25DEC26-60000-C","pair":"ETH-USD","quantity":"1","entry_price":"1"}"#) == "positions[0].pair")
        #expect(field(#"{"option":"DOGE-25DEC26-1-C","quantity":"1","entry_price":"1"}"#) == "positions[0].option.underlying")
        #expect(field(#"{"option":"BTC-25DEC26-60000-C","quantity":"1","entry_price":"-1"}"#) == "positions[0].entry_price")
        #expect(field(#"{"option":"BTC-25DEC26-60000-C","quantity":"1","entry_price":"0"}"#) == nil)   // a premium of 0 is allowed
        #expect(field(#"{"option":"BTC-25DEC26-60000-C","quantity":"1","entry_price":"1"},{"option":"BTC-25DEC26-60000-C","quantity":"2","entry_price":"1"}"#)
            == "positions[1].option")
        // An option and a linear position on the same pair are not duplicates.
        #expect(field(#"{"option":"BTC-25DEC26-60000-C","quantity":"1","entry_price":"1"},{"pair":"BTC-USD","quantity":"2","entry_price":"1"}"#) == nil)
    }

    // MARK: valuation

    @Test func shortCallIsValuedOnTheMarkAndMarginedByTheGrid() throws {
        let u = Self.universe()
        let o = Self.option(.call, 105_000, days: 30)
        let account = Account(id: "a", collateral: [CollateralBalance(asset: "USD", amount: Self.n(50_000))],
                              positions: [Position(option: o, quantity: Self.n(-2), entryPrice: Self.n(4_000)),
                                          Position(pair: "ETH-USD", quantity: Self.n(3), entryPrice: Self.n(3_000))])
        let marks = F.marks(F.mark("BTC-USD", 100_000), F.mark("ETH-USD", 3_100))
        let market = OptionMarket(volatility: FlatVolatility(["BTC-USD": 0.6]), nowMs: Self.now)
        let v = MarginModel(universe: u).value(account, marks: marks, options: market)
        #expect(v.priced, "\(v.unpricedReason ?? "")")
        let t = 30.0 / 365
        let premium = Self.ref(.call, 100_000, 105_000, 0.6, t)
        #expect(abs(v.equity - (50_000 - 2 * (premium - 4_000) + 3 * (3_100 - 3_000))) < 1e-6)
        let line = try #require(v.positions.first { $0.option != nil })
        #expect(abs(line.valuationPrice - premium) < 1e-8 && line.volatility == 0.6 && line.maintenance == 0)
        // Greeks × quantity: delta of a short call is negative, vega negative, theta positive.
        let g = try #require(line.greeks)
        #expect(g.delta < 0 && g.vega < 0 && g.theta > 0)
        let grid = Self.gridRequirement([(o, -2)], forward: 100_000, sigma: 0.6)
        let eth = 3 * 3_100 * 0.05
        #expect(abs(v.maintenanceRequirement - (grid + eth)) < 1e-6 * grid)
        #expect(abs(v.initialRequirement - (1.25 * grid + 3 * 3_100 * 0.10)) < 1e-6 * grid)
        let m = try #require(v.optionMargin)
        #expect(abs(m.requirement - grid) < 1e-6 * grid && m.worst != nil)
        #expect(abs(m.risk[0].greeks.delta - g.delta) < 1e-12)
    }

    @Test func linearPositionsOnAnOptionUnderlyingJoinTheGrid() throws {
        let u = Self.universe()
        let o = Self.option(.call, 100_000, days: 20)
        let t = 20.0 / 365
        // Long 10 calls hedged by selling their delta in the perpetual: the grid nets them.
        let f = 100_000.0, sigma = 0.55
        let sd = sigma * t.squareRoot()
        let delta = 0.5 * erfc(-((log(f / 100_000) + sd * sd / 2) / sd) / 2.0.squareRoot())
        let hedge = (-10 * delta * 1000).rounded() / 1000
        let account = Account(id: "h", collateral: [CollateralBalance(asset: "USD", amount: Self.n(100_000))],
                              positions: [Position(option: o, quantity: Self.n(10), entryPrice: Self.n(5_000)),
                                          Position(pair: "BTC-USD", quantity: Self.n(hedge), entryPrice: Self.n(f))])
        let v = MarginModel(universe: u).value(account, marks: F.marks(F.mark("BTC-USD", f)),
                                               options: OptionMarket(volatility: FlatVolatility(["BTC-USD": sigma]), nowMs: Self.now))
        #expect(v.priced)
        let perp = try #require(v.positions.first { $0.option == nil })
        #expect(perp.inOptionGrid && perp.maintenance == 0)
        let expected = Self.gridRequirement([(o, 10)], linear: hedge, forward: f, sigma: sigma)
        #expect(abs(v.maintenanceRequirement - expected) < 1e-6 * expected)
        // Less than the legs margined apart: the long calls' grid plus the perpetual's 5 %.
        let apart = Self.gridRequirement([(o, 10)], forward: f, sigma: sigma) + abs(hedge) * f * 0.05
        #expect(v.maintenanceRequirement < apart)
    }

    @Test func noVolatilityMeansUnpricedNeverAGuess() {
        let u = Self.universe()
        let o = Self.option(.put, 90_000, days: 10)
        let account = Account(id: "p", collateral: [CollateralBalance(asset: "USD", amount: Self.n(10_000))],
                              positions: [Position(option: o, quantity: Self.n(-1), entryPrice: Self.n(1_000))])
        let marks = F.marks(F.mark("BTC-USD", 100_000))
        let none = MarginModel(universe: u).value(account, marks: marks)
        #expect(!none.priced && none.unpricedReason?.contains("BTC-16DEC26-90000-P") == true, "\(none.unpricedReason ?? "")")
        let elsewhere = MarginModel(universe: u).value(account, marks: marks,
                                                       options: OptionMarket(volatility: FlatVolatility(["ETH-USD": 0.5]), nowMs: Self.now))
        #expect(!elsewhere.priced && elsewhere.unpricedReason?.contains("no volatility for BTC-16DEC26-90000-P") == true)
        // Expired: intrinsic at the mark, no σ needed.
        let expired = MarginModel(universe: u).value(account, marks: F.marks(F.mark("BTC-USD", 85_000)),
                                                     options: OptionMarket(volatility: FlatVolatility([:]), nowMs: Self.now + 11 * Self.day))
        #expect(expired.priced && abs(expired.equity - (10_000 - (5_000 - 1_000))) < 1e-9)
    }

    // MARK: evaluator

    @Test func aVolatilitySpikeCallsAShortStraddleWithPricesUnchanged() throws {
        let u = Self.universe()
        let call = Self.option(.call, 100_000, days: 14), put = Self.option(.put, 100_000, days: 14)
        let t = 14.0 / 365, f = 100_000.0
        let straddle = Self.ref(.call, f, 100_000, 0.5, t) + Self.ref(.put, f, 100_000, 0.5, t)
        let requirement = Self.gridRequirement([(call, -3), (put, -3)], forward: f, sigma: 0.5)
        // Collateral for a ratio of 1.4 at σ = 50 % (above warn 1.3), entry at today's premium (no P&L yet).
        let usd = (1.4 * requirement).rounded(.up)
        let account = Account(id: "straddle", collateral: [CollateralBalance(asset: "USD", amount: Self.n(usd))],
                              positions: [Position(option: call, quantity: Self.n(-3), entryPrice: Self.n(straddle / 2)),
                                          Position(option: put, quantity: Self.n(-3), entryPrice: Self.n(straddle / 2))])
        var e = MarginEvaluator(universe: u)
        e.volatility = FlatVolatility(["BTC-USD": 0.5])
        _ = e.marksUpdated(F.marks(F.mark("BTC-USD", f)), nowMs: Self.now)
        let first = e.put([account], nowMs: Self.now)
        #expect(first.notices.isEmpty)
        #expect(e.book.pairIndex["BTC-USD"] != nil && e.bookSlot["straddle"] == nil)   // not in the flat book
        // σ doubles, the price does not move.
        e.volatility = FlatVolatility(["BTC-USD": 1.0])
        let spike = e.volatilityUpdated(pairs: ["BTC-USD"], nowMs: Self.now + 1_000)
        let notice = try #require(spike.notices.first, "\(e.valuations["straddle"].map { "\($0.ratio) \($0.equity) \($0.maintenanceRequirement) \($0.unpricedReason ?? "")" } ?? "none") evaluated \(spike.evaluated)")
        #expect(notice.level.isCall)
        let v = try #require(e.valuations["straddle"])
        let spiked = Self.ref(.call, f, 100_000, 1.0, t - 1_000 / (365.0 * Double(Self.day)))
            + Self.ref(.put, f, 100_000, 1.0, t - 1_000 / (365.0 * Double(Self.day)))
        #expect(abs(v.equity - (usd - 3 * (spiked - straddle))) < 1e-6)
        #expect(v.equity > 0)
        // Pairs without options are not re-valued by a volatility event.
        #expect(e.volatilityUpdated(pairs: ["ETH-USD"], nowMs: Self.now + 2_000).evaluated == 0)
    }

    @Test func anAccountThatGainsAnOptionLeavesTheFlatBook() {
        let u = Self.universe()
        var e = MarginEvaluator(universe: u)
        e.volatility = FlatVolatility(["BTC-USD": 0.5])
        _ = e.marksUpdated(F.marks(F.mark("BTC-USD", 100_000)), nowMs: Self.now)
        let linear = Account(id: "x", collateral: [CollateralBalance(asset: "USD", amount: Self.n(10_000))],
                             positions: [Position(pair: "BTC-USD", quantity: Self.n(1), entryPrice: Self.n(100_000))])
        _ = e.put([linear], nowMs: Self.now)
        let slot = e.bookSlot["x"]
        #expect(slot != nil)
        var withOption = linear
        withOption.positions.append(Position(option: Self.option(.put, 80_000, days: 30), quantity: Self.n(1), entryPrice: Self.n(500)))
        _ = e.put([withOption], nowMs: Self.now)
        #expect(e.bookSlot["x"] == nil)
        if let slot { #expect(!e.book.isActive[slot]) }
        // A sweep still values it (unslotted accounts are always due).
        let (actions, _) = e.sweepTick(nowMs: Self.now + 1)
        #expect(actions.evaluated >= 1 && e.valuations["x"]?.priced == true)
    }
}

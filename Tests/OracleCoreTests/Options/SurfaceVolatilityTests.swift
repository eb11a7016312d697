import Foundation
import Testing
@testable import OracleCore

/// `SurfaceVolatility`: option valuation's σ from built surfaces, keyed by the positions' pair.
/// Surfaces are built from synthetic SVI quotes with `VolSurfaceTests`' helpers; expected vols are
/// the SVI smile evaluated here, and prices the grid test's own Black-76 (`ScenarioGridTests.ref`).
@Suite struct SurfaceVolatilityTests {
    typealias V = VolSurfaceTests

    /// An `ok` BTC surface from three agreeing venues (two expiries, SVI p1 and p2).
    static func btcSurface() -> VolSurface {
        V.build(V.readings([("deribit", .deribitOptions, V.answer(bump: 0.001)),
                            ("okx", .okxOptions, V.answer(bump: -0.001)),
                            ("bybit", .bybitOptions, V.answer())]))
    }

    static func lookup(_ surfaces: [VolSurface]) -> SurfaceVolatility {
        SurfaceVolatility(surfaces: surfaces,
                          underlyingByPair: [SurfaceVolatility.pairKey(underlying: "BTC", quote: "USD"): "BTC",
                                             SurfaceVolatility.pairKey(underlying: "ETH", quote: "USD"): "ETH"])
    }

    @Test func pairKeyIsForwardPairOrUnderlyingDashQuote() {
        #expect(SurfaceVolatility.pairKey(underlying: "BTC", quote: "USD") == "BTC-USD")
        #expect(SurfaceVolatility.pairKey(underlying: "BTC", quote: "USD", forwardPair: "XBT-USD") == "XBT-USD")
    }

    @Test func aPairIsServedFromItsUnderlyingsSurface() throws {
        let surface = Self.btcSurface()
        try #require(surface.status == .ok, "\(surface.statusReason ?? "")")
        let vols = Self.lookup([surface])
        // At a quoted expiry and strike: the SVI smile's vol there, computed by hand.
        let t1 = Double(V.exp1 - V.now) / V.year
        let want = (V.sviW(V.p1, log(90_000.0 / 100_000)) / t1).squareRoot()
        let got = try #require(vols.volatility(underlying: "BTC-USD", strike: 90_000, expiryMs: V.exp1, forward: 100_000, nowMs: V.now))
        #expect(abs(got - want) < 3e-4, "\(got) vs \(want)")
        // Between expiries and off the quoted strikes it is exactly the surface's own answer.
        let mid = (V.exp1 + V.exp2) / 2
        #expect(vols.volatility(underlying: "BTC-USD", strike: 97_500, expiryMs: mid, forward: 101_000, nowMs: V.now + 3_600_000)
                == surface.volatility(strike: 97_500, expiryMs: mid, forward: 101_000, nowMs: V.now + 3_600_000))
        // The surface's key is not a pair name: asking by "BTC" is not a match.
        #expect(vols.volatility(underlying: "BTC", strike: 90_000, expiryMs: V.exp1, forward: 100_000, nowMs: V.now) == nil)
    }

    @Test func noSurfaceOrAnotherQuoteIsNil() {
        let vols = Self.lookup([Self.btcSurface()])
        // ETH is mapped but has no surface yet; SOL has no [[vol]] at all; BTC-USDT is another quote.
        for pair in ["ETH-USD", "SOL-USD", "BTC-USDT"] {
            #expect(vols.volatility(underlying: pair, strike: 90_000, expiryMs: V.exp1, forward: 100_000, nowMs: V.now) == nil, "\(pair)")
        }
    }

    @Test func anUnavailableSurfaceIsNilEvenWithSlicesLeft() {
        var surface = Self.btcSurface()
        surface.status = .unavailable
        #expect(!surface.slices.isEmpty)
        let vols = Self.lookup([surface])
        #expect(vols.volatility(underlying: "BTC-USD", strike: 90_000, expiryMs: V.exp1, forward: 100_000, nowMs: V.now) == nil)
        // And one built with no source answering is unavailable, so nil too.
        let empty = V.build(V.readings([("deribit", .deribitOptions, nil), ("okx", .okxOptions, nil)]))
        #expect(empty.status == .unavailable)
        #expect(Self.lookup([empty]).volatility(underlying: "BTC-USD", strike: 90_000, expiryMs: V.exp1, forward: 100_000, nowMs: V.now) == nil)
    }

    /// A surface whose loop stopped keeps its last "ok" status forever: past `maxAgeMs` it is not used.
    @Test func aSurfaceOlderThanItsLimitIsNotUsed() {
        let surface = Self.btcSurface()
        var vols = Self.lookup([surface])
        vols.maxAgeMs = ["BTC": 60_000]
        func at(_ ms: Int64) -> Double? {
            vols.volatility(underlying: "BTC-USD", strike: 90_000, expiryMs: V.exp1, forward: 100_000, nowMs: surface.builtAtMs + ms)
        }
        #expect(at(60_000) != nil)
        #expect(at(60_001) == nil)
        vols.maxAgeMs = [:]
        #expect(at(3_600_000) != nil)   // no limit set: tests and `oracled option` use a surface as given
    }

    @Test func theGridValuesOnTheSurfaceAndRefusesWithoutOne() throws {
        let contract = OptionContract(underlying: "BTC-USD", right: .call, strike: VenueNumber("90000")!, expiryMs: V.exp1)
        let position = GridPosition(option: contract, quantity: -2, entryPrice: 12_000)
        let forward = 100_000.0
        let vols = Self.lookup([Self.btcSurface()])
        let result = try ScenarioGrid.evaluate([position], forwards: ["BTC-USD": forward], volatility: vols, nowMs: V.now)
        // Unrealised P&L by hand: −2 × (Black-76 at the surface's σ − entry).
        let t = Double(V.exp1 - V.now) / V.year
        let sigma = try #require(vols.volatility(underlying: "BTC-USD", strike: 90_000, expiryMs: V.exp1, forward: forward, nowMs: V.now))
        let want = -2 * (ScenarioGridTests.ref(.call, forward, 90_000, sigma, t) - 12_000)
        let got = try #require(result.risk.first).unrealisedPnL
        #expect(abs(got - want) < 1e-6 * max(1, abs(want)), "\(got) vs \(want)")

        // Unavailable surface: the grid refuses, naming the position's volatility.
        var down = Self.btcSurface()
        down.status = .unavailable
        do {
            _ = try ScenarioGrid.evaluate([position], forwards: ["BTC-USD": forward], volatility: Self.lookup([down]), nowMs: V.now)
            Issue.record("valued an option without a volatility")
        } catch {
            #expect(error.field == "positions[0].volatility")
        }
    }
}

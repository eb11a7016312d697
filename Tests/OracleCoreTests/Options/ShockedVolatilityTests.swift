import Testing
@testable import OracleCore

/// Issue 12 (render) item 3: the what-if's volatility shock, σ × (1 + s), and the keys a request may use.
@Suite struct ShockedVolatilityTests {
    @Test func scalesOnlyTheShockedUnderlyingAndKeepsNil() {
        let base = FlatVolatility(["BTC-USD": 0.5, "ETH-USD": 0.7])
        let shocked = ShockedVolatility(base: base, shocks: ["BTC-USD": 0.3])
        #expect(shocked.volatility(underlying: "BTC-USD", strike: 1, expiryMs: 1, forward: 1, nowMs: 0) == 0.5 * 1.3)
        #expect(shocked.volatility(underlying: "ETH-USD", strike: 1, expiryMs: 1, forward: 1, nowMs: 0) == 0.7)
        #expect(shocked.volatility(underlying: "SOL-USD", strike: 1, expiryMs: 1, forward: 1, nowMs: 0) == nil)
        let down = ShockedVolatility(base: base, shocks: ["ETH-USD": -0.2])
        #expect(abs(down.volatility(underlying: "ETH-USD", strike: 1, expiryMs: 1, forward: 1, nowMs: 0)! - 0.56) < 1e-15)
        // A shock on an underlying without σ still has none: a shock never invents a volatility.
        #expect(ShockedVolatility(base: base, shocks: ["SOL-USD": 0.3])
            .volatility(underlying: "SOL-USD", strike: 1, expiryMs: 1, forward: 1, nowMs: 0) == nil)
    }

    @Test func resolvesUnderlyingsAndPairsAndRefusesNamingTheKey() throws {
        let map = ["BTC-USD": "BTC", "ETH-USD": "ETH"]
        #expect(try ShockedVolatility.resolve([("BTC", 0.3)], underlyingByPair: map).get() == ["BTC-USD": 0.3])
        #expect(try ShockedVolatility.resolve([("ETH-USD", -0.1), ("BTC", 0.3)], underlyingByPair: map).get()
            == ["ETH-USD": -0.1, "BTC-USD": 0.3])
        func refusal(_ r: [(key: String, shock: Double?)]) -> String? {
            if case let .failure(e) = ShockedVolatility.resolve(r, underlyingByPair: map) { return e.description }
            return nil
        }
        #expect(refusal([("DOGE", 0.3)])?.hasPrefix("vol_shocks.DOGE: no [[vol]] surface") == true)
        #expect(refusal([("BTC", -1)])?.hasPrefix("vol_shocks.BTC: expected a relative volatility shock > -1") == true)
        #expect(refusal([("BTC", nil)])?.hasPrefix("vol_shocks.BTC:") == true)
        #expect(refusal([("BTC", .infinity)])?.hasPrefix("vol_shocks.BTC:") == true)
        #expect(refusal([("BTC", 0.1), ("BTC-USD", 0.2)])?.contains("shocked twice") == true)
    }
}

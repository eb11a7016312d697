import Testing
@testable import OracleCore

@Suite struct MarginModelTests {
    typealias F = MarginFixtures

    func close(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool { abs(a - b) <= tol * max(1, abs(b)) }

    let book = F.account(collateral: [("USD", "10000"), ("BTC", "0.5")],
                         positions: [("BTC-USD", "1", "60000"), ("ETH-USD", "-10", "3000")])
    let marks = F.marks(F.mark("BTC-USD", 65000, conf: 50), F.mark("ETH-USD", 3100, conf: 5))

    @Test func equityWithHaircutsOnConservativeSide() {
        let v = MarginModel(universe: F.universe()).value(book, marks: marks)
        // USD 10000 + BTC 0.5 × (65000 − 50) × 0.9 = 29227.5
        // long 1 × (64950 − 60000) = 4950; short −10 × (3105 − 3000) = −1050
        #expect(v.priced && v.triggerEligible)
        #expect(close(v.collateral[1].value, 29227.5))
        #expect(close(v.positions[0].unrealisedPnl, 4950))
        #expect(close(v.positions[1].unrealisedPnl, -1050))
        #expect(close(v.equity, 43127.5))
        // maintenance 65000 × 0.05 + 31000 × 0.05; initial twice that
        #expect(close(v.maintenanceRequirement, 4800))
        #expect(close(v.initialRequirement, 9600))
        #expect(close(v.ratio, 43127.5 / 4800))
        #expect(v.deficit == 0 && v.topUps.isEmpty)
        #expect(v.riskModel == .standard && v.valueAtRisk == nil && v.liquidityAddOn == 0)
    }

    @Test func midSideIgnoresConfidence() {
        let v = MarginModel(universe: F.universe(policy: MarginPolicy(priceSide: .mid))).value(book, marks: marks)
        // 10000 + 0.5 × 65000 × 0.9 + 5000 − 1000
        #expect(close(v.equity, 43250))
    }

    @Test func deficitAndTopUpsPerAsset() {
        let a = F.account(collateral: [("USD", "2000")], positions: [("BTC-USD", "1", "65000")])
        let m = F.marks(F.mark("BTC-USD", 64000, conf: 100), F.mark("ETH-USD", 3100, conf: 5))
        let v = MarginModel(universe: F.universe()).value(a, marks: m)
        // equity 2000 + (63900 − 65000) = 900; maintenance 3200; initial 6400
        #expect(close(v.equity, 900))
        #expect(close(v.ratio, 0.28125))
        #expect(close(v.deficit, 5500))
        let top = Dictionary(uniqueKeysWithValues: v.topUps.map { ($0.asset, $0.amount) })
        #expect(close(top["USD"] ?? 0, 5500))
        // Rounded up to 1e-8 units, so that depositing the published amount never falls short.
        #expect(top["BTC"] == 0.09563555)     // 5500 / (63900 × 0.9) = 0.0956355416…
        #expect(top["ETH"] == 2.09065856)     // 5500 / (3095 × 0.85) = 2.0906585574…
        #expect(top["USDC"] == nil) // no USDC-USD mark: cannot say how much
        #expect(v.topUps.first?.asset == "USD")
    }

    @Test func tiersAreMarginalAndContinuous() {
        let tiers = [MarginTier(fromNotional: 100_000, maintenanceMargin: 0.10, initialMargin: 0.20),
                     MarginTier(fromNotional: 500_000, maintenanceMargin: 0.20, initialMargin: 0.40)]
        let req = { (n: Double, initial: Bool) in
            MarginModel.tieredRequirement(notional: n, baseRate: initial ? 0.10 : 0.05, tiers: tiers, initial: initial)
        }
        #expect(close(req(50_000, false), 2_500))
        #expect(close(req(300_000, false), 5_000 + 20_000))
        #expect(close(req(300_000, true), 10_000 + 40_000))
        #expect(close(req(700_000, false), 5_000 + 40_000 + 40_000))
        for edge in [100_000.0, 500_000.0] {
            #expect(abs(req(edge - 1e-6, false) - req(edge + 1e-6, false)) < 1e-6)
            #expect(abs(req(edge - 1e-6, true) - req(edge + 1e-6, true)) < 1e-6)
        }
        // In the model: 10 BTC at 30000 = 300k notional.
        let u = MarginUniverse(policy: MarginPolicy(), collateral: [],
                               pairs: [F.pair("BTC-USD", risk: PairRiskSpec(tiers: tiers))])
        let v = MarginModel(universe: u).value(F.account(positions: [("BTC-USD", "-10", "30000")]),
                                               marks: F.marks(F.mark("BTC-USD", 30000)))
        #expect(close(v.maintenanceRequirement, 25_000))
        #expect(close(v.initialRequirement, 50_000))
    }

    @Test func liquidityAddOn() {
        let u = MarginUniverse(policy: MarginPolicy(), collateral: [],
                               pairs: [F.pair("BTC-USD", risk: PairRiskSpec(adv: 1000, spreadBps: 5, impactBps: 100))])
        // 10 × 65000 × (5 + 100 × √(10/1000)) / 1e4 = 650000 × 15 / 1e4
        #expect(close(MarginModel(universe: u).liquidityAddOn(pair: "BTC-USD", quantity: -10, price: 65000), 975))
        #expect(MarginModel(universe: F.universe()).liquidityAddOn(pair: "BTC-USD", quantity: 10, price: 65000) == 0)
    }

    @Test func staleOrMissingMarkMakesAccountUnpriced() {
        let model = MarginModel(universe: F.universe())
        let stale = model.value(book, marks: F.marks(F.mark("BTC-USD", 65000, status: .stale), F.mark("ETH-USD", 3100)))
        #expect(!stale.priced && !stale.triggerEligible)
        #expect(stale.missingPair == "BTC-USD")
        #expect(stale.unpricedReason == "BTC-USD is stale")
        let missing = model.value(book, marks: F.marks(F.mark("BTC-USD", 65000)))
        #expect(!missing.priced && missing.missingPair == "ETH-USD")
        let unavailable = model.value(book, marks: F.marks(F.mark("BTC-USD", nil, status: .unavailable), F.mark("ETH-USD", 3100)))
        #expect(!unavailable.priced)
    }

    @Test func degradedMarkEligibleOnlyWithEnoughSources() {
        let model = MarginModel(universe: F.universe())
        let two = model.value(book, marks: F.marks(F.mark("BTC-USD", 65000, status: .degraded, sources: 2), F.mark("ETH-USD", 3100)))
        #expect(two.priced && two.triggerEligible)
        let one = model.value(book, marks: F.marks(F.mark("BTC-USD", 65000, status: .degraded, sources: 1), F.mark("ETH-USD", 3100)))
        #expect(one.priced && !one.triggerEligible)
    }

    @Test func noPositionsMeansInfiniteRatio() {
        let v = MarginModel(universe: F.universe()).value(F.account(collateral: [("USD", "5")]), marks: [:])
        #expect(v.priced && v.ratio == .infinity && v.equity == 5 && v.maintenanceRequirement == 0)
    }
}

import Foundation
import Testing
@testable import OracleCore

@Suite struct KupiecPOFTests {
    @Test func knownValueT250x8() {
        var k = KupiecPOF(expectedRate: 0.01)
        for i in 0..<250 { k.record(exceeded: i % 31 == 0 && i < 248) }
        #expect(k.observations == 250 && k.exceedances == 8)
        // −2[242 ln 0.99 + 8 ln 0.01] + 2[242 ln(242/250) + 8 ln(8/250)], computed independently.
        #expect(abs(k.likelihoodRatio - 7.7335507244945205) < 1e-9)
        #expect(abs(k.pValue - 0.005420405194127794) < 1e-9)
    }

    @Test func edgeCases() {
        #expect(KupiecPOF(expectedRate: 0.01).likelihoodRatio == 0)
        #expect(KupiecPOF(expectedRate: 0.01).pValue == 1)
        // No exceedance in 250: LR = −2 · 250 · ln 0.99
        #expect(abs(KupiecPOF(expectedRate: 0.01, observations: 250, exceedances: 0).likelihoodRatio - 5.025167926750726) < 1e-9)
        // Exactly the expected rate: LR = 0, p-value 1.
        let exact = KupiecPOF(expectedRate: 0.01, observations: 200, exceedances: 2)
        #expect(abs(exact.likelihoodRatio) < 1e-9 && abs(exact.pValue - 1) < 1e-6)
        var k = KupiecPOF(expectedRate: 0.01)
        k.record(loss: 5, valueAtRisk: 4)
        k.record(loss: 4, valueAtRisk: 4)
        #expect(k.exceedances == 1 && k.observations == 2)
    }

    @Test func normalQuantileAndChiSquare() {
        #expect(abs(NormalDistribution.quantile(0.99) - 2.3263478740408408) < 1e-12)
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(NormalDistribution.quantile(0.001) + 3.090232306167813) < 1e-10)
        #expect(NormalDistribution.quantile(0.5) == 0)
        #expect(NormalDistribution.quantile(1.5).isNaN)
        // χ²₁ survival at 3.841458820694124 is 0.05.
        #expect(abs(NormalDistribution.chiSquared1Survival(3.841458820694124) - 0.05) < 1e-12)
    }
}

import Foundation
import Testing
@testable import OracleCore

@Suite struct TrafficLightTests {
    /// Exact binomial CDF with integer-free products (n ≤ 1000 keeps it in range).
    static func referenceCDF(_ x: Int, n: Int, p: Double) -> Double {
        var pmf = pow(1 - p, Double(n)), sum = 0.0
        for k in 0...x {
            sum += pmf
            pmf *= Double(n - k) / Double(k + 1) * p / (1 - p)
        }
        return sum
    }

    @Test func reproducesTheBaselTableAt250And99() {
        // BCBS 1996: green 0–4, yellow 5–9, red ≥ 10.
        for x in 0...4 { #expect(TrafficLight.zone(exceedances: x, observations: 250, confidence: 0.99) == .green, "\(x)") }
        for x in 5...9 { #expect(TrafficLight.zone(exceedances: x, observations: 250, confidence: 0.99) == .yellow, "\(x)") }
        for x in [10, 11, 30, 250] { #expect(TrafficLight.zone(exceedances: x, observations: 250, confidence: 0.99) == .red, "\(x)") }
        let b = TrafficLight.boundaries(observations: 250, confidence: 0.99)
        #expect(b.yellow == 5 && b.red == 10)
        // Basel's cumulative probabilities, written out: 89.22 %, 95.88 %, 99.97 %, 99.99 %.
        #expect(abs(TrafficLight.binomialCDF(4, n: 250, p: 0.01) - 0.8921876269036233) < 1e-12)
        #expect(abs(TrafficLight.binomialCDF(5, n: 250, p: 0.01) - 0.9588168159301496) < 1e-12)
        #expect(abs(TrafficLight.binomialCDF(9, n: 250, p: 0.01) - 0.9997498099312573) < 1e-12)
        #expect(abs(TrafficLight.binomialCDF(10, n: 250, p: 0.01) - 0.9999461013709507) < 1e-12)
    }

    @Test func cdfMatchesReference() {
        for n in [1, 10, 100, 250, 500, 1000] {
            for p in [0.001, 0.01, 0.025, 0.05] {
                for x in stride(from: 0, through: min(n, 40), by: 3) {
                    #expect(abs(TrafficLight.binomialCDF(x, n: n, p: p) - Self.referenceCDF(x, n: n, p: p)) < 1e-10, "\(x)/\(n) @ \(p)")
                }
            }
        }
    }

    @Test func edgeCases() {
        #expect(TrafficLight.zone(exceedances: 0, observations: 0, confidence: 0.99) == .green)
        #expect(TrafficLight.zone(exceedances: 0, observations: 250, confidence: 0.99) == .green)
        #expect(TrafficLight.zone(exceedances: 250, observations: 250, confidence: 0.99) == .red)
        #expect(TrafficLight.zone(exceedances: 0, observations: 10, confidence: 1) == .green)
        #expect(TrafficLight.zone(exceedances: 1, observations: 10, confidence: 1) == .red)
        #expect(TrafficLight.binomialCDF(-1, n: 10, p: 0.1) == 0)
        #expect(TrafficLight.binomialCDF(10, n: 10, p: 0.1) == 1)
        // The sequence form looks at the last 250 only: 12 old misses, then 250 clean days.
        let seq = Array(repeating: true, count: 12) + Array(repeating: false, count: 250)
        #expect(TrafficLight.zone(sequence: seq, confidence: 0.99) == .green)
        #expect(TrafficLight.zone(sequence: Array(seq.prefix(252)), confidence: 0.99) == .red) // 10 of the last 250
    }

    @Test func generalisesTo97_5() {
        // At 97.5 % over 250 the expected count is 6.25; green ends where P(X ≤ x) reaches 95 %.
        let b = TrafficLight.boundaries(observations: 250, confidence: 0.975)
        var yellow = 0
        while Self.referenceCDF(yellow, n: 250, p: 0.025) < 0.95 { yellow += 1 }
        var red = 0
        while Self.referenceCDF(red, n: 250, p: 0.025) < 0.9999 { red += 1 }
        #expect(b.yellow == yellow && b.red == red)
        #expect(yellow == 11)
    }
}

import Foundation
import Testing
@testable import OracleCore

/// Christoffersen's independence and conditional-coverage tests, recomputed by hand and by a
/// straightforward re-implementation in this file.
@Suite struct ChristoffersenTestTests {
    /// Re-implementation: transition counts and the LR written out from the formula.
    static func reference(_ seq: [Bool], p: Double) -> (ind: Double, cc: Double) {
        var n = [[0.0, 0.0], [0.0, 0.0]]
        for i in 1..<max(1, seq.count) where seq.count > 1 { n[seq[i - 1] ? 1 : 0][seq[i] ? 1 : 0] += 1 }
        func l(_ x: Double, _ y: Double) -> Double { x > 0 ? x * log(y) : 0 }
        let tot = n[0][0] + n[0][1] + n[1][0] + n[1][1]
        var ind = 0.0
        if tot > 0 {
            let pi = (n[0][1] + n[1][1]) / tot
            let p01 = n[0][0] + n[0][1] > 0 ? n[0][1] / (n[0][0] + n[0][1]) : 0
            let p11 = n[1][0] + n[1][1] > 0 ? n[1][1] / (n[1][0] + n[1][1]) : 0
            ind = -2 * (l(n[0][0] + n[1][0], 1 - pi) + l(n[0][1] + n[1][1], pi))
                + 2 * (l(n[0][0], 1 - p01) + l(n[0][1], p01) + l(n[1][0], 1 - p11) + l(n[1][1], p11))
        }
        let t = Double(seq.count), x = Double(seq.filter { $0 }.count)
        var pof = 0.0
        if t > 0 { pof = -2 * (l(t - x, 1 - p) + l(x, p)) + 2 * (l(t - x, (t - x) / t) + l(x, x / t)) }
        return (max(0, ind), max(0, ind) + max(0, pof))
    }

    @Test func handWorkedClusteredPair() {
        // F×7, T, T, F: n00 = 6, n01 = 1, n11 = 1, n10 = 1; π = 2/9, π01 = 1/7, π11 = 1/2.
        // LR_ind = −2[7 ln(7/9) + 2 ln(2/9)] + 2[6 ln(6/7) + ln(1/7) + 2 ln(1/2)] = 1.0204944047602726
        let seq = Array(repeating: false, count: 7) + [true, true, false]
        let c = ChristoffersenTest(expectedRate: 0.01, exceedances: seq)
        #expect(c.n00 == 6 && c.n01 == 1 && c.n10 == 1 && c.n11 == 1)
        #expect(abs(c.independenceLR - 1.0204944047602726) < 1e-12)
        #expect(abs(c.independencePValue - 0.312401763657648) < 1e-9)
        // Kupiec T = 10, x = 2 at 1 %: 8.573437646844628; LR_cc p = exp(−(8.5734 + 1.0205)/2).
        #expect(abs(c.kupiec.likelihoodRatio - 8.573437646844628) < 1e-9)
        #expect(abs(c.conditionalCoveragePValue - 0.008254753804963003) < 1e-9)
    }

    @Test func noVariationIsNoEvidence() {
        for seq in [[], [true], [false], Array(repeating: false, count: 300), Array(repeating: true, count: 300)] {
            let c = ChristoffersenTest(expectedRate: 0.01, exceedances: seq)
            #expect(c.independenceLR == 0 && c.independencePValue == 1, "\(seq.count)")
            #expect(c.conditionalCoveragePValue.isFinite && c.conditionalCoveragePValue >= 0 && c.conditionalCoveragePValue <= 1)
        }
        // All exceedances: Kupiec refutes it emphatically, independence has nothing to say.
        let all = ChristoffersenTest(expectedRate: 0.01, exceedances: Array(repeating: true, count: 50))
        #expect(all.conditionalCoveragePValue < 1e-50)
        #expect(ChristoffersenTest(expectedRate: 0.01, exceedances: []).conditionalCoveragePValue == 1)
    }

    @Test func clusteringIsDetectedWhereKupiecPasses() {
        // 10 exceedances in 1000 (Kupiec: exactly on rate) but all on consecutive days.
        var seq = Array(repeating: false, count: 1000)
        for i in 500..<510 { seq[i] = true }
        let c = ChristoffersenTest(expectedRate: 0.01, exceedances: seq)
        #expect(c.kupiec.pValue > 0.99)
        #expect(c.independencePValue < 1e-6)
        // The same count spread out is independent.
        var spread = Array(repeating: false, count: 1000)
        for i in stride(from: 50, to: 1000, by: 100) { spread[i] = true }
        #expect(ChristoffersenTest(expectedRate: 0.01, exceedances: spread).independencePValue > 0.5)
    }

    @Test func matchesReferenceOnRandomSequences() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            let n = Int(rng.next() % 400)
            let rate = [0.005, 0.01, 0.05, 0.3][Int(rng.next() % 4)]
            let seq = (0..<n).map { _ in Double(rng.next() % 10_000) / 10_000 < rate }
            let c = ChristoffersenTest(expectedRate: 0.01, exceedances: seq)
            let r = Self.reference(seq, p: 0.01)
            #expect(abs(c.independenceLR - r.ind) < 1e-9 * max(1, r.ind))
            #expect(abs(c.conditionalCoverageLR - r.cc) < 1e-9 * max(1, r.cc))
            #expect(abs(c.conditionalCoveragePValue - exp(-r.cc / 2)) < 1e-12)
        }
    }

    @Test func chiSquared2Survival() {
        #expect(ChristoffersenTest.chiSquared2Survival(0) == 1)
        #expect(ChristoffersenTest.chiSquared2Survival(-3) == 1)
        // The 95 % critical value of χ²(2) is 5.991464547107979.
        #expect(abs(ChristoffersenTest.chiSquared2Survival(5.991464547107979) - 0.05) < 1e-12)
    }
}

/// A tiny deterministic PRNG for tests (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

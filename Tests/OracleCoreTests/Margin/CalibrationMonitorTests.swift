import Foundation
import Testing
@testable import OracleCore

/// The daemon's live back-test: one observation per account per interval, the whole account's P&L
/// against the VaR published at the start, scaled to one interval.
@Suite struct CalibrationMonitorTests {
    typealias F = MarginFixtures
    let interval: Int64 = 60_000

    func monitor(horizonIntervals: Int64 = 4) -> CalibrationMonitor {
        CalibrationMonitor(confidence: 0.99, intervalMs: interval, horizonMs: horizonIntervals * interval)
    }

    @Test func wholeBookAgainstScaledVaR() {
        let u = F.universe()
        var m = monitor()
        // Long 2 BTC + 1 BTC collateral, short 10 ETH, 5000 USD. VaR 1000 at a 4-interval horizon → 500 per interval.
        let a = F.account("book", collateral: [("USD", "5000"), ("BTC", "1")],
                          positions: [("BTC-USD", "2", "30000"), ("ETH-USD", "-10", "2000")])
        let snap = [CalibrationMonitor.Snapshot(id: "book", account: a, valueAtRisk: 1000)]
        #expect(abs(m.intervalScale - 0.5) < 1e-15)
        m.priceRecorded(pair: "BTC-USD", price: 30_000, slot: 0, affected: snap, universe: u)
        m.priceRecorded(pair: "ETH-USD", price: 2_000, slot: 0, affected: snap, universe: u)
        // Slot 1: BTC first — the interval closes only when ETH has entered slot 1 too.
        #expect(m.priceRecorded(pair: "BTC-USD", price: 29_800, slot: 1, affected: snap, universe: u) == 0)
        // P&L = 3 × (−200) − 10 × (+10) = −700: a loss of 700 > 500 → exceedance.
        #expect(m.priceRecorded(pair: "ETH-USD", price: 2_010, slot: 1, affected: snap, universe: u) == 1)
        #expect(m.calibration("book")?.exceedances == 1)
        // Slot 2: 3 × 100 − 10 × (−10) = +400: no exceedance. A second price in the same slot is ignored.
        m.priceRecorded(pair: "BTC-USD", price: 29_900, slot: 2, affected: snap, universe: u)
        m.priceRecorded(pair: "BTC-USD", price: 1, slot: 2, affected: snap, universe: u)
        m.priceRecorded(pair: "ETH-USD", price: 2_000, slot: 2, affected: snap, universe: u)
        var c = m.calibration("book")!
        #expect(c.observations == 2 && c.exceedances == 1)
        // Slot 4 after a gap: 2 → 4 is two intervals, no observation; the next one opens at 4.
        m.priceRecorded(pair: "BTC-USD", price: 20_000, slot: 4, affected: snap, universe: u)
        m.priceRecorded(pair: "ETH-USD", price: 2_000, slot: 4, affected: snap, universe: u)
        #expect(m.calibration("book")!.observations == 2)
        // Exactly at the VaR is not an exceedance (−P&L > VaR): 3 · (−100) − 10 · (+20) = −500 = −VaR.
        m.priceRecorded(pair: "BTC-USD", price: 19_900, slot: 5, affected: snap, universe: u)
        m.priceRecorded(pair: "ETH-USD", price: 2_020, slot: 5, affected: snap, universe: u)
        c = m.calibration("book")!
        #expect(c.observations == 3 && c.exceedances == 1)
        #expect(m.summary.observations == 3 && m.summary.exceedances == 1)
        m.retain([])
        #expect(m.calibration("book") == nil && m.accounts.isEmpty)
    }

    /// An option's realised P&L needs the volatility path too: the monitor does not judge its VaR
    /// against quantity × Δprice (which would count 5 short calls as 5 short BTC).
    @Test func accountsHoldingOptionsAreNotBackTested() {
        let u = F.universe()
        var m = monitor()
        var a = F.account("opt", collateral: [("USD", "5000")], positions: [("BTC-USD", "1", "30000")])
        let o = OptionContract(underlying: "BTC-USD", right: .call, strike: F.num("30000"), expiryMs: 1_800_000_000_000)
        a.positions.append(Position(option: o, quantity: F.num("-5"), entryPrice: F.num("900")))
        let snap = [CalibrationMonitor.Snapshot(id: "opt", account: a, valueAtRisk: 10)]
        m.priceRecorded(pair: "BTC-USD", price: 30_000, slot: 0, affected: snap, universe: u)
        #expect(m.priceRecorded(pair: "BTC-USD", price: 20_000, slot: 1, affected: snap, universe: u) == 0)
        #expect(m.calibration("opt") == nil && m.summary.observations == 0)
    }

    @Test func noVaRNoObservationAndWindowIsBounded() {
        let u = F.universe()
        var m = monitor(horizonIntervals: 1)
        let a = F.account("long", collateral: [("USD", "5000")], positions: [("BTC-USD", "1", "30000")])
        let none = [CalibrationMonitor.Snapshot(id: "long", account: a, valueAtRisk: nil)]
        for s in 0..<5 { m.priceRecorded(pair: "BTC-USD", price: 30_000 - Double(s) * 1000, slot: Int64(s), affected: none, universe: u) }
        #expect(m.calibration("long") == nil)
        // 600 intervals, losing 100 a step against a VaR of 50: every one an exceedance; 500 are kept.
        let snap = [CalibrationMonitor.Snapshot(id: "long", account: a, valueAtRisk: 50)]
        for s in 10..<611 { m.priceRecorded(pair: "BTC-USD", price: 100_000 - Double(s) * 100, slot: Int64(s), affected: snap, universe: u) }
        let c = m.calibration("long")!
        #expect(c.observations == 500 && c.exceedances == 500)
        #expect(c.windowObservations == 250 && c.trafficLight == .red)
        #expect(m.summary.observations == 600 && m.summary.red == 1)
    }

    @Test func ringBufferKeepsOrder() {
        var w = ExceedanceWindow(capacity: 70)
        var ref: [Bool] = []
        var rng = SplitMix(seed: 3)
        for _ in 0..<300 {
            let b = rng.next() % 3 == 0
            w.append(b)
            ref.append(b)
            #expect(w.sequence == Array(ref.suffix(70)))
        }
    }

    /// A hedge sized on the true joint distribution (ρ = 0.95) with its VaR = z₉₉ σ_P tests green as a
    /// book. Judging each leg's P&L against the book's VaR — the monitor before issue 8 — calls it red.
    @Test func correctlySizedHedgeIsGreenAsABook() {
        let u = F.universe()
        var m = monitor(horizonIntervals: 1)
        var rng = SplitMix(seed: 95)
        let rho = 0.95, s1 = 0.01, s2 = 0.012
        var p1 = 30_000.0, p2 = 2_000.0
        let q1 = 1.0, q2 = -15.0
        let a = F.account("hedge", collateral: [("USD", "10000")], positions: [("BTC-USD", "1", "30000"), ("ETH-USD", "-15", "2000")])
        var perLegExceedances = 0
        var last250: [Bool] = []
        for s in 0..<1_000 {
            if s > 0 {
                let z1 = Gaussian.next(&rng), z2 = rho * z1 + (1 - rho * rho).squareRoot() * Gaussian.next(&rng)
                let n1 = p1 * exp(s1 * z1), n2 = p2 * exp(s2 * z2)
                // The old check: each leg alone against the book's VaR.
                let e1 = q1 * p1 * s1, e2 = q2 * p2 * s2
                let bookVaR = 2.3263478740408408 * (e1 * e1 + e2 * e2 + 2 * rho * e1 * e2).squareRoot()
                if -(q1 * (n1 - p1)) > bookVaR { perLegExceedances += 1 }
                if -(q2 * (n2 - p2)) > bookVaR { perLegExceedances += 1 }
                let loss = -(q1 * (n1 - p1) + q2 * (n2 - p2))
                last250.append(loss > bookVaR)
                p1 = n1
                p2 = n2
            }
            let e1 = q1 * p1 * s1, e2 = q2 * p2 * s2
            let v = 2.3263478740408408 * (e1 * e1 + e2 * e2 + 2 * rho * e1 * e2).squareRoot()
            let snap = [CalibrationMonitor.Snapshot(id: "hedge", account: a, valueAtRisk: v)]
            m.priceRecorded(pair: "BTC-USD", price: p1, slot: Int64(s), affected: snap, universe: u)
            m.priceRecorded(pair: "ETH-USD", price: p2, slot: Int64(s), affected: snap, universe: u)
        }
        let c = m.calibration("hedge")!
        print("ρ=0.95 hedge, monitor: \(c.exceedances)/\(c.observations) kept, last 250: \(c.windowExceedances), kupiec p \(c.kupiecP), light \(c.trafficLight); per-leg (old): \(perLegExceedances)")
        #expect(m.summary.observations == 999)
        // Recomputed here: the same exceedances over the last 250.
        #expect(c.windowExceedances == last250.suffix(250).filter { $0 }.count)
        #expect(c.trafficLight == .green)
        #expect(c.kupiecP >= 0.05)
        // The old way: 2 legs × 999 intervals, about a fifth of them "exceedances" — a false alarm.
        #expect(Double(perLegExceedances) / 1_998 > 0.1)
        #expect(KupiecPOF(expectedRate: 0.01, observations: 1_998, exceedances: perLegExceedances).pValue < 1e-10)
    }
}

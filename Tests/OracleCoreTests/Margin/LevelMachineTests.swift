import Testing
@testable import OracleCore

@Suite struct LevelMachineTests {
    let t = LevelThresholds(policy: MarginPolicy()) // warn 1.3/1.4, call 1.1, urgent 1.0, liq 0.9, 60 min

    /// Equity fixed at 1000 with initial requirement 2000 unless given: only a deposit cures.
    func input(_ ratio: Double, slow: Double? = nil, equity: Double = 1000, initial: Double = 2000,
               eligible: Bool = true, mass: Bool = false) -> LevelMachine.Input {
        .init(ratio: ratio, slowRatio: slow ?? ratio, equity: equity, initialRequirement: initial, eligible: eligible, massCall: mass)
    }

    func levels(_ actions: [LevelMachine.Action]) -> [MarginLevel] {
        actions.compactMap { if case let .notify(level, _, _) = $0 { level } else { nil } }
    }

    @Test func noFlappingAroundWarnThreshold() {
        var m = LevelMachine(thresholds: t)
        var actions: [LevelMachine.Action] = []
        for (i, r) in [1.35, 1.29, 1.31, 1.29, 1.31, 1.299, 1.39, 1.301].enumerated() {
            actions.append(m.markEvaluated(input(r), nowMs: Int64(i)))
        }
        #expect(levels(actions) == [.warning])
        #expect(m.state.level == .warning)
        #expect(m.markEvaluated(input(1.40), nowMs: 10) == .none)   // leaves warning silently at the exit ratio
        #expect(m.state.level == .none)
        #expect(m.markEvaluated(input(1.29), nowMs: 11) == .notify(.warning, deadlineMs: nil, flags: []))
        #expect(m.state.noticeSeq == 2)
    }

    @Test func escalatesAtOnceAndHoldsWithoutRenotice() {
        var m = LevelMachine(thresholds: t)
        #expect(m.markEvaluated(input(1.5), nowMs: 0) == .none)
        #expect(m.markEvaluated(input(1.05), nowMs: 1_000) == .notify(.marginCall, deadlineMs: 3_601_000, flags: []))
        #expect(m.markEvaluated(input(1.08), nowMs: 2_000) == .none)
        #expect(m.markEvaluated(input(0.95), nowMs: 3_000) == .notify(.urgent, deadlineMs: 3_601_000, flags: []))
        #expect(m.markEvaluated(input(1.05), nowMs: 4_000) == .none)   // below urgent exit 1.10: stays urgent
        #expect(m.state.level == .urgent)
        #expect(m.markEvaluated(input(1.12), nowMs: 5_000) == .none)   // steps back to margin_call silently
        #expect(m.state.level == .marginCall)
        #expect(m.markEvaluated(input(1.25), nowMs: 6_000) == .none)   // a call stays open until cured
        #expect(m.state.level == .marginCall && m.state.deadlineMs == 3_601_000)
    }

    @Test func jumpStraightToUrgentIsOneNotice() {
        var m = LevelMachine(thresholds: t)
        #expect(m.markEvaluated(input(0.95), nowMs: 0) == .notify(.urgent, deadlineMs: 3_600_000, flags: []))
        #expect(m.state.noticeSeq == 1)
    }

    @Test func cureOnlyAtInitialRequirement() {
        var m = LevelMachine(thresholds: t)
        _ = m.markEvaluated(input(1.05), nowMs: 0)
        #expect(m.markEvaluated(input(1.9, equity: 1900, initial: 2000), nowMs: 1) == .none)
        #expect(m.state.level == .marginCall)
        #expect(m.markEvaluated(input(2.0, equity: 2000, initial: 2000), nowMs: 2) == .notify(.cured, deadlineMs: nil, flags: []))
        #expect(m.state == .init(level: .none, sinceMs: 2, deadlineMs: nil, noticeSeq: 2))
        // Equity ≥ initial but ratio under the call exit (1.2): no cure, no flapping.
        var n = LevelMachine(thresholds: t)
        _ = n.markEvaluated(input(1.05), nowMs: 0)
        #expect(n.markEvaluated(input(1.15, equity: 2000, initial: 1900), nowMs: 1) == .none)
        #expect(n.markEvaluated(input(1.20, equity: 2000, initial: 1900), nowMs: 2) == .notify(.cured, deadlineMs: nil, flags: []))
        // Warning never produces a cure.
        var w = LevelMachine(thresholds: t)
        _ = w.markEvaluated(input(1.25), nowMs: 0)
        #expect(w.markEvaluated(input(3, equity: 3000, initial: 2000), nowMs: 1) == .none)
        #expect(w.state.level == .none)
    }

    @Test func deadlineExpiryLiquidates() {
        var m = LevelMachine(thresholds: t)
        _ = m.markEvaluated(input(1.05), nowMs: 0)
        #expect(m.deadlineReached(nowMs: 3_599_999, eligible: true) == .none)
        #expect(m.markEvaluated(input(1.05), nowMs: 3_599_999) == .none)
        #expect(m.deadlineReached(nowMs: 3_600_000, eligible: false) == .none)  // stale marks: not yet
        #expect(m.deadlineReached(nowMs: 3_600_000, eligible: true)
                == .notify(.liquidation, deadlineMs: 3_600_000, flags: [.deadlineExpired]))
        #expect(m.deadlineReached(nowMs: 3_700_000, eligible: true) == .none)

        var n = LevelMachine(thresholds: t)
        _ = n.markEvaluated(input(1.05), nowMs: 0)
        #expect(n.markEvaluated(input(1.25), nowMs: 3_600_001) == .notify(.liquidation, deadlineMs: 3_600_000, flags: [.deadlineExpired]))
        // From liquidation only a cure leads out.
        #expect(n.markEvaluated(input(1.25), nowMs: 3_600_002) == .none)
        #expect(n.markEvaluated(input(2.5, equity: 2500), nowMs: 3_600_003) == .notify(.cured, deadlineMs: nil, flags: []))
    }

    @Test func liquidationNeedsSlowMarkConfirmation() {
        var m = LevelMachine(thresholds: t)
        #expect(m.markEvaluated(input(0.85, slow: 0.95), nowMs: 0) == .notify(.urgent, deadlineMs: 3_600_000, flags: []))
        #expect(m.markEvaluated(input(0.80, slow: 0.91), nowMs: 1) == .none)
        #expect(m.markEvaluated(input(0.85, slow: 0.89), nowMs: 2) == .notify(.liquidation, deadlineMs: 3_600_000, flags: []))
        // The slow mark alone does not liquidate either.
        var n = LevelMachine(thresholds: t)
        #expect(n.markEvaluated(input(0.95, slow: 0.5), nowMs: 0) == .notify(.urgent, deadlineMs: 3_600_000, flags: []))
    }

    @Test func staleMarksNeverProduceAnything() {
        var m = LevelMachine(thresholds: t)
        for r in [1.2, 1.05, 0.95, 0.5] { #expect(m.markEvaluated(input(r, eligible: false), nowMs: 0) == .none) }
        #expect(m.state == .init())
        #expect(m.markEvaluated(input(.nan), nowMs: 0) == .none)
        _ = m.markEvaluated(input(1.05), nowMs: 0)
        // Ineligible: no cure even with money in, no liquidation after the deadline.
        #expect(m.markEvaluated(input(3, equity: 3000, eligible: false), nowMs: 1) == .none)
        #expect(m.markEvaluated(input(0.5, eligible: false), nowMs: 4_000_000) == .none)
        #expect(m.state.level == .marginCall)
    }

    @Test func massCallDefersLiquidation() {
        var m = LevelMachine(thresholds: t)
        #expect(m.markEvaluated(input(0.8, mass: true), nowMs: 0)
                == .notify(.urgent, deadlineMs: 3_600_000, flags: [.massCall, .liquidationDeferred]))
        #expect(m.markEvaluated(input(0.8, mass: true), nowMs: 1) == .none)
        #expect(m.markEvaluated(input(0.8), nowMs: 2) == .notify(.liquidation, deadlineMs: 3_600_000, flags: []))
        var n = LevelMachine(thresholds: t)
        #expect(n.markEvaluated(input(1.05, mass: true), nowMs: 0) == .notify(.marginCall, deadlineMs: 3_600_000, flags: [.massCall]))
    }

    @Test func perAccountOverrides() throws {
        let custom = try LevelThresholds.validated(policy: MarginPolicy(),
                                                   overrides: ThresholdOverrides(warnRatio: 1.6, callRatio: 1.5, callDeadlineMs: 1000))
        // The overridden warn_ratio keeps the configured band (0.10): warn_exit 1.7, call exit 1.6.
        #expect(abs(custom.warnExitRatio - 1.7) < 1e-12 && abs(custom.hysteresisBand - 0.1) < 1e-12)
        var m = LevelMachine(thresholds: custom)
        #expect(m.markEvaluated(input(1.45), nowMs: 0) == .notify(.marginCall, deadlineMs: 1000, flags: []))
    }

    @Test func quietBandMatchesMachine() {
        var m = LevelMachine(thresholds: t)
        #expect(m.quietBand == QuietBand(low: 1.3, high: .infinity, highNeedsInitial: false))
        _ = m.markEvaluated(input(1.05), nowMs: 0)
        #expect(m.quietBand == QuietBand(low: 1.0, high: t.callExitRatio, highNeedsInitial: true))
        // Sweep the band: inside it nothing ever happens.
        for r in stride(from: 1.0, to: t.callExitRatio, by: 0.01) {
            var copy = m
            #expect(copy.markEvaluated(input(r, equity: 5000, initial: 10), nowMs: 1) == .none)
            #expect(copy.state.level == .marginCall)
        }
        m.reset()
        #expect(m.state.level == .none && m.state.noticeSeq == 1)
    }
}

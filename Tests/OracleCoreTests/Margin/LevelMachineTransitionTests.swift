import Foundation
import Testing
@testable import OracleCore

/// Transitions of the level machine that had no test, and properties over random ratio paths.
@Suite struct LevelMachineTransitionTests {
    let t = LevelThresholds(policy: MarginPolicy()) // warn 1.3/1.4, call 1.1 (exit 1.2), urgent 1.0 (exit 1.1), liq 0.9, 60 min
    let hour: Int64 = 3_600_000

    func input(_ ratio: Double, slow: Double? = nil, equity: Double = 1000, initial: Double = 2000,
               eligible: Bool = true, mass: Bool = false, blocked: Bool = false) -> LevelMachine.Input {
        .init(ratio: ratio, slowRatio: slow ?? ratio, equity: equity, initialRequirement: initial, eligible: eligible,
              massCall: mass, liquidationBlocked: blocked)
    }

    @Test func fromWarning() {
        var toCall = LevelMachine(thresholds: t)
        #expect(toCall.markEvaluated(input(1.25), nowMs: 0) == .notify(.warning, deadlineMs: nil, flags: []))
        #expect(toCall.markEvaluated(input(1.05), nowMs: 10) == .notify(.marginCall, deadlineMs: 10 + hour, flags: []))

        var toUrgent = LevelMachine(thresholds: t)
        _ = toUrgent.markEvaluated(input(1.25), nowMs: 0)
        #expect(toUrgent.markEvaluated(input(0.95), nowMs: 10) == .notify(.urgent, deadlineMs: 10 + hour, flags: []))

        var toNone = LevelMachine(thresholds: t)
        _ = toNone.markEvaluated(input(1.25), nowMs: 0)
        #expect(toNone.markEvaluated(input(1.3999), nowMs: 10) == .none)        // inside the band: stays
        #expect(toNone.state.level == .warning)
        #expect(toNone.markEvaluated(input(1.4), nowMs: 20) == .none)           // silent at the exit ratio
        #expect(toNone.state == .init(level: .none, sinceMs: 20, deadlineMs: nil, noticeSeq: 1))

        var toLiquidation = LevelMachine(thresholds: t)
        _ = toLiquidation.markEvaluated(input(1.25), nowMs: 0)
        #expect(toLiquidation.markEvaluated(input(0.5), nowMs: 10) == .notify(.liquidation, deadlineMs: nil, flags: []))
    }

    @Test func noneToLiquidationIsOneNoticeWithoutDeadline() {
        var m = LevelMachine(thresholds: t)
        #expect(m.markEvaluated(input(0.85), nowMs: 5) == .notify(.liquidation, deadlineMs: nil, flags: []))
        #expect(m.state == .init(level: .liquidation, sinceMs: 5, deadlineMs: nil, noticeSeq: 1))
        #expect(m.markEvaluated(input(0.5), nowMs: 6) == .none)
    }

    @Test func urgentToCured() {
        var m = LevelMachine(thresholds: t)
        _ = m.markEvaluated(input(0.95), nowMs: 0)
        // Thresholds exactly: equity = initial and ratio = call exit 1.2 is a cure (≥, not >).
        #expect(m.markEvaluated(input(1.2, equity: 2400, initial: 2400), nowMs: 1) == .notify(.cured, deadlineMs: nil, flags: []))
        #expect(m.state == .init(level: .none, sinceMs: 1, deadlineMs: nil, noticeSeq: 2))
        // Just under either condition: no cure.
        var n = LevelMachine(thresholds: t)
        _ = n.markEvaluated(input(0.95), nowMs: 0)
        #expect(n.markEvaluated(input(1.2, equity: 2399.99, initial: 2400), nowMs: 1) == .none)
        #expect(n.markEvaluated(input(1.1999, equity: 2400, initial: 2000), nowMs: 2) == .none)
        #expect(n.state.level == .marginCall)   // stepped back from urgent at 1.1, call still open
    }

    @Test func deadlineExpiryWhileUrgent() {
        var m = LevelMachine(thresholds: t)
        _ = m.markEvaluated(input(0.95), nowMs: 0)
        #expect(m.markEvaluated(input(0.95), nowMs: hour - 1) == .none)
        #expect(m.markEvaluated(input(0.95), nowMs: hour) == .notify(.liquidation, deadlineMs: hour, flags: [.deadlineExpired]))
    }

    @Test func deadlineExpiryDuringAMassCallIsDeferred() {
        var m = LevelMachine(thresholds: t)
        _ = m.markEvaluated(input(0.95), nowMs: 0)
        // Urgent already: the deferred liquidation is not a new level, so no notice at all.
        #expect(m.markEvaluated(input(0.95, mass: true), nowMs: hour + 1) == .none)
        #expect(m.markEvaluated(input(0.95, blocked: true), nowMs: hour + 2) == .none)
        #expect(m.state.level == .urgent)
        #expect(m.markEvaluated(input(0.95), nowMs: hour + 3) == .notify(.liquidation, deadlineMs: hour, flags: [.deadlineExpired]))

        // From margin_call the deferral is an urgent notice that says why.
        var n = LevelMachine(thresholds: t)
        _ = n.markEvaluated(input(1.05), nowMs: 0)
        #expect(n.markEvaluated(input(1.05, mass: true), nowMs: hour) == .notify(.urgent, deadlineMs: hour, flags: [.massCall, .liquidationDeferred]))
    }

    @Test func cureBeatsAnExpiredDeadline() {
        var m = LevelMachine(thresholds: t)
        _ = m.markEvaluated(input(1.05), nowMs: 0)
        // First evaluation after the deadline finds the money in: cured, not liquidated.
        #expect(m.markEvaluated(input(2.5, equity: 2500), nowMs: 2 * hour) == .notify(.cured, deadlineMs: nil, flags: []))
        #expect(m.state.level == .none && m.state.deadlineMs == nil)
    }

    @Test func nonFiniteFiguresAreNoDecision() {
        var m = LevelMachine(thresholds: t)
        #expect(m.markEvaluated(input(0.5, equity: .nan), nowMs: 0) == .none)
        #expect(m.markEvaluated(input(0.5, initial: .infinity), nowMs: 0) == .none)
        #expect(m.markEvaluated(input(.nan), nowMs: 0) == .none)
        #expect(m.state == .init())
    }

    // MARK: properties over random ratio paths

    /// 300 seeded paths of 400 steps each (random walk with jumps, deadlines passing, mass calls,
    /// ineligible marks, deposits): no notice without a level change, no level skipped except by
    /// escalation, and from every open call the published deficit cures at once.
    @Test func randomRatioPaths() {
        let band = 0.10, callExit = 1.2
        var rng = SeededRNG(seed: 0xC0FFEE)
        var totalNotices = 0
        for _ in 0..<300 {
            var m = LevelMachine(thresholds: t)
            let maintenance = 1000.0
            let initial = maintenance * (1.05 + rng.next() * 1.5)
            var ratio = 0.8 + rng.next() * 1.0
            var now: Int64 = 0
            for _ in 0..<400 {
                now += Int64(1 + rng.next() * 600_000)   // up to 10 min: deadlines pass
                ratio += (rng.next() - 0.5) * 0.06
                if rng.next() < 0.03 { ratio += (rng.next() - 0.5) * 0.8 }   // jumps
                ratio = min(3, max(0.3, ratio))
                let slow = ratio + (rng.next() - 0.5) * 0.1
                let equity = ratio * maintenance
                let before = m.state
                let action = m.markEvaluated(.init(ratio: ratio, slowRatio: slow, equity: equity, initialRequirement: initial,
                                                   eligible: rng.next() < 0.95, massCall: rng.next() < 0.05,
                                                   maintenance: maintenance), nowMs: now)
                if case let .notify(level, _, _) = action {
                    totalNotices += 1
                    // One notice per level change: the level (or, for a cure, the call) changed.
                    if level == .cured {
                        #expect(before.level.isCall && m.state.level == .none)
                    } else {
                        // No skipped level except by escalation: a notice only ever escalates.
                        #expect(level.severity > before.level.severity, "\(before.level) → \(level)")
                        #expect(m.state.level == level)
                    }
                    #expect(m.state.noticeSeq == before.noticeSeq + 1)
                } else {
                    #expect(m.state.noticeSeq == before.noticeSeq)
                    // Silent changes only de-escalate (warning → none, urgent → margin_call).
                    #expect(m.state.level.severity <= before.level.severity)
                }
                // From an open call, depositing the published deficit cures at once (recomputed here).
                if m.state.level.isCall {
                    let shortfall = max(initial, (t.callRatio + band) * maintenance) - equity
                    let published = max(0, (shortfall * 100).rounded(.up) / 100)
                    #expect(abs(published - MarginModel.cureDeficit(equity: equity, maintenance: maintenance, initial: initial,
                                                                     thresholds: t)) <= 0.01)
                    var copy = m
                    let e2 = equity + published
                    let cure = copy.markEvaluated(.init(ratio: e2 / maintenance, slowRatio: e2 / maintenance, equity: e2,
                                                        initialRequirement: initial, eligible: true, maintenance: maintenance),
                                                  nowMs: now)
                    #expect(cure == .notify(.cured, deadlineMs: nil, flags: []))
                    #expect(callExit == t.callExitRatio)
                }
            }
        }
        #expect(totalNotices > 500)   // the paths do exercise the machine (934 with this seed)
    }

    /// Around any threshold, a ratio that oscillates inside the hysteresis band notifies once.
    @Test func oscillationInsideTheBandNotifiesOnce() {
        var rng = SeededRNG(seed: 7)
        for threshold in [t.warnRatio, t.callRatio, t.urgentRatio] {
            var m = LevelMachine(thresholds: t)
            var notices = 0
            for i in 0..<500 {
                // Enter the level first, then ± 0.045 around its threshold: never the next level nor the exit.
                let r = i == 0 ? threshold - 0.03 : threshold + (rng.next() - 0.5) * 0.09
                if case .notify = m.markEvaluated(.init(ratio: r, slowRatio: r, equity: r * 1000, initialRequirement: 5000,
                                                        eligible: true, maintenance: 1000), nowMs: Int64(i)) {
                    notices += 1
                }
            }
            #expect(notices == 1, "around \(threshold)")
        }
    }

    /// Overrides never close the band: random overrides without exit ratios keep exits above entries.
    @Test func overridesKeepExitsAboveEntries() {
        var rng = SeededRNG(seed: 99)
        for _ in 0..<1000 {
            let liq = 0.5 + rng.next() * 0.5
            let urgent = liq + rng.next() * 0.3
            let call = urgent + rng.next() * 0.3
            let warn = call + rng.next() * 0.5
            let o = ThresholdOverrides(warnRatio: rng.next() < 0.5 ? warn : nil, callRatio: call,
                                       urgentRatio: rng.next() < 0.5 ? urgent : nil, liquidationRatio: liq)
            let merged = LevelThresholds(policy: MarginPolicy(), overrides: o)
            #expect(merged.warnExitRatio > merged.warnRatio)
            #expect(merged.callExitRatio > merged.callRatio && merged.urgentExitRatio > merged.urgentRatio)
            #expect(abs(merged.hysteresisBand - 0.1) < 1e-9)
        }
    }
}

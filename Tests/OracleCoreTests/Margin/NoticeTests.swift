import Testing
@testable import OracleCore

@Suite struct NoticeTests {
    typealias F = MarginFixtures

    @Test func rfc3339() {
        #expect(RFC3339.format(ms: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(ms: 1_764_088_560_036) == "2025-11-25T16:36:00.036Z")
        #expect(RFC3339.format(ms: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(RFC3339.format(ms: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func jsonLineFromValuation() {
        let a = F.account("acct-17", collateral: [("USD", "2000")], positions: [("BTC-USD", "1", "65000")])
        let marks = F.marks(F.mark("BTC-USD", 64000, conf: 100, sources: 4))
        let v = MarginModel(universe: F.universe()).value(a, marks: marks)
        var m = LevelMachine(thresholds: LevelThresholds(policy: MarginPolicy()))
        let now: Int64 = 1_764_088_560_036
        guard case let .notify(level, deadline, flags) = m.markEvaluated(
            .init(ratio: v.ratio, slowRatio: 1.0, equity: v.equity, initialRequirement: v.initialRequirement,
                  eligible: v.triggerEligible), nowMs: now) else {
            Issue.record("expected a notice")
            return
        }
        let n = Notice(level: level, seq: m.state.noticeSeq, createdAtMs: now, deadlineMs: deadline, flags: flags,
                       valuation: v, currency: "USD")
        #expect(n.id == "acct-17-urgent-1")
        #expect(n.jsonLine() == #"{"id":"acct-17-urgent-1","account":"acct-17","level":"urgent","#
            + #""created_at":"2025-11-25T16:36:00.036Z","currency":"USD","equity":"900","maintenance_requirement":"3200","#
            + #""initial_requirement":"6400","ratio":"0.28125","deficit":"5500","top_up":{"USD":"5500","BTC":"0.09563555"},"#
            + #""deadline":"2025-11-25T17:36:00.036Z","marks":{"BTC-USD":{"price":"64000","confidence":"100","sources":4}},"#
            + #""risk":{"var":null,"es":null,"liquidity_addon":"0","concentration_addon":"0","model":"standard","model_fallback":null},"#
            + #""mass_call":false,"#
            + #""deadline_expired":false,"liquidation_deferred":false}"#)
        #expect(n.syslogLine().hasPrefix("urgent acct-17 id acct-17-urgent-1 ratio 0.2812 equity 900 USD deficit 5500 USD deadline"))
    }

    @Test func escapesAndInfiniteRatio() {
        let n = Notice(id: "x", account: "a\"b", level: .cured, createdAtMs: 0, currency: "USD", equity: 1,
                       maintenanceRequirement: 0, initialRequirement: 0, ratio: .infinity, deficit: 0, topUp: [],
                       deadlineMs: nil, marks: [], risk: .init(valueAtRisk: 1.5, expectedShortfall: 2, liquidityAddOn: 0, model: "portfolio"),
                       flags: [.massCall])
        let line = n.jsonLine()
        #expect(line.contains(#""account":"a\"b""#))
        #expect(line.contains(#""ratio":null"#))
        #expect(line.contains(#""deadline":null"#))
        #expect(line.contains(#""risk":{"var":"1.5","es":"2","liquidity_addon":"0","concentration_addon":"0","model":"portfolio","model_fallback":null}"#))
        #expect(line.contains(#""mass_call":true"#))
        #expect(!line.contains("\n"))
    }

    /// Issue 8 item 1: a fallback says so in the notice, and no non-finite figure is ever written as a number.
    @Test func fallbackAndNonFiniteRiskFigures() {
        let n = Notice(id: "x", account: "a", level: .warning, createdAtMs: 0, currency: "USD", equity: 1,
                       maintenanceRequirement: 1, initialRequirement: 2, ratio: 1, deficit: 1, topUp: [],
                       deadlineMs: nil, marks: [],
                       risk: .init(valueAtRisk: .infinity, expectedShortfall: .nan, liquidityAddOn: 0, model: "standard",
                                   modelFallback: "ES is not finite", concentrationAddOn: 3),
                       flags: [])
        let line = n.jsonLine()
        #expect(line.contains(#""risk":{"var":null,"es":null,"liquidity_addon":"0","concentration_addon":"3","model":"standard","model_fallback":"ES is not finite"}"#))
        #expect(!line.contains("\"inf\"") && !line.contains("\"nan\""))
    }
}

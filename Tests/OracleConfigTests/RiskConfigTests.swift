import Foundation
import Testing
import OracleCore
@testable import OracleConfig

/// The portfolio model's calibration keys: defaults without them, values with them, and errors
/// that name the key and say what to write.
@Suite struct RiskConfigTests {
    @Test func defaultsWithoutTheNewKeys() throws {
        let m = try accepted(Fixture.config()).margin
        #expect(m.volFloorShare == 0.25 && m.zMax == 20 && m.lookbackReturns == 1_000 && m.historyDays == 4_000)
        #expect(m.maxLossMultiple == 3 && m.stressWeight == 0.25 && m.stressWindows == StressWindow.defaults)
        #expect(m.scenarioMove == 0.05 && m.scenarioCrash == 0.10 && m.maxParticipation == 0.10 && m.ewmaLambda == 0.97)
    }

    @Test func everyKeyIsRead() throws {
        let m = try accepted(Fixture.config(margin: """
            vol_floor = 0.3
            z_max = 8
            lookback_returns = 750
            history_days = 3000
            max_loss_multiple = 2
            stress_weight = 0.5
            stress_windows = ["2020-03-12", "2022-11-05/2022-11-15"]
            scenario_move = 0.08
            scenario_crash = 0.2
            max_participation = 0.25
            """)).margin
        #expect(m.volFloorShare == 0.3 && m.zMax == 8 && m.lookbackReturns == 750 && m.historyDays == 3_000)
        #expect(m.maxLossMultiple == 2 && m.stressWeight == 0.5 && m.scenarioMove == 0.08 && m.scenarioCrash == 0.2)
        #expect(m.maxParticipation == 0.25)
        #expect(m.stressWindows == [StressWindow(from: (2020, 3, 12), to: (2020, 3, 12)), StressWindow(from: (2022, 11, 5), to: (2022, 11, 15))])
    }

    @Test(arguments: [
        ("vol_floor = 0", "vol_floor", "greater than 0"),
        ("z_max = 1", "z_max", "at least 3"),
        ("lookback_returns = 10", "lookback_returns", "between 30"),
        ("max_loss_multiple = 0.5", "max_loss_multiple", "at least 1"),
        ("scenario_move = 1", "scenario_move", "less than 1"),
        ("portfolio_floor = 0", "portfolio_floor", "greater than 0"),
        ("stress_windows = [\"2022-13-01\"]", "stress_windows", "write \"2022-11-08\""),
        ("stress_windows = [\"2022-11-15/2022-11-05\"]", "stress_windows", "ends before it starts"),
        ("stress_windows = [3]", "stress_windows", "must be a string"),
    ])
    func badValuesNameTheKey(_ line: String, _ key: String, _ fragment: String) {
        let text = Fixture.config(margin: line)
        let marker = String(line.prefix(while: { $0 != " " }))
        expectSingleProblem(text, at: marker, key: key, code: line.hasSuffix("[3]") ? .wrongType : .invalidValue, mentioning: fragment)
    }

    @Test func haircutTiers() throws {
        let collateral = """
            [[collateral]]
            asset = "BTC"
            pair = "BTC-USD"
            haircut = 0.10
            tiers = [{ from_value = 1000000, haircut = 0.20 }, { from_value = 5000000, haircut = 0.35 }]
            """
        let config = try accepted(Fixture.config(collateral: collateral))
        #expect(config.collateral.first { $0.asset == "BTC" }?.tiers
                == [HaircutTier(fromValue: 1_000_000, haircut: 0.2), HaircutTier(fromValue: 5_000_000, haircut: 0.35)])
        let lower = collateral.replacingOccurrences(of: "haircut = 0.35", with: "haircut = 0.15")
        expectSingleProblem(Fixture.config(collateral: lower), at: "tiers", key: "tiers[1].haircut", code: .invalidValue,
                            mentioning: "must not take a lower haircut")
        let unknown = collateral.replacingOccurrences(of: "from_value = 5000000", with: "from = 5000000")
        let found = problems(Fixture.config(collateral: unknown))
        #expect(found.contains { $0.key == "tiers[1].from" && $0.code == .unknownKey }, "\(found.map(\.description))")
    }
}

import Foundation
import Testing
import OracleCore
@testable import OracleConfig

/// `[margin] option_*`: the scenario grid's knobs for option accounts (docs/options.md).
@Suite struct OptionGridConfigTests {
    @Test func defaultsAreTheDocumentedOnes() throws {
        let g = try accepted(Fixture.config()).margin.optionGrid
        #expect(g.majorRange == 0.16 && g.minorRange == 0.25 && g.steps == 8 && g.volUp == 0.45 && g.volDown == 0.30)
        #expect(g.extremeMultiple == 3 && g.extremeWeight == 0.33 && g.shortOptionMinimum == 0.01 && g.rate == 0 && g.initialMultiple == 1.25)
    }

    @Test func everyKeyIsRead() throws {
        let g = try accepted(Fixture.config(margin: """
            option_major_range = 0.2
            option_minor_range = 0.3
            option_steps = 10
            option_vol_up = 0.6
            option_vol_down = 0.25
            option_extreme_multiple = 2.5
            option_extreme_weight = 0.5
            option_short_minimum = 0.02
            option_rate = 0.04
            option_initial_multiple = 1.5
            """)).margin.optionGrid
        #expect(g.majorRange == 0.2 && g.minorRange == 0.3 && g.steps == 10 && g.volUp == 0.6 && g.volDown == 0.25)
        #expect(g.extremeMultiple == 2.5 && g.extremeWeight == 0.5 && g.shortOptionMinimum == 0.02 && g.rate == 0.04)
        #expect(g.initialMultiple == 1.5)
    }

    @Test(arguments: [
        ("option_major_range = 1", "option_major_range", "less than 1"),
        ("option_steps = 0", "option_steps", "between 1"),
        // At the 2× cap a 50 % down shock would take σ to 0.
        ("option_vol_down = 0.5", "option_vol_down", "less than 0.5"),
        ("option_initial_multiple = 0.9", "option_initial_multiple", "between 1"),
        ("option_rate = 3", "option_rate", "between -1"),
    ])
    func badValuesNameTheKey(_ line: String, _ key: String, _ fragment: String) {
        let marker = String(line.prefix(while: { $0 != " " }))
        expectSingleProblem(Fixture.config(margin: line), at: marker, key: key, code: .invalidValue, mentioning: fragment)
    }
}

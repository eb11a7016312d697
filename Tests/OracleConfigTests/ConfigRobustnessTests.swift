import Foundation
import Testing
@testable import OracleConfig

/// Mangled versions of the shipped configuration: never a crash, always a located error.
@Suite struct ConfigRobustnessTests {
    static let real: String = {
        (try? String(contentsOfFile: ShippedConfigTests.root + "/oracles.toml", encoding: .utf8)) ?? ""
    }()

    @Test func deletingAnyLineGivesAcceptedConfigOrLocatedProblems() throws {
        let lines = Self.real.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count > 100)
        for n in lines.indices {
            var mutant = lines
            mutant.remove(at: n)
            do {
                _ = try ConfigLoader.parse(mutant.joined(separator: "\n"), file: "oracles.toml")
            } catch {
                for problem in error.problems {
                    #expect(problem.line != nil, "deleting line \(n + 1) gave an unlocated problem: \(problem)")
                    #expect(!problem.message.isEmpty)
                }
            }
        }
    }

    @Test func wrongValueTypesAreReportedNotTrapped() {
        // Replace every value in turn with values of other types.
        let lines = Self.real.split(separator: "\n", omittingEmptySubsequences: false)
        let replacements = ["true", "-1", "\"\"", "1979-05-27"]
        for (n, text) in lines.enumerated() {
            guard let eq = text.firstIndex(of: "="), !text.hasPrefix("#"), !text.hasPrefix(" "), !text.contains("[") else { continue }
            for value in replacements {
                var mutant = lines
                mutant[n] = text[..<eq] + "= " + Substring(value)
                do {
                    _ = try ConfigLoader.parse(mutant.joined(separator: "\n"), file: "oracles.toml")
                } catch {
                    #expect(error.problems.allSatisfy { $0.line != nil }, "line \(n + 1) = \(value): \(error)")
                }
            }
        }
    }

    @Test func nonFiniteNumbersAreRejected() {
        let text = Fixture.config(aggregation: "mad_k = nan")
        expectSingleProblem(text, at: "mad_k", key: "mad_k", code: .invalidValue, mentioning: "not a usable number")
    }
}

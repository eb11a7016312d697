import Foundation
@testable import OracleConfig
import Testing

/// Findings of FuzzTesting's config target, replayed without a sanitizer build.
///
/// toml++ (in TOMLKit) aborted the process on a table header whose key starts with a character
/// that cannot start a key (`[*]`, `[ +x]`, `[` + a non-ASCII character). Before the fix these
/// tests crash the test process; now each is a syntax error naming the line.
@Suite struct ConfigFuzzRegressionTests {
    static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // OracleConfigTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repository root
        .appendingPathComponent("FuzzTesting/regressions/config")

    @Test(arguments: ["[*", "[*]", "[ *]", "  [*]", "\t[*]", "[+", "[{", "[#", "[\n", "[=", "[.", "[,", "[%", "[[*]]", "[[{",
                      "[\u{FFFD}]", "[é]", "\u{FEFF}[*]", "a = 1\n[*]"])
    func unparseableTableHeaderIsASyntaxError(_ text: String) {
        do {
            _ = try ConfigLoader.parse(text, file: "fuzz.toml")
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.code == .syntax, "\(error)")
            #expect(error.line == text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("[") }.map { $0 + 1 })
            #expect(error.description.contains("table header"), "\(error)")
        }
    }

    /// The guard only looks at headers: brackets inside strings, comments and value arrays stay
    /// the TOML parser's business, and valid files are unaffected.
    @Test(arguments: ["x = [\n  [{a = 1}],\n  [+1],\n]\n", "s = \"\"\"\n[*\n\"\"\"\n", "t = '''\n[{\n'''\n",
                      "# [*]\nk = \"[*]\"\n", "[a.\"*\"]\nx = 1\n", "['*']\n", "[ a ]\n", "[[ a ]]\n"])
    func bracketsOutsideHeadersAreLeftToTheParser(_ text: String) {
        do {
            _ = try ConfigLoader.parse(text, file: "fuzz.toml")
        } catch {
            #expect(!error.description.contains("table header"), "\(text.debugDescription): \(error)")
        }
    }

    /// toml++ also asserts when an array is closed by `}`: the guard reports it with the line instead.
    @Test func arrayClosedByBraceIsASyntaxErrorNamingTheLine() {
        for (text, line) in [("s=[}", 1), ("a = [1, }", 1), ("a = [\n  1,\n}\n", 3), ("a = [{}, }]", 1), ("a = [[}]]", 1)] {
            do {
                _ = try ConfigLoader.parse(text, file: "t.toml")
                Issue.record("\(text.debugDescription) was accepted")
            } catch {
                #expect(error.code == .syntax && error.line == line, "\(text.debugDescription): \(error)")
                #expect(error.description.contains("closes a value opened with '['"), "\(error)")
            }
        }
        // Nested values that close properly are left to the parser.
        #expect(TableHeaderGuard.firstMismatchedBracket(in: "x = [\n  [{a = 1}],\n  \"}\",\n]\n# ]}\n") == nil)
    }

    @Test func savedFindingsAreSyntaxErrors() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path).sorted()
        try #require(!names.isEmpty)
        for name in names {
            let data = try Data(contentsOf: Self.regressions.appendingPathComponent(name))
            let text = String(decoding: data, as: UTF8.self)
            #expect(throws: ConfigError.self, "\(name)") { try ConfigLoader.parse(text, file: name) }
        }
    }
}

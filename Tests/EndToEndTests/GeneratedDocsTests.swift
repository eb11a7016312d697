import Foundation
import Testing

/// The man pages and shell completions are generated (`make docs`, issue 11) and committed; this
/// regenerates them into a temporary directory and fails when a committed file differs, so a
/// changed option or config key can never leave the manual behind. Each page must also format
/// without a single groff warning, and the completion scripts must at least parse.
@Suite(.serialized)
struct GeneratedDocsTests {
    static let pages = ["oracled.8", "oraclectl.1", "oracles.toml.5"]
    static let completions = ["oracled.bash", "oraclectl.bash", "_oracled", "_oraclectl", "oracled.fish", "oraclectl.fish"]

    /// Regenerates into a fresh directory; returns it.
    static func regenerate() async throws -> String {
        let dir = makeTempDir("docs")
        let bin = (Binaries.path("oracled") as NSString).deletingLastPathComponent
        let r = await runCommand(Binaries.path("oracled-docs"), ["--bin", bin, "--man", dir + "/man", "--completions", dir + "/completions"])
        try #require(r.status == 0, "oracled-docs failed: \(r.output)")
        return dir
    }

    @Test func committedPagesAndCompletionsAreUpToDate() async throws {
        let dir = try await Self.regenerate()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = Binaries.repoRoot.path
        for (generated, committed) in Self.pages.map({ (dir + "/man/" + $0, root + "/docs/" + $0) })
            + Self.completions.map({ (dir + "/completions/" + $0, root + "/contrib/completions/" + $0) }) {
            let fresh = try String(contentsOfFile: generated, encoding: .utf8)
            let old = (try? String(contentsOfFile: committed, encoding: .utf8)) ?? "(missing)"
            let a = fresh.split(separator: "\n", omittingEmptySubsequences: false), b = old.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDiff = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            let upToDate = fresh == old
            #expect(upToDate, "\(committed) is out of date from line \(firstDiff + 1) (generated: \(a.count > firstDiff ? String(a[firstDiff].prefix(100)) : "end of file")): run `make docs` and commit the result")
        }
    }

    @Test func pagesSayWhatTheyMust() throws {
        let docs = Binaries.repoRoot.path + "/docs/"
        let oracled = try String(contentsOfFile: docs + "oracled.8", encoding: .utf8)
        for text in [".TH ORACLED 8", ".SS \"oracled run\"", "\\-\\-log\\-target", ".SS \"oracled check\\-config\"", "\\-\\-strict", "ACCOUNT", "ORACLED_JOURNAL_SOCKET"] {
            #expect(oracled.contains(text), "oracled.8 lacks \(text)")
        }
        let ctl = try String(contentsOfFile: docs + "oraclectl.1", encoding: .utf8)
        for text in [".TH ORACLECTL 1", ".SS \"oraclectl calls\"", "\\-\\-follow", "\\-\\-since", "ORACLED_SOCKET"] {
            #expect(ctl.contains(text), "oraclectl.1 lacks \(text)")
        }
        let toml = try String(contentsOfFile: docs + "oracles.toml.5", encoding: .utf8)
        for text in [".TH ORACLES.TOML 5", ".SS \"[daemon]\"", "\\fBmin_sources\\fR", "\\fBin_doubt_after\\fR", "\\fBmax_participation\\fR", "\\fBconvert\\fR"] {
            #expect(toml.contains(text), "oracles.toml.5 lacks \(text)")
        }
    }

    @Test func pagesFormatWithoutGroffWarnings() async throws {
        guard let groff = findTool("groff") else {
            print("SKIP groff not installed (Debian: groff-base); page formatting not checked")
            return
        }
        for page in Self.pages {
            let path = Binaries.repoRoot.path + "/docs/" + page
            // -z: format and discard; anything printed is a warning or an error.
            let r = await runCommand(groff, ["-man", "-Tutf8", "-ww", "-z", path])
            #expect(r.status == 0 && r.output.isEmpty, "groff on \(page): \(r.output)")
        }
    }

    @Test func completionScriptsParse() async throws {
        let dir = Binaries.repoRoot.path + "/contrib/completions/"
        for (shell, files) in [("bash", ["oracled.bash", "oraclectl.bash"]), ("zsh", ["_oracled", "_oraclectl"]), ("fish", ["oracled.fish", "oraclectl.fish"])] {
            guard let tool = findTool(shell) else { print("SKIP \(shell) not installed; \(files) not parsed"); continue }
            for f in files {
                let r = await runCommand(tool, ["-n", dir + f])
                #expect(r.status == 0 && r.output.isEmpty, "\(shell) -n \(f): \(r.output)")
            }
        }
        let bash = try String(contentsOfFile: dir + "oraclectl.bash", encoding: .utf8)
        #expect(bash.contains("calls") && bash.contains("--socket"), "oraclectl.bash does not complete the subcommands and options")
    }
}

extension GeneratedDocsTests {
    /// The EXAMPLE of oracles.toml(5), taken from the page, is a valid file without warnings.
    @Test func theConfigPageExampleIsValid() async throws {
        let page = try String(contentsOfFile: Binaries.repoRoot.path + "/docs/oracles.toml.5", encoding: .utf8)
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: ".EX")), end = try #require(lines.firstIndex(of: ".EE"))
        let example = lines[(start + 1)..<end].map { $0.replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: "\\&", with: "") }
            .joined(separator: "\n") + "\n"
        let dir = makeTempDir("example")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try example.write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let r = await runCommand(Binaries.path("oracled"), ["check-config", "--strict", dir + "/oracles.toml"])
        #expect(r.status == 0, "\(r.output)\n\(example)")
    }
}

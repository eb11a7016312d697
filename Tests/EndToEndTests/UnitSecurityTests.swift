import Foundation
import Testing

/// Least privilege: the shipped unit verifies clean and its `systemd-analyze security` exposure is at
/// most 2.0, checked on the unit as installed (BINDIR pointing at the built binaries).
@Suite
struct UnitSecurityTests {
    static let maxExposure = 2.0

    /// systemd/oracled.service with @BINDIR@ replaced, written to a temp dir; nil when it cannot be.
    static func renderedUnit(dir: String) throws -> String {
        let source = Binaries.repoRoot.appendingPathComponent("systemd/oracled.service").path
        let text = try String(contentsOfFile: source, encoding: .utf8)
        let bindir = (Binaries.path("oracled") as NSString).deletingLastPathComponent
        let path = dir + "/oracled.service"
        try text.replacingOccurrences(of: "@BINDIR@", with: bindir).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// "→ Overall exposure level for oracled.service: 1.2 OK 🙂" → 1.2
    static func overallExposure(_ output: String) -> Double? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("Overall exposure level") }),
              let colon = line.range(of: ":", options: .backwards) else { return nil }
        return line[colon.upperBound...].split(separator: " ").first.flatMap { Double($0) }
    }

    @Test(.enabled(if: findTool("systemd-analyze") != nil, "needs systemd-analyze (.ci/run installs systemd)"))
    func unitVerifiesCleanAndExposureIsAtMostTwo() async throws {
        let analyze = try #require(findTool("systemd-analyze"))
        guard FileManager.default.isExecutableFile(atPath: Binaries.path("oracled")) else {
            Issue.record("oracled is not built at \(Binaries.path("oracled")); run swift build first")
            return
        }
        let dir = makeTempDir("unit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unit = try Self.renderedUnit(dir: dir)

        let verify = await runCommand(analyze, ["verify", unit], timeout: 60)
        #expect(verify.status == 0, "systemd-analyze verify failed (\(verify.status)):\n\(verify.output)")
        // verify prints warnings (unknown keys, missing binaries) without failing; none may mention our unit.
        let complaints = verify.output.split(separator: "\n").filter { $0.contains("oracled.service") }
        #expect(complaints.isEmpty, "systemd-analyze verify complained:\n\(complaints.joined(separator: "\n"))")

        let security = await runCommand(analyze, ["security", "--offline=true", "--no-pager", unit], timeout: 60)
        let exposure = Self.overallExposure(security.output)
        #expect(exposure != nil, "no overall exposure in:\n\(security.output.suffix(600))")
        if let exposure {
            #expect(exposure <= Self.maxExposure, "exposure \(exposure) > \(Self.maxExposure):\n\(security.output)")
        }
        // The unit runs as its own user, never root.
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("\nUser=oracled\n") && text.contains("\nGroup=oracled\n"), "the unit does not run as user oracled")
        #expect(text.contains("\nNoNewPrivileges=yes\n"))
        print("RELIABILITY unit exposure=\(exposure.map { String($0) } ?? "?") verify_status=\(verify.status)")
    }

    @Test func exposureParserReadsSystemdOutput() {
        #expect(Self.overallExposure("foo\n→ Overall exposure level for oracled.service: 1.2 OK 🙂\n") == 1.2)
        #expect(Self.overallExposure("→ Overall exposure level for x.service: 9.6 UNSAFE 😨") == 9.6)
        #expect(Self.overallExposure("nothing here") == nil)
    }
}

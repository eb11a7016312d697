import Foundation
import Testing

/// Issue 9: memory stays flat under API churn. Runs `scripts/churn-soak.py` (the real daemon and
/// fake venue; PUT/GET/DELETE/what-if/stream clients over 500 account ids) and asserts that the
/// daemon's RSS does not grow over the second half of the run. `make test` runs the short form
/// (`ORACLED_SOAK_SECONDS`, 40 s by default); `make reliability` runs 10 minutes and records the curve.
@Suite(.serialized)
struct ChurnSoakTests {
    static let python = ["/usr/bin/python3", "/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: python != nil, "needs python3 for the churn driver (.ci/run installs it)"), .timeLimit(.minutes(15)))
    func rssIsFlatOverTheSecondHalfOfAChurnRun() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["ORACLED_SOAK_SECONDS"] ?? "") ?? 40
        let bin = URL(fileURLWithPath: Binaries.path("oracled")).deletingLastPathComponent().path
        let dir = makeTempDir("soak")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = dir + "/rss.csv"
        let script = Binaries.repoRoot.appendingPathComponent("scripts/churn-soak.py").path
        let child = try ChildProcess(Self.python!, [script, "--seconds", "\(seconds)", "--sample", "\(max(2, seconds / 30))",
                                               "--bin", bin, "--out", csv, "--port", "\(18_300 + Int(getpid() % 500))"],
                                     logPath: dir + "/soak.log")
        let finished = await child.wait(timeout: Double(seconds) + 120)
        if !finished { child.kill(SIGKILL) }
        let log = child.log
        let summary = log.split(separator: "\n").last { $0.hasPrefix("SOAK ") }.map(String.init) ?? ""
        try #require(finished && !summary.isEmpty, "the churn driver did not finish: \(log.suffix(2_000))")
        var kv: [String: Double] = [:]
        for pair in summary.dropFirst(5).split(separator: " ") {
            let p = pair.split(separator: "=", maxSplits: 1)
            if p.count == 2 { kv[String(p[0])] = Double(p[1]) ?? .nan }
        }
        let curve = (try? String(contentsOfFile: csv, encoding: .utf8))?.split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",") }.map { "\($0[0])s:\(Int((Double($0[1]) ?? 0) / 1024))MB" }.joined(separator: ",") ?? ""
        print("RELIABILITY churn_soak seconds=\(seconds) ops=\(Int(kv["ops"] ?? 0)) errors=\(Int(kv["errors"] ?? -1)) "
              + "rss_start_mb=\(kv["rss_start_mb"] ?? Double.nan) rss_half_mb=\(kv["rss_half_mb"] ?? Double.nan) rss_end_mb=\(kv["rss_end_mb"] ?? Double.nan) "
              + "second_half_growth_mb=\(kv["second_half_growth_mb"] ?? Double.nan) curve=\(curve)")
        // A floor on the load, not on speed: the driver reaches ~1,200 operations/s idle; 20/s (60×
        // headroom for a loaded 2-core machine) still re-creates every one of the 500 ids many times.
        #expect((kv["ops"] ?? 0) >= Double(seconds) * 20, "too few operations to say anything: \(summary)")
        #expect(kv["errors"] == 0, "requests failed during the churn: \(summary)")
        // Flat: the working set is fixed (500 ids, 3 pairs), so the second half may not grow beyond
        // allocator noise. Before the book compaction it grew ~1 MB per 1,500 re-creations.
        #expect((kv["second_half_growth_mb"] ?? .infinity) <= 1.5, "RSS grew over the second half: \(summary)")
    }
}

import Foundation
import Testing

/// `oracled check-config` prints warnings as FILE:LINE: warning: … on stderr and still exits 0;
/// `--strict` exits 2 on warnings; an invalid file stays 1 (issue 11).
struct CheckConfigWarningsCLITests {
    static let config = """
        [aggregation]
        min_sources = 2

        [[source]]
        name = "coinbase"
        kind = "coinbase"

        [[source]]
        name = "coinbase-eu"
        kind = "coinbase"

        [[source]]
        name = "bitstamp"
        kind = "bitstamp"

        [[pair]]
        symbol = "BTC-USD"
        maintenance_margin = 0.05
        initial_margin = 0.10
        sources = [
          { source = "coinbase", symbol = "BTC-USD" },
          { source = "coinbase-eu", symbol = "BTC-USD" },
        ]

        """

    @Test func warningsNameLineAndKeyAndOnlyStrictFails() async throws {
        let dir = makeTempDir("checkwarn")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/warn.toml"
        try Self.config.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = try ProbeCLITests().run(["check-config", path])
        #expect(status == 0, "\(output)")
        // bitstamp's name line is 13; BTC-USD's sources line 20 (min_sources is inherited).
        #expect(output.contains("\(path):13: warning: [[source]] bitstamp: name: no [[pair]] lists source \"bitstamp\""), "\(output)")
        #expect(output.contains("\(path):20: warning: [[pair]] BTC-USD: sources: 2 sources listed but only 1 distinct venue"), "\(output)")
        #expect(output.contains("[aggregation] min_sources = 2"), "\(output)")
        #expect(output.contains("OK") && output.contains("2 warnings"), "\(output)")

        let (strict, strictOutput) = try ProbeCLITests().run(["check-config", "--strict", path])
        #expect(strict == 2, "\(strictOutput)")
        let shipped = Binaries.repoRoot.appendingPathComponent("oracles.toml").path
        let (clean, cleanOutput) = try ProbeCLITests().run(["check-config", "--strict", shipped])
        #expect(clean == 0 && !cleanOutput.contains("warning"), "\(cleanOutput)")
        try "[daemon]\npoll_interval = 5\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (invalid, _) = try ProbeCLITests().run(["check-config", "--strict", path])
        #expect(invalid == 1)
    }
}

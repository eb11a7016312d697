import Foundation
import Testing
@testable import OracleConfig

@Suite struct ConfigDurationTests {
    @Test(arguments: [("250ms", Int64(250)), ("30s", 30_000), ("60m", 3_600_000), ("1h", 3_600_000),
                      ("1.5s", 1_500), ("0s", 0), (" 2m ", 120_000), ("1_000ms", 1_000)])
    func parsesUnits(text: String, expected: Int64) throws {
        #expect(try ConfigDuration.milliseconds(from: text).get() == expected)
    }

    @Test(arguments: [("30", "has no unit"), ("", "empty"), ("30sec", "unknown unit"), ("-5s", "negative"),
                      ("s", "not a duration"), ("0.1ms", "shorter than 1ms"), ("10000h", "too long")])
    func rejectsWithAHint(text: String, fragment: String) {
        switch ConfigDuration.milliseconds(from: text) {
        case .success(let ms): Issue.record("\"\(text)\" parsed as \(ms)ms")
        case .failure(let error): #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func byteSizes() throws {
        #expect(try ConfigByteSize.bytes(from: "256KiB").get() == 262_144)
        #expect(try ConfigByteSize.bytes(from: "1MiB").get() == 1_048_576)
        #expect(try ConfigByteSize.bytes(from: "64 KB").get() == 64_000)
        #expect(try ConfigByteSize.bytes(from: "4096").get() == 4_096)
        #expect((try? ConfigByteSize.bytes(from: "1 lot").get()) == nil)
    }

    @Test func durationsInTheConfigBecomeMilliseconds() throws {
        let text = Fixture.config(daemon: "poll_interval = \"250ms\"\nstream_heartbeat = \"2s\"",
                                  aggregation: "max_age = \"1m\"\nmax_hold = \"0s\"",
                                  margin: "call_deadline = \"2h\"")
        let config = try accepted(text)
        #expect(config.daemon.pollIntervalMs == 250)
        #expect(config.daemon.streamHeartbeatMs == 2_000)
        #expect(config.pairs[0].policy.maxAgeMs == 60_000)
        #expect(config.pairs[0].policy.maxHoldMs == 0)
        #expect(config.margin.callDeadlineMs == 7_200_000)
    }

    @Test func maxBodyAcceptsIntegerAndUnits() throws {
        let sources = Fixture.sources.replacingOccurrences(of: "kind = \"kraken\"", with: "kind = \"kraken\"\nmax_body = \"1MiB\"")
            .replacingOccurrences(of: "kind = \"binance\"", with: "kind = \"binance\"\nmax_body = 65536")
        let config = try accepted(Fixture.config(sources: sources))
        #expect(config.source(named: "kraken")?.maxBodyBytes == 1_048_576)
        #expect(config.source(named: "binance")?.maxBodyBytes == 65_536)
    }
}

import Foundation
import OracleCore
import Testing
@testable import OracleConfig

/// `[[vol]]`: decoding, defaults, and errors that name the line and key.
@Suite struct VolConfigTests {
    static let vol = """
    [[vol]]
    underlying = "BTC"
    forward_pair = "BTC-USD"
    max_age = "90s"
    sources = [
      { name = "deribit-opt", kind = "deribit_options" },
      { name = "okx-opt", kind = "okx_options", base_url = "http://127.0.0.1:18080/okx/", rate_limit = 5 },
      { name = "dvol", kind = "deribit_dvol" },
    ]
    """

    static func text(_ vol: String = vol) -> String { Fixture.config() + "\n" + vol + "\n" }

    @Test func decodesWithDefaults() throws {
        let c = try accepted(Self.text())
        let v = try #require(c.vol.first)
        #expect(c.vol.count == 1)
        #expect(v.underlying == "BTC" && v.forwardPair == "BTC-USD" && v.quote == "USD")
        #expect(v.policy.maxAgeMs == 90_000)
        #expect(v.policy.minSources == VolPolicy().minSources && v.policy.frozenAfterMs == 600_000)
        #expect(v.sources.map(\.kind) == [.deribitOptions, .okxOptions, .deribitDVOL])
        #expect(v.sources[0].baseURL == "https://www.deribit.com")
        #expect(v.sources[1].baseURL == "http://127.0.0.1:18080/okx" && v.sources[1].rateLimitPerSecond == 5)
        #expect(try accepted(Fixture.config()).vol.isEmpty, "no [[vol]] means no surfaces")
    }

    @Test func unknownKindNamesLineKeyAndSuggests() {
        let t = Self.text(Self.vol.replacingOccurrences(of: "kind = \"okx_options\"", with: "kind = \"okx_option\""))
        expectSingleProblem(t, at: "okx_option", key: "sources[1].kind", code: .invalidValue, mentioning: "did you mean \"okx_options\"")
    }

    @Test func forwardPairMustBeAPair() {
        let t = Self.text(Self.vol.replacingOccurrences(of: "forward_pair = \"BTC-USD\"", with: "forward_pair = \"BTC-EUR\""))
        expectSingleProblem(t, at: "forward_pair", key: "forward_pair", code: .invalidValue, mentioning: "not a [[pair]]")
    }

    @Test func duplicateSourceNameAcrossSourceAndVol() {
        let t = Self.text(Self.vol.replacingOccurrences(of: "name = \"dvol\"", with: "name = \"kraken\""))
        expectSingleProblem(t, at: "name = \"kraken\", kind = \"deribit_dvol\"", key: "sources[2].name", code: .duplicate, mentioning: "duplicate source name")
    }

    @Test func unknownKeyInVolIsReported() {
        let t = Self.text(Self.vol.replacingOccurrences(of: "max_age = \"90s\"", with: "max_agee = \"90s\""))
        expectSingleProblem(t, at: "max_agee", key: "max_agee", code: .unknownKey, mentioning: "max_age")
    }

    @Test func frozenWindowMustExceedMaxAge() {
        let t = Self.text(Self.vol.replacingOccurrences(of: "max_age = \"90s\"", with: "max_age = \"90s\"\nfrozen_after = \"30s\""))
        expectSingleProblem(t, at: "frozen_after", key: "frozen_after", code: .invalidValue, mentioning: "longer than max_age")
    }

    @Test func missingSourcesAndBadUnderlying() {
        let t = Fixture.config() + "\n[[vol]]\nunderlying = \"btc\"\n"
        let found = problems(t)
        #expect(found.contains { $0.key == "underlying" && $0.message.contains("upper-case") })
        #expect(found.contains { $0.message.contains("sources is missing") })
    }
}

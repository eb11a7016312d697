import Foundation
import OracleCore
import Testing

/// Every recorded venue body parses to its manifest `expected`, and no prefix of it crashes.
@Suite struct VenueFixtureTests {
    @Test func manifestIsLoadedAndCoversEveryVenue() {
        let fixtures = VenueFixtures.all
        #expect(fixtures.count >= 50, "expected the full manifest, loaded \(fixtures.count) from \(VenueFixtures.directory.path)")
        let venues = Set(fixtures.map(\.venue))
        for kind in VenueKind.allCases where kind != .generic {
            #expect(venues.contains(kind), "no fixture for \(kind)")
        }
    }

    @Test(arguments: VenueFixtures.all)
    func fixtureParsesToExpected(_ fixture: VenueFixture) throws {
        let json = venueProbe(fixture.venue, fixture.symbol, fixture.response)
        let actual = try #require(VenueFixtures.plain(json), "probeJSON is not JSON: \(json)")
        #expect(Set(actual.keys) == Set(fixture.expected.keys), "\(fixture.file): keys of \(json)")
        for (key, want) in fixture.expected {
            #expect(actual[key] == want, "\(fixture.file) [\(fixture.symbol)]: \(key) is \(String(describing: actual[key])), expected \(want); probe: \(json)")
        }
    }

    @Test func probeJSONKeepsKeyOrderAndCompactForm() throws {
        let f = try #require(VenueFixtures.fixture("binance/ok_btc.json"))
        #expect(venueProbe(.binance, f.symbol, f.response)
                == #"{"bid":"23980.49000000","ask":"23981.31000000","last":null,"exchange_ts_ms":null}"#)
        let r = try #require(VenueFixtures.fixture("binance/err_rate_limited_429.json"))
        #expect(venueProbe(.binance, r.symbol, r.response) == #"{"error":"rate_limited","retry_after_s":7}"#)
    }

    @Test func pythConfidenceIsScaledLikeThePrice() throws {
        let f = try #require(VenueFixtures.fixture("pyth/ok_btc.json"))
        let q = try #require(venueOutcome(.pyth, f.symbol, f.response).quote)
        #expect(q.confidence?.text == "23.51207541")
        #expect(q.last?.value == 67843.125)
    }

    @Test func rateLimitResetHeadersBecomeHintsNotRetryAfter() throws {
        let k = try #require(VenueFixtures.fixture("kucoin/err_rate_limited.json"))
        let ke = try #require(venueOutcome(.kucoin, k.symbol, k.response).error)
        #expect(ke.retryAfterSeconds == nil)
        #expect(ke.resetHintMs == 9513)
        let b = try #require(VenueFixtures.fixture("bybit/err_rate_limited.json"))
        var resp = b.response
        resp.receivedAtMs = 1_673_859_088_000
        let be = try #require(venueOutcome(.bybit, b.symbol, resp).error)
        #expect(be.errorClass == .rateLimited)
        #expect(be.retryAfterSeconds == nil)
        #expect(be.resetHintMs == 1000)
    }

    /// Every prefix of every body: never a crash; a 2xx body cut anywhere before its end is an error.
    @Test(arguments: VenueFixtures.all)
    func everyTruncationThrows(_ fixture: VenueFixture) {
        let full = trimmed(fixture.body)
        for length in 0..<fixture.body.count {
            var r = fixture.response
            r.body = Array(fixture.body[0..<length])
            let result = venueOutcome(fixture.venue, fixture.symbol, r)
            if trimmed(r.body) != full {
                #expect(result.error != nil, "\(fixture.file) cut to \(length) bytes parsed as \(String(describing: result.quote))")
            }
            if (200..<300).contains(fixture.status), fixture.expected["error"] == nil, trimmed(r.body) != full {
                #expect(result.errorClass == .other, "\(fixture.file) cut to \(length) bytes: \(String(describing: result.error))")
            }
        }
    }

    @Test(arguments: VenueFixtures.all)
    func requestURLReproducesTheRecordedPath(_ fixture: VenueFixture) {
        let source = SourceSpec(name: "x", kind: fixture.venue, baseURL: "https://venue.test")
        let url = VenueAdapters.requestURL(for: source, symbol: fixture.symbol)
        // Pyth's `ids[]` is sent percent-encoded; the manifest records it decoded.
        let decoded = url.replacingOccurrences(of: "%5B%5D", with: "[]")
        #expect(decoded == "https://venue.test" + fixture.urlPath)
    }

    private func trimmed(_ b: [UInt8]) -> ArraySlice<UInt8> {
        let ws: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09]
        var lo = 0, hi = b.count
        while lo < hi, ws.contains(b[lo]) { lo += 1 }
        while hi > lo, ws.contains(b[hi - 1]) { hi -= 1 }
        return b[lo..<hi]
    }
}

import OracleCore
import Testing

/// Hostile and broken bodies through every adapter: an error, never a crash or a hang.
@Suite struct VenueRobustnessTests {
    private static let kinds = VenueKind.allCases
    private static let generic = GenericAdapterSpec(urlTemplate: "/t?s={symbol}", pricePath: "a.0.b", bidPath: "bid",
                                                    timestampPath: "ts", timestampUnit: .iso8601, errorPath: "err")

    @Test(arguments: kinds)
    func deepNestingIsAnErrorNotAStackOverflow(_ kind: VenueKind) {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(venueOutcome(kind, "BTCUSDT", venueResponse(deep), generic: Self.generic).errorClass == .other)
        let deepObject = String(repeating: #"{"result":"#, count: 50_000)
        #expect(venueOutcome(kind, "BTCUSDT", venueResponse(deepObject), generic: Self.generic).errorClass == .other)
    }

    @Test(arguments: kinds)
    func randomBytesAreErrors(_ kind: VenueKind) {
        var rng = VenueTestRNG(seed: UInt64(kind.rawValue.utf8.count) &* 7919)
        for _ in 0..<300 {
            let body = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let r = VenueResponse(status: 200, body: body)
            // Random bytes are essentially never a ticker; the point is that parsing returns.
            if case .success(let q) = venueOutcome(kind, "BTCUSDT", r, generic: Self.generic) {
                Issue.record("random body parsed as \(q)")
            }
        }
    }

    /// Byte flips, deletions and insertions in every recorded body: each parse returns, and a
    /// success still carries only numbers the strict decimal grammar accepts.
    @Test(arguments: VenueFixtures.all.filter { $0.expected["error"] == nil })
    func mutatedFixturesNeverTrap(_ fixture: VenueFixture) {
        var rng = VenueTestRNG(seed: UInt64(fixture.body.count))
        let alphabet = Array("{}[]\",:\\ 0123456789.eE-+tfnulaINF\u{7F}".utf8)
        for _ in 0..<400 {
            var body = fixture.body
            for _ in 0..<(1 + Int(rng.next() % 4)) where !body.isEmpty {
                let at = Int(rng.next() % UInt64(body.count))
                switch rng.next() % 3 {
                case 0: body[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: body.remove(at: at)
                default: body.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                }
            }
            var r = fixture.response
            r.body = body
            if case .success(let q) = venueOutcome(fixture.venue, fixture.symbol, r) {
                for n in [q.bid, q.ask, q.last, q.confidence].compactMap({ $0 }) {
                    #expect(VenueNumber(n.text) != nil, "\(fixture.file): accepted '\(n.text)'")
                }
            }
        }
    }

    @Test func nanAndInfinityNeverBecomePrices() {
        for text in ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999999", "0x10", "", " 1", "1 ", "1,5", "١٢٣"] {
            let body = #"{"symbol":"BTCUSDT","bidPrice":"\#(text)","askPrice":"2"}"#
            let result = venueOutcome(.binance, "BTCUSDT", venueResponse(body))
            if let q = result.quote {
                // Only the empty string may pass (it means "no bid").
                #expect(text.isEmpty && q.bid == nil, "'\(text)' became \(String(describing: q.bid))")
            } else {
                #expect(result.errorClass == .other)
            }
        }
    }
}

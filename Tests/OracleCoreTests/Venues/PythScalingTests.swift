import Testing
@testable import OracleCore

/// Pyth's scaled-decimal path writes digits into stack memory; these pin its edges.
@Suite struct PythScalingTests {
    private static let feed = "0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43"

    private func body(price: String, expo: String) -> VenueResponse {
        let text = #"{"parsed":[{"id":"E62DF6C8B4A85FE1A67DB44DC12DE5DB330F7AC66B72DC658AFEDF0F4A415B43","price":{"price":"\#(price)","conf":"5","expo":\#(expo),"publish_time":1711356300}}]}"#
        return VenueResponse(status: 200, headers: [], body: Array(text.utf8), receivedAtMs: 0)
    }

    @Test func extremeExponentIsAnErrorNotACrash() {
        for expo in ["-9223372036854775808", "9223372036854775807", "-65", "65"] {
            #expect(throws: VenueError.self) { try PythParser.parse(symbol: Self.feed, response: body(price: "1", expo: expo)) }
        }
    }

    @Test func scaledTextKeepsEveryDigit() throws {
        #expect(try PythParser.parse(symbol: Self.feed, response: body(price: "-000123", expo: "-5")).last?.text == "-0.00123")
        #expect(try PythParser.parse(symbol: Self.feed, response: body(price: "123", expo: "2")).last?.text == "12300")
        #expect(try PythParser.parse(symbol: Self.feed, response: body(price: "6784312500000", expo: "-8")).last?.text == "67843.12500000")
        #expect(ScaledDecimalText.bytes(mantissa: UnsafeBufferPointer(start: nil, count: 0), exponent: 0) == nil)
    }

    @Test func feedIdComparisonFoldsCaseAndPrefix() {
        let id = Array("e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43".utf8)
        id.withUnsafeBufferPointer { b in
            #expect(PythParser.sameFeed(" 0XE62DF6C8B4A85FE1A67DB44DC12DE5DB330F7AC66B72DC658AFEDF0F4A415B43 ", b))
            #expect(!PythParser.sameFeed("0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b44", b))
            #expect(!PythParser.sameFeed("e62d", b))
        }
    }
}

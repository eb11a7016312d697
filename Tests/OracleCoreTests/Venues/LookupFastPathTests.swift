@testable import OracleCore
import Testing

/// The fast paths the hot parsers use (several keys in one tape walk, word-wise key compare,
/// Clinger decimals, plain-digit timestamps) must answer exactly what the general code does.
@Suite struct LookupFastPathTests {
    /// `members(of:…)` on a taped scanner and on a plain one, as comparable text.
    private func lookups(_ json: String, _ k0: StaticString, _ k1: StaticString, _ k2: StaticString)
        throws -> (taped: [String], plain: [String]) {
        let body = Array(json.utf8)
        func show(_ s: JSONScanner, _ r: (JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?)) -> [String] {
            [r.0, r.1, r.2, r.3, r.4].map { $0.map { "\($0.kind) \(s.text(of: $0))" } ?? "nil" }
        }
        return try body.withUnsafeBufferPointer { buf in
            let p = JSONScanner(buf)
            let plain = show(p, p.members(of: try p.document(), wanted: 3, k0, k1, k2))
            let taped = try JSONScanner.withScanner(buf) { (s) throws -> [String] in
                show(s, s.members(of: try s.document(), wanted: 3, k0, k1, k2))
            }
            return (taped, plain)
        }
    }

    @Test func severalKeysInOneWalkMatchTheGeneralPath() throws {
        let cases: [(String, [String])] = [
            (#"{"bid1Price":"1.5","ask1Price":"2","x":{"bid1Price":9},"lastPrice":3}"#,
             ["string 1.5", "string 2", "number 3", "nil", "nil"]),
            // First member wins; an absent key stays nil.
            (#"{"ask1Price":"2","ask1Price":"7"}"#, ["nil", "string 2", "nil", "nil", "nil"]),
            // Escaped keys decode before comparing; same-length different keys do not match.
            (#"{"bid\u0031Price":"4","bid2Price":"5","lastPricf":"6"}"#, ["string 4", "nil", "nil", "nil", "nil"]),
            (#"{}"#, ["nil", "nil", "nil", "nil", "nil"]),
        ]
        for (json, expected) in cases {
            let r = try lookups(json, "bid1Price", "ask1Price", "lastPrice")
            #expect(r.taped == expected, "\(json)")
            #expect(r.plain == expected, "\(json)")
        }
        // More values than the tape holds: the general path answers.
        let big = "{" + (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"ts\":\"7\"}"
        let r = try lookups(big, "k99", "ts", "k0")
        #expect(r.taped == ["number 99", "string 7", "number 0", "nil", "nil"])
        #expect(r.taped == r.plain)
    }

    @Test func wordWiseByteCompare() {
        for len in 0...20 {
            let a = (0..<len).map { UInt8(65 + $0) }
            for flip in 0..<len {
                var b = a
                b[flip] ^= 0x20
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        guard let x = pa.baseAddress, let y = pb.baseAddress else { return }
                        #expect(JSONScanner.sameBytes(x, x, len))
                        #expect(!JSONScanner.sameBytes(x, y, len), "len \(len) flip \(flip)")
                    }
                }
            }
        }
    }

    @Test func fastDecimalsAreBitIdenticalToStrtod() {
        let texts = ["0", "-0", "1", "20517.96", "0.00014", "67843.2", "243765620.65899866",
                     "9007199254740992", "9007199254740993", "0.000000000000000000001",
                     "1234567890123456789", "12345678901234567890", "00.5", "5.", ".5", "-", "1.2.3",
                     "1e5", "+1", "0.1234567890123456789012", "0.12345678901234567890123"]
        for t in texts {
            let fast = Array(t.utf8).withUnsafeBufferPointer { FastDecimal.number($0, escaped: false) }
            let slow = VenueNumber(t)
            if let fast {
                #expect(fast.text == t)
                #expect(fast.value.bitPattern == slow?.value.bitPattern, "\(t)")
            }
        }
        // The common shapes must take the fast path at all.
        for t in ["20517.96", "1", "0.3127", "-5.25"] {
            #expect(Array(t.utf8).withUnsafeBufferPointer { FastDecimal.number($0, escaped: false) } != nil)
        }
    }

    @Test func plainDigitTimestamps() {
        #expect(TimestampText.millis("1711356300117", unit: .ms) == 1_711_356_300_117)
        #expect(TimestampText.millis("1686068944", unit: .s) == 1_686_068_944_000)
        #expect(TimestampText.millis("1711356300117000", unit: .us) == 1_711_356_300_117)
        #expect(TimestampText.millis("999999999999999999", unit: .s) == nil)      // overflows on scaling
        #expect(TimestampText.millis("9223372036854775807", unit: .ms) == Int64.max)
        #expect(TimestampText.millis("9223372036854775808", unit: .ms) == nil)
        #expect(TimestampText.millis("17113563x", unit: .ms) == nil)
    }
}

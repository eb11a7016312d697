import OracleCore
import Testing

/// The byte scanner on its own: lookups, exact text, escapes, and refusal of anything that
/// is not JSON — without ever trapping.
@Suite struct JSONScannerTests {
    /// Runs `body` with a scanner over `text` and its validated root.
    private func scan<R>(_ text: String, _ body: (JSONScanner, JSONSpan) -> R) throws -> R {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buf in
            let s = JSONScanner(buf)
            let root = try s.document()
            return body(s, root)
        }
    }

    private func scanError(_ text: String) -> JSONScanError? {
        Array(text.utf8).withUnsafeBufferPointer { buf in
            do throws(JSONScanError) {
                _ = try JSONScanner(buf).document()
                return nil
            } catch {
                return error
            }
        }
    }

    @Test func findsValuesByPathAndKeepsNumberTextExactly() throws {
        let body = #"{"a":{"list":[{"x":1},{"p":"23980.49000000","v":5.985618685709001E8,"n":-0.5e-3}]},"z":67190}"#
        try scan(body) { s, root in
            #expect(s.value(atPath: JSONPath("a.list.1.p"), in: root).map { s.text(of: $0) } == "23980.49000000")
            #expect(s.value(atPath: JSONPath("a.list.1.v"), in: root).map { s.text(of: $0) } == "5.985618685709001E8")
            #expect(s.value(atPath: JSONPath("a.list.1.n"), in: root).map { s.text(of: $0) } == "-0.5e-3")
            #expect(s.value(atPath: JSONPath("z"), in: root).map { s.text(of: $0) } == "67190")
            #expect(s.value(atPath: JSONPath("a.list.2.p"), in: root) == nil)
            #expect(s.value(atPath: JSONPath("a.list.x"), in: root) == nil)
            #expect(s.value(atPath: JSONPath("z.0"), in: root) == nil)
        }
    }

    @Test func numericSegmentIsAKeyOnObjects() throws {
        try scan(#"{"0":{"1":"yes"}}"#) { s, root in
            #expect(s.value(atPath: JSONPath("0.1"), in: root).map { s.text(of: $0) } == "yes")
        }
    }

    @Test func handlesEscapesInKeysAndValues() throws {
        try scan(#"{"b\u0069d":"a\"b\\c\/d\n","e":"\uD83D\uDE00 \u00e9","lone":"\uD800x"}"#) { s, root in
            let bid = s.member("bid", of: root)
            #expect(bid.map { s.text(of: $0) } == "a\"b\\c/d\n")
            #expect(s.member("e", of: root).map { s.text(of: $0) } == "😀 é")
            #expect(s.member("lone", of: root).map { s.text(of: $0) } == "\u{FFFD}x")
        }
    }

    @Test func anyKeyOrderAndWhitespace() throws {
        let a = try scan(" \n{ \"x\" :\t1 , \"y\" : [ 2 , 3 ] }\r\n") { s, root in
            s.element(1, of: s.member("y", of: root)!).map { s.text(of: $0) }
        }
        #expect(a == "3")
    }

    @Test func detectsNullEmptyStringAndEmptyContainers() throws {
        try scan(#"{"n":null,"s":"","a":[ ],"o":{},"f":[1]}"#) { s, root in
            #expect(s.member("n", of: root)?.isNull == true)
            #expect(s.member("s", of: root)?.isEmptyString == true)
            #expect(s.member("a", of: root).map { s.isEmptyContainer($0) } == true)
            #expect(s.member("o", of: root).map { s.isEmptyContainer($0) } == true)
            #expect(s.member("f", of: root).map { s.isEmptyContainer($0) } == false)
            #expect(s.count(of: root) == 5)
            #expect(s.member("missing", of: root) == nil)
        }
    }

    @Test func containerTextIsResolvedOnDemand() throws {
        try scan(#"{"a":{"b":[1,{"c":"]"}]},"d":2}"#) { s, root in
            #expect(s.member("a", of: root).map { s.text(of: $0) } == #"{"b":[1,{"c":"]"}]}"#)
            #expect(s.member("d", of: root).map { s.text(of: $0) } == "2")
        }
    }

    @Test(arguments: [
        "", "   ", "{", "[", "{\"a\"}", "{\"a\":}", "[1,]", "{\"a\":1,}", "01", "1.", "-", ".5", "1e", "+1",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "tru", "nul", "fals", "NaN", "Infinity", "-Infinity",
        "{\"a\":NaN}", "[1 2]", "{\"a\" 1}", "{a:1}", "\"tab\there\"", "{} x", "[]]", "{\"a\":1}}", "'a'",
        "[\"\\\"]", "{\"a\":[}", "\u{0}",
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(scanError(text) != nil, "accepted \(text.debugDescription)")
    }

    @Test func acceptsTopLevelScalarsAndBOM() throws {
        #expect(scanError("0") == nil)
        #expect(scanError("-1.5E+10") == nil)
        #expect(scanError("\u{FEFF}{\"a\":true}") == nil)
        #expect(scanError("null") == nil)
    }

    @Test func capsNestingDepthWithoutExhaustingTheStack() {
        let ok = String(repeating: "[", count: JSONScanner.maxDepth) + String(repeating: "]", count: JSONScanner.maxDepth)
        #expect(scanError(ok) == nil)
        let deep = String(repeating: "[", count: JSONScanner.maxDepth + 1) + String(repeating: "]", count: JSONScanner.maxDepth + 1)
        #expect(scanError(deep)?.reason == .tooDeep)
        let hostile = String(repeating: "{\"a\":[", count: 100_000)
        #expect(scanError(hostile)?.reason == .tooDeep)
    }

    @Test func reportsTruncationWithItsOffset() {
        let e = scanError(#"{"bid":"123"#)
        #expect(e?.reason == .truncated)
        #expect(e?.offset == 11)
    }

    /// Random bytes and random mutations of a real body: validation answers, never traps,
    /// and lookups on whatever validates stay in bounds.
    @Test func randomInputNeverTraps() {
        var rng = VenueTestRNG(seed: 0x5EED)
        let alphabet = Array("{}[]\",:\\ 0123456789.eE-+tfnrulsa\n".utf8)
        let base = Array(#"{"a":[1,{"b":"x\"y"},null,true],"c":{"d":-1.5e3}}"#.utf8)
        var accepted = 0
        for round in 0..<5_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in
                    rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
            } else {
                bytes = base
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                    }
                }
            }
            bytes.withUnsafeBufferPointer { buf in
                let s = JSONScanner(buf)
                guard let root = try? s.document() else { return }
                accepted += 1
                _ = s.value(atPath: JSONPath("a.1.b"), in: root).map { s.text(of: $0) }
                _ = s.value(atPath: JSONPath("c.d"), in: root).map { s.text(of: $0) }
                _ = s.count(of: root)
                _ = s.text(of: root)
            }
        }
        #expect(accepted > 0)
    }
}

/// A small deterministic generator so failures reproduce.
struct VenueTestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@testable import OracleCore
import Testing

/// The member tape written during validation must describe exactly what the byte-scanning
/// lookups find: same members, same order, same spans, on every recorded body and on
/// shapes chosen to stress it (escaped keys, empty containers, more values than it holds).
@Suite struct JSONTapeTests {
    /// Every key and value reachable from the root, depth first, as comparable text.
    private func walk(_ s: JSONScanner, _ v: JSONSpan, _ path: String, _ out: inout [String]) {
        let r = s.resolved(v)
        out.append("\(path) \(r.kind) \(r.start)..<\(r.end) esc=\(r.hasEscapes)")
        switch v.kind {
        case .object:
            s.forEachMember(of: v) { k, value in
                walk(s, value, path + "." + s.text(of: k) + "@\(k.start)-\(k.end)-\(k.hasEscapes)", &out)
                return true
            }
        case .array:
            s.forEachElement(of: v) { i, value in
                walk(s, value, path + "[\(i)]", &out)
                return true
            }
        default:
            break
        }
    }

    private func bothWalks(_ body: [UInt8]) throws -> (taped: [String], plain: [String], tapeUsed: Bool) {
        try body.withUnsafeBufferPointer { buf in
            var plain: [String] = []
            let p = JSONScanner(buf)
            walk(p, try p.document(), "$", &plain)
            let (taped, used) = try JSONScanner.withScanner(buf) { (s) throws -> ([String], Bool) in
                var out: [String] = []
                let root = try s.document()
                walk(s, root, "$", &out)
                return (out, root.kind == .object || root.kind == .array ? s.tapeEntry(containerAt: root.start) != nil : true)
            }
            return (taped, plain, used)
        }
    }

    @Test(arguments: VenueFixtures.all)
    func tapeMatchesByteLookupsOnFixtures(_ fixture: VenueFixture) throws {
        guard (try? fixture.body.withUnsafeBufferPointer({ try JSONScanner($0).document() })) != nil else { return }
        let r = try bothWalks(fixture.body)
        #expect(r.taped == r.plain, "\(fixture.file)")
    }

    @Test(arguments: [
        #"{"a\"b":{"c":[],"d":{}},"e":["x\\y",1,-2.5e3,true,false,null,{"f":[[]]}],"g":""}"#,
        #"  [ {} , [ ] , { "k" : [ 1 , 2 ] } ]  "#,
        "\u{FEFF}{\"bom\":1}",
        "\"top\"", "42", "null",
        "[" + (0..<200).map(String.init).joined(separator: ",") + "]",     // more values than the tape holds
        "{\"" + String(repeating: "k", count: 40_000) + "\":{\"x\":1},\"y\":[2]}", // key too long to pack
    ])
    func tapeMatchesByteLookupsOnAwkwardShapes(_ body: String) throws {
        let r = try bothWalks(Array(body.utf8))
        #expect(r.taped == r.plain)
    }

    @Test func overflowingBodiesFallBackToByteLookups() throws {
        let big = "[" + (0..<200).map(String.init).joined(separator: ",") + "]"
        #expect(try bothWalks(Array(big.utf8)).tapeUsed == false)
        #expect(try bothWalks(Array(#"{"a":[1,2]}"#.utf8)).tapeUsed == true)
    }

    /// A failed validation must not leave an earlier, complete tape readable.
    @Test func failedDocumentInvalidatesTheTape() throws {
        let body = Array(#"{"a":[1,2]} x"#.utf8)
        body.withUnsafeBufferPointer { buf in
            JSONScanner.withScanner(buf) { s in
                #expect((try? s.document()) == nil)
                #expect(s.tapeEntry(containerAt: 0) == nil)
            }
        }
    }
}

import Foundation
import Testing
@testable import OracleCore

/// The scanner-based `AccountJSON.decode` against the `JSONSerialization` reader it replaced
/// (`decodeWithFoundation`): same accounts, same errors (code, field path and message) on the
/// existing test inputs, the demo and fuzz corpora and thousands of generated and mutated bodies.
@Suite struct AccountJSONFastPathTests {
    static let universe = MarginFixtures.universe(pairs: (0..<60).map { MarginFixtures.pair("P\($0)-USD") })
    static let ignoring: Set<String> = ["equity", "level"]

    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Margin
        .deletingLastPathComponent()   // OracleCoreTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repository root

    enum Outcome { case account(Account), failure(AccountError) }

    static func run(_ bytes: [UInt8], fast: Bool, ignoring: Set<String> = ignoring) -> Outcome {
        do {
            let a = fast ? try AccountJSON.decode(Data(bytes), universe: universe, ignoring: ignoring)
                : try AccountJSON.decodeWithFoundation(Data(bytes), universe: universe, ignoring: ignoring)
            return .account(a)
        } catch {
            return .failure(error)
        }
    }

    /// Decimals equal, allowing the one deliberate difference: a JSON number's text as written
    /// on the fast path versus `NSNumber`'s rendering of it on the Foundation path.
    static func same(_ a: VenueNumber, _ b: VenueNumber) -> Bool {
        a == b || (a.value == b.value && !a.text.contains(" ") && DecimalText.parse(b.text) != nil)
    }

    static func same(_ x: Account, _ y: Account) -> Bool {
        x.id == y.id && x.thresholds == y.thresholds
            && x.collateral.count == y.collateral.count && x.positions.count == y.positions.count
            && zip(x.collateral, y.collateral).allSatisfy { $0.asset == $1.asset && same($0.amount, $1.amount) }
            && zip(x.positions, y.positions).allSatisfy {
                $0.pair == $1.pair && same($0.quantity, $1.quantity) && same($0.entryPrice, $1.entryPrice)
            }
    }

    /// Same code, field and message; a message about a decimal field may differ only by that
    /// decimal's text (a JSON number quoted as written rather than as `NSNumber` renders it).
    static func same(_ a: AccountError, _ b: AccountError) -> Bool {
        guard a.code == b.code, a.field == b.field else { return false }
        if a.message == b.message { return true }
        let decimalField = [".amount", ".quantity", ".entry_price"].contains { a.field.hasSuffix($0) }
        guard decimalField, a.code == .invalidValue || a.code == .invalidDecimal else { return false }
        func shape(_ m: String) -> String { m.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 1 ? "N" : String($0.element) }.joined(separator: "\"") }
        return shape(a.message) == shape(b.message)
    }

    /// nil when both readers agree; otherwise a description of the difference.
    static func difference(_ bytes: [UInt8], ignoring: Set<String> = ignoring) -> String? {
        switch (run(bytes, fast: true, ignoring: ignoring), run(bytes, fast: false, ignoring: ignoring)) {
        case let (.account(a), .account(b)):
            return same(a, b) ? nil : "accounts differ: \(a) vs \(b)"
        case let (.failure(a), .failure(b)):
            return same(a, b) ? nil : "errors differ: \(a.code) \(a) vs \(b.code) \(b)"
        case let (.account(a), .failure(b)):
            return "fast accepted \(a), Foundation rejected: \(b)"
        case let (.failure(a), .account(b)):
            return "fast rejected (\(a)), Foundation accepted \(b)"
        }
    }

    static func check(_ inputs: [[UInt8]], ignoring: Set<String> = ignoring) -> (count: Int, failures: [String]) {
        var failures: [String] = []
        for bytes in inputs {
            if let d = difference(bytes, ignoring: ignoring) {
                failures.append("\(String(decoding: bytes.prefix(300), as: UTF8.self)): \(d)")
            }
        }
        return (inputs.count, failures)
    }

    // MARK: - fixed inputs

    /// The bodies of AccountJSONTests, plus edge cases of the JSON layer.
    static let handWritten: [String] = [
        #"{"id": "acct-17", "collateral": [{"asset": "USDC", "amount": "25000.50"}, {"asset": "BTC", "amount": 0.5}], "positions":  [{"pair": "BTC-USD", "quantity": "-2", "entry_price": "65000.00"}]}"#,
        #"{"id":"a.b:c_d-1","collateral":[{"asset":"USD","amount":"10.000"}],"positions":[{"pair":"ETH-USD","quantity":"3","entry_price":"3000.5"}],"thresholds":{"warn_ratio":"1.5","call_ratio":"1.2","call_deadline":"1800000ms"}}"#,
        #"{"id":"a","thresholds":{"call_deadline":"30m"}}"#, #"{"id":"a","thresholds":{"call_deadline":"90s"}}"#,
        #"{"id":"a","thresholds":{"call_deadline":"1h"}}"#, #"{"id":"a","thresholds":{"call_deadline":"250ms"}}"#,
        #"{"id":"a","thresholds":{"call_deadline":"soon"}}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1"},{"pair":"DOGE-USD","quantity":"1","entry_price":"1"}]}"#,
        #"{"id":"a","collateral":[{"asset":"DOGE","amount":"1"}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":"abc"}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":"NaN"}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":"inf"}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":"1e400"}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":true}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":"-1"}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":"1"},{"asset":"BTC","amount":"2"}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC"}]}"#, #"{"id":"","collateral":[]}"#, #"{"id":"../etc","collateral":[]}"#,
        #"{"id":7}"#, #"{"collateral":[]}"#, #"{"id":"a","colateral":[]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"0"}]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"x","entry_price":"1"}]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1","side":"long"}]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1"},{"pair":"BTC-USD","quantity":"1","entry_price":"1"}]}"#,
        #"{"id":"a","positions":{}}"#, #"{"id":"a","thresholds":{"call_ratio":"1.5"}}"#,
        #"{"id":"a","thresholds":{"warn_exit_ratio":"1.2"}}"#, #"[1,2]"#, #"{"id":"a""#,
        #"{"id":"a","equity":"5","level":"none"}"#,
        // JSON-layer edge cases
        "", " ", "null", "1", #""x""#, "[]", "{}", "{} x", "\u{FEFF}{\"id\":\"a\"}", #"{"id":"a",}"#, #"{"id":"a"}}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":1e400}]}"#, #"{"id":"a","equity":1e400}"#,
        #"{"id":"a","equity":[1,{"x":-1E+999}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":1e-400}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":-0}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":12345678901234567890123}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":0.1234567890123456789}]}"#,
        #"{"id":"\ud800"}"#, #"{"id":"a","equity":"\udc00"}"#, #"{"id":"a\ud83d\ude00"}"#, #"{"\u0069d":"\u0061"}"#,
        #"{"id":"a\"b"}"#, #"{"id":"a\\b"}"#, #"{"id":"a\/b"}"#, #"{"id":"a\u0000"}"#,
        #"{"id":"a","id":"b"}"#, #"{"id":"a","id":7}"#, #"{"id":"a","collateral":[],"collateral":{}}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":"1","amount":"2","asset":"ETH"}]}"#,
        #"{"id":"a","thresholds":{"call_ratio":"0.9","call_ratio":null}}"#,
        #"{"id":null}"#, #"{"id":"a","collateral":null,"positions":null,"thresholds":null}"#,
        #"{"id":"a","collateral":[null]}"#, #"{"id":"a","collateral":[[]]}"#, #"{"id":"a","collateral":[{"asset":null,"amount":"1"}]}"#,
        #"{"id":"a","collateral":[{"asset":1,"amount":"1"}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":null}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":" 1.5\t"}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":"\u00a01.5\u3000"}]}"#,
        #"{"id":"a","collateral":[{"asset":"BTC","amount":{}}]}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":[]}]}"#,
        #"{"id":"a","collateral":"x"}"#, #"{"id":"a","thresholds":[]}"#, #"{"id":"a","thresholds":{"x":1,"a":2}}"#,
        #"{"id":"a","thresholds":{"call_deadline":1800000}}"#, #"{"id":"a","thresholds":{"call_deadline":0}}"#,
        #"{"id":"a","thresholds":{"call_deadline":-5}}"#, #"{"id":"a","thresholds":{"call_deadline":true}}"#,
        #"{"id":"a","thresholds":{"call_deadline":1.5e3}}"#, #"{"id":"a","thresholds":{"call_deadline":"1.5m"}}"#,
        #"{"id":"a","thresholds":{"call_deadline":[]}}"#, #"{"id":"a","thresholds":{"call_deadline":null}}"#,
        #"{"id":"a","thresholds":{"call_ratio":"1.1","urgent_ratio":1.05,"liquidation_ratio":"1.0","warn_ratio":1.3,"warn_exit_ratio":"1.4"}}"#,
        #"{"id":"a","thresholds":{"call_ratio":false}}"#, #"{"id":"a","thresholds":{}}"#,
        #"{"id":"a","zzz":1,"aaa":2,"equity":3}"#, #"{"id":"a","é":1,"e\u0301":2}"#,
        #"{"id":"a","equity":{"deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":-2,"entry_price":65000}]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-BTC","quantity":"1","entry_price":"1"}]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"-1"}]}"#,
        #"{"id":"a","positions":[{"pair":"BTC-USD","quantity":1E2,"entry_price":2.50}]}"#,
        "{\"id\":\"a\"}\u{0}", "{\"id\":\"a\u{1}\"}", "{\"id\":\"\u{7F}\"}",
        "\n\t{ \"id\" :\r\n \"a\" , \"collateral\" : [ ] }\n",
    ]

    @Test func handWrittenInputsAgree() {
        let inputs = Self.handWritten.map { Array($0.utf8) }
            + [[0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],         // invalid UTF-8 in a string
               [0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xC3, 0xA9, 0x22, 0x7D],   // valid UTF-8
               Array("{\"id\":\"a\"}".data(using: .utf16)!), Array("{\"id\":\"a\"}".data(using: .utf32LittleEndian)!)]
        let (_, failures) = Self.check(inputs)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // `ignoring:` with no keys and with keys that are also top-level keys
        #expect(Self.check(inputs, ignoring: []).failures.isEmpty)
        #expect(Self.check(inputs, ignoring: ["id", "zzz", "é"]).failures.isEmpty)
    }

    @Test func corporaAgree() throws {
        var inputs: [[UInt8]] = []
        let demo = try Data(contentsOf: Self.repoRoot.appendingPathComponent("demo/accounts.ndjson"))
        inputs += demo.split(separator: UInt8(ascii: "\n")).map { Array($0) }
        let dir = Self.repoRoot.appendingPathComponent("FuzzTesting/corpus/accounts")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            inputs.append(Array(data))
            inputs += data.split(separator: UInt8(ascii: "\n")).map { Array($0) }
        }
        try #require(inputs.count >= 10)
        let (_, failures) = Self.check(inputs)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    // MARK: - generated inputs

    /// Deterministic generator (SplitMix64), so a failure reproduces.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func pick<T>(_ options: [T], _ rng: inout Rng) -> T { options[Int(rng.next() % UInt64(options.count))] }
    static func chance(_ percent: UInt64, _ rng: inout Rng) -> Bool { rng.next() % 100 < percent }

    static let decimals = [#""1""#, #""25000.50""#, #""-2""#, #""0""#, #""0.000001""#, #"" 1.5 ""#, #""1e3""#, #""abc""#, #""NaN""#,
                           #""""#, #""-0""#, #""1e400""#, "0.5", "1.50", "-2", "0", "-0", "1e2", "2.5E-3", "65000", "100.0",
                           "12345678901234567890", "1e400", "true", "null", "[]", "{}", #""\u0031""#, #""1\"""#]
    static let strings = [#""BTC""#, #""ETH""#, #""USDC""#, #""USD""#, #""DOGE""#, #""BTC-USD""#, #""ETH-USD""#, #""USDC-USD""#,
                          #""P7-USD""#, #""BTC-BTC""#, #""\u0042TC""#, #""B\"TC""#, "7", "null", "true", #""""#]
    static let ids = [#""acct-1""#, #""a.b:c_d-1""#, #""""#, #"".hidden""#, #""../x""#, #""a\u002fb""#, "7", "null", #""é""#,
                      "\"" + String(repeating: "x", count: 129) + "\""]

    static func member(_ key: String, _ value: String) -> String { "\"\(key)\":\(value)" }

    static func object(_ members: [String], _ rng: inout Rng) -> String {
        var m = members
        if chance(10, &rng) { m.shuffle(using: &rng) }
        if chance(5, &rng), !m.isEmpty { m.append(m[0]) }                     // repeated key
        if chance(5, &rng) { m.append(member(pick(["side", "x", "equity", "amount"], &rng), pick(["1", "null", #""s""#], &rng))) }
        if chance(5, &rng), !m.isEmpty { m.remove(at: Int(rng.next() % UInt64(m.count))) }
        let sep = chance(20, &rng) ? ", " : ","
        return "{" + m.joined(separator: sep) + "}"
    }

    static func account(_ rng: inout Rng) -> String {
        var top: [String] = []
        top.append(member(chance(3, &rng) ? #"\u0069d"# : "id", chance(90, &rng) ? #""acct-\#(rng.next() % 1000)""# : pick(ids, &rng)))
        let nCollateral = Int(rng.next() % 4)
        let assets = [#""BTC""#, #""ETH""#, #""USDC""#]
        var collateral: [String] = []
        for i in 0..<nCollateral {
            let asset = chance(90, &rng) ? assets[i % 3] : pick(strings, &rng)
            let amount = chance(70, &rng) ? #""\#(rng.next() % 100000).\#(rng.next() % 100)""# : pick(decimals, &rng)
            collateral.append(chance(3, &rng) ? pick(["null", "1", "[]"], &rng) : object([member("asset", asset), member("amount", amount)], &rng))
        }
        if chance(95, &rng) { top.append(member("collateral", chance(97, &rng) ? "[" + collateral.joined(separator: ",") + "]" : pick(["null", "{}", #""x""#], &rng))) }
        let nPositions = chance(5, &rng) ? 40 + Int(rng.next() % 21) : Int(rng.next() % 5)
        var positions: [String] = []
        for i in 0..<nPositions {
            let pair = chance(92, &rng) ? (i < 3 ? [#""BTC-USD""#, #""ETH-USD""#, #""USDC-USD""#][i] : #""P\#(i)-USD""#) : pick(strings, &rng)
            let qty = chance(70, &rng) ? #""\#(Int(rng.next() % 2000) - 1000)""# : pick(decimals, &rng)
            let entry = chance(70, &rng) ? "\(rng.next() % 90000 + 1).\(rng.next() % 10)" : pick(decimals, &rng)
            positions.append(chance(2, &rng) ? "null"
                : object([member("pair", pair), member("quantity", qty), member("entry_price", entry)], &rng))
        }
        if chance(95, &rng) { top.append(member("positions", "[" + positions.joined(separator: ",") + "]")) }
        if chance(30, &rng) {
            var t: [String] = []
            let ratios = ["warn_ratio": ["1.6", #""1.5""#], "warn_exit_ratio": ["1.7", #""1.8""#], "call_ratio": ["1.2", #""1.1""#, #""1.9""#],
                          "urgent_ratio": [#""1.1""#, "1.05"], "liquidation_ratio": [#""1.0""#, "1.02"]]
            for key in thresholdOrder where chance(30, &rng) {
                t.append(member(key, chance(85, &rng) ? pick(ratios[key] ?? ["1"], &rng) : pick(decimals, &rng)))
            }
            if chance(40, &rng) {
                t.append(member("call_deadline", pick([#""30m""#, #""90s""#, #""1h""#, #""250ms""#, "1800000", "0", "-1", "1.5e3", #""soon""#,
                                                       #""0s""#, "true", "null", #""5ms""#, "1e400", #""1e20h""#], &rng)))
            }
            top.append(member("thresholds", chance(95, &rng) ? object(t, &rng) : pick(["null", "[]", "1"], &rng)))
        }
        if chance(10, &rng) { top.append(member("equity", pick([#""5""#, "5", "1e400", #"{"a":[1,2,{"b":null}]}"#, #""\ud800""#], &rng))) }
        if chance(5, &rng) { top.append(member("level", #""none""#)) }
        if chance(3, &rng) { top.append(member(pick(["colateral", "zzz", "aaa", "Id"], &rng), "1")) }
        return object(top, &rng)
    }

    static let thresholdOrder = ["warn_ratio", "warn_exit_ratio", "call_ratio", "urgent_ratio", "liquidation_ratio"]

    /// Byte-level damage: flips, deletions, insertions of JSON-significant bytes, truncation.
    static func mutate(_ text: String, _ rng: inout Rng) -> [UInt8] {
        var b = Array(text.utf8)
        let significant: [UInt8] = Array(#"{}[]",:\"0123456789.eE-+ tfnu"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xFF]
        for _ in 0..<(1 + Int(rng.next() % 3)) where !b.isEmpty {
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 4 {
            case 0: b[i] = pick(significant, &rng)
            case 1: b.remove(at: i)
            case 2: b.insert(pick(significant, &rng), at: i)
            default: b = Array(b[..<i])
            }
        }
        return b
    }

    @Test func generatedAndMutatedDocumentsAgree() {
        var rng = Rng(state: 0x5EED_ACC7)
        var inputs: [[UInt8]] = []
        for _ in 0..<3000 {
            let doc = Self.account(&rng)
            inputs.append(Array(doc.utf8))
            if Self.chance(60, &rng) { inputs.append(Self.mutate(doc, &rng)) }
        }
        var accepted = 0
        for bytes in inputs { if case .account = Self.run(bytes, fast: false) { accepted += 1 } }
        let (count, failures) = Self.check(inputs)
        #expect(count >= 4000)
        #expect(accepted >= 300, "the generator should produce a fair share of valid accounts (\(accepted))")
        #expect(failures.isEmpty, "\(failures.count) differences:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    // MARK: - behaviour of the fast path itself

    @Test func manyPositionsBeyondTheScannerTape() throws {
        let positions = (0..<50).map { #"{"pair":"P\#($0)-USD","quantity":"\#($0 + 1)","entry_price":"\#(100 + $0).5"}"# }
        let text = #"{"id":"big","collateral":[{"asset":"USDC","amount":"1000000"}],"positions":["# + positions.joined(separator: ",") + "]}"
        let a = try AccountJSON.decode(text, universe: Self.universe)
        #expect(a.positions.count == 50)
        #expect(a.positions[49].pair == "P49-USD")
        #expect(a.positions[49].quantity.text == "50")
        #expect(a.positions[49].entryPrice.text == "149.5")
        #expect(a.collateral == [CollateralBalance(asset: "USDC", amount: VenueNumber(text: "1000000", value: 1_000_000))])
        #expect(Self.difference(Array(text.utf8)) == nil)
        // An error deep in a long array names the right element.
        let bad = text.replacingOccurrences(of: #""pair":"P47-USD""#, with: #""pair":"P47-USD","side":1"#)
        #expect(throws: AccountError(.unknownField, field: "positions[47].side", "unknown key; expected entry_price, option, pair, quantity")) {
            try AccountJSON.decode(bad, universe: Self.universe)
        }
    }

    @Test func jsonNumbersKeepTheirTextAsWritten() throws {
        let a = try AccountJSON.decode(#"{"id":"n","collateral":[{"asset":"BTC","amount":1.50}],"positions":[{"pair":"ETH-USD","quantity":-2E1,"entry_price":3000.0}]}"#,
                                       universe: Self.universe)
        #expect(a.collateral[0].amount == VenueNumber(text: "1.50", value: 1.5))
        #expect(a.positions[0].quantity == VenueNumber(text: "-2E1", value: -20))
        #expect(a.positions[0].entryPrice == VenueNumber(text: "3000.0", value: 3000))
    }

    @Test func escapedStringsAreDecoded() throws {
        let a = try AccountJSON.decode(#"{"\u0069d":"acct\u002d1","collateral":[{"asset":"\u0055SDC","amount":"\u0031.5"}],"positions":[{"pair":"BTC\u002DUSD","quantity":"1","entry_price":"2"}]}"#,
                                       universe: Self.universe)
        #expect(a.id == "acct-1")
        #expect(a.collateral[0].asset == "USDC")
        #expect(a.collateral[0].amount.text == "1.5")
        #expect(a.positions[0].pair == "BTC-USD")
        #expect(throws: AccountError(.invalidValue, field: "id", #""a\"b" may use only letters, digits and . _ : - (and not start with .), because it names spool files"#)) {
            try AccountJSON.decode(#"{"id":"a\"b"}"#, universe: Self.universe)
        }
    }

    @Test func unrepresentableNumbersAreMalformedAsBefore() {
        for text in [#"{"id":"a","equity":1e400}"#, #"{"id":"a","collateral":[{"asset":"BTC","amount":-1e999}]}"#, #"{"id":"\udc00"}"#] {
            #expect(throws: AccountError.self) { try AccountJSON.decode(text, universe: Self.universe, ignoring: Self.ignoring) }
            do {
                _ = try AccountJSON.decode(text, universe: Self.universe, ignoring: Self.ignoring)
            } catch {
                #expect(error.code == .malformedJSON, "\(text)")
            }
        }
    }
}

import Foundation

/// The byte-level account reader behind `AccountJSON.decode`.
///
/// `JSONSerialization` builds an `NSDictionary` tree, boxes every number and bridges every string:
/// about 10,000 accounts/s, which made it the bottleneck of a bulk import (SQLite alone takes
/// 158,000/s). This path validates the body once with `JSONScanner` and reads the few fields an
/// account has straight from the bytes, with the same rules, the same field paths and the same
/// messages as the Foundation reader it replaced (`decodeWithFoundation`, still used for the rare
/// bodies described below and kept as the reference of the differential test).
///
/// Where the two JSON readers could disagree on whether a body is JSON at all, Foundation decides:
/// - a body the scanner rejects (malformed, nested deeper than 64, UTF-16/32) goes to
///   `decodeWithFoundation`, so a malformed body gets Foundation's detailed message as before
///   and the odd encodings still read;
/// - a body with non-ASCII bytes (UTF-8 validity), a `\u` escape (lone surrogates) or a number
///   with an exponent or many digits (Foundation rejects numbers it cannot represent, such as
///   `1e400`) is first checked with `JSONSerialization`; if that rejects it, so do we, with
///   Foundation's message. These are rare in account files, so the common body never pays for it.
///
/// One deliberate difference: a decimal sent as a JSON number keeps its text exactly as written
/// ("1.50" stays "1.50"; Foundation's `NSNumber` turned it into "1.5" and `1e2` into "100.0"). The
/// value is the same `Double`; the text is what the store and the API echo back, which is the point
/// of `VenueNumber`.
extension AccountJSON {
    private static let collateralKeys = ["amount", "asset"]
    private static let positionKeys = ["entry_price", "option", "pair", "quantity"]
    private static let sortedThresholdKeys = thresholdKeys.sorted()

    /// What a key names, by its decoded text.
    private enum Key { case id, collateral, positions, thresholds, asset, amount, pair, quantity, entryPrice, option, other }

    /// Reads one account from `bytes`; nil when the body must go to `decodeWithFoundation`
    /// (see the type comment). Validation against the universe is the caller's job.
    static func decodeScanned(_ bytes: UnsafeBufferPointer<UInt8>,
                              ignoring extraKeys: Set<String>) -> Result<Account, AccountError>? {
        JSONScanner.withScanner(bytes) { (s: JSONScanner) -> Result<Account, AccountError>? in
            guard let root = try? s.document() else { return nil }
            if needsFoundationCheck(bytes) {
                // Foundation's verdict on JSON-ness; on rejection its own error message is the answer.
                guard (try? JSONSerialization.jsonObject(with: Data(bytes), options: [])) != nil else { return nil }
            }
            switch root.kind {
            case .object: break
            case .array:
                return .failure(AccountError(.wrongType, field: "", "expected a JSON object like {\"id\": \"acct-1\", \"collateral\": [], \"positions\": []}"))
            default:
                return nil   // a bare fragment: Foundation rejects it (fragments are not allowed) with its message
            }
            return Result { () throws(AccountError) -> Account in try parse(s, root, ignoring: extraKeys) }
        }
    }

    /// True when a body might be something `JSONSerialization` rejects although the scanner
    /// accepts it: a byte ≥ 0x80 (UTF-8 must be valid), a `\u` escape (a lone surrogate is an
    /// error there), or a number-like run with an exponent or more than 16 digits and dots (it
    /// may not be representable). Looks at bytes inside strings too, which only costs a check.
    @inline(__always)
    static func needsFoundationCheck(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = bytes.count
        guard let p = bytes.baseAddress else { return false }
        var run = 0
        var i = 0
        while i < n {
            let c = p[i]
            if c >= 0x80 { return true }
            if c &- UInt8(ascii: "0") < 10 || c == UInt8(ascii: ".") {
                run &+= 1
                if run > 16 { return true }
            } else {
                if c | 0x20 == UInt8(ascii: "e"), run > 0 { return true }
                if c == UInt8(ascii: "\\"), i &+ 1 < n, p[i &+ 1] == UInt8(ascii: "u") { return true }
                run = 0
            }
            i &+= 1
        }
        return false
    }

    // MARK: - walking the document (same order of checks as `parse(_ dict:)`)

    private static func parse(_ s: JSONScanner, _ root: JSONSpan, ignoring extraKeys: Set<String>) throws(AccountError) -> Account {
        var idValue: JSONSpan?, collateralValue: JSONSpan?, positionsValue: JSONSpan?, thresholdsValue: JSONSpan?
        var unknown: [String] = []
        // A repeated key keeps its last value, as `JSONSerialization` does.
        s.forEachMember(of: root) { k, v in
            switch key(s, k) {
            case .id: idValue = v
            case .collateral: collateralValue = v
            case .positions: positionsValue = v
            case .thresholds: thresholdsValue = v
            default:
                let name = s.text(of: k)
                if !extraKeys.contains(name) { unknown.append(name) }
            }
            return true
        }
        if let key = unknown.sorted().first {
            throw AccountError(.unknownField, field: key, "unknown key; expected id, collateral, positions, thresholds")
        }
        guard let idValue else { throw AccountError(.missingField, field: "id", "missing; every account needs an id") }
        guard idValue.kind == .string else { throw AccountError(.wrongType, field: "id", "must be a string") }
        let id = s.text(of: idValue)

        var collateral: [CollateralBalance] = []
        try forEachItem(s, collateralValue, field: "collateral") { (i, item) throws(AccountError) in
            // Field paths are built only for an error: formatting them per item cost more than the item.
            func f() -> String { "collateral[\(i)]" }
            var asset: JSONSpan?, amount: JSONSpan?
            try members(s, item, field: f(), expected: collateralKeys) { k, v in
                switch k {
                case .asset: asset = v; return true
                case .amount: amount = v; return true
                default: return false
                }
            }
            collateral.append(CollateralBalance(asset: try string(s, asset, field: f() + ".asset"),
                                                amount: try decimal(s, amount, field: f() + ".amount")))
        }
        var positions: [Position] = []
        try forEachItem(s, positionsValue, field: "positions") { (i, item) throws(AccountError) in
            func f() -> String { "positions[\(i)]" }
            var pair: JSONSpan?, quantity: JSONSpan?, entry: JSONSpan?, option: JSONSpan?
            try members(s, item, field: f(), expected: positionKeys) { k, v in
                switch k {
                case .pair: pair = v; return true
                case .quantity: quantity = v; return true
                case .entryPrice: entry = v; return true
                case .option: option = v; return true
                default: return false
                }
            }
            let q = try decimal(s, quantity, field: f() + ".quantity")
            let e = try decimal(s, entry, field: f() + ".entry_price")
            if let option, !option.isNull {
                let contract: OptionContract
                do throws(OptionError) { contract = try OptionContract.decode(s, option, field: f() + ".option") } catch {
                    throw AccountError(option: error)
                }
                var named: String?
                if let pair, !pair.isNull { named = s.text(of: pair) }
                positions.append(try optionPosition(contract, pair: named, quantity: q, entryPrice: e, field: f()))
            } else {
                positions.append(Position(pair: try string(s, pair, field: f() + ".pair"), quantity: q, entryPrice: e))
            }
        }
        var thresholds: ThresholdOverrides?
        if let raw = thresholdsValue, !raw.isNull {
            thresholds = try parseThresholds(s, raw)
        }
        return Account(id: id, collateral: collateral, positions: positions, thresholds: thresholds)
    }

    private static func parseThresholds(_ s: JSONScanner, _ raw: JSONSpan) throws(AccountError) -> ThresholdOverrides? {
        let expected = sortedThresholdKeys
        guard raw.kind == .object else {
            throw AccountError(.wrongType, field: "thresholds", "must be an object with keys \(expected.joined(separator: ", "))")
        }
        var values = [JSONSpan?](repeating: nil, count: thresholdKeys.count)
        var unknown: [String] = []
        s.forEachMember(of: raw) { k, v in
            let name = s.text(of: k)
            if let index = thresholdKeys.firstIndex(of: name) { values[index] = v } else { unknown.append(name) }
            return true
        }
        if let key = unknown.sorted().first {
            throw AccountError(.unknownField, field: "thresholds.\(key)", "unknown key; expected \(expected.joined(separator: ", "))")
        }
        func ratio(_ index: Int) throws(AccountError) -> Double? {
            guard let v = values[index], !v.isNull else { return nil }
            return try decimal(s, v, field: "thresholds." + thresholdKeys[index]).value
        }
        var t = ThresholdOverrides()
        t.warnRatio = try ratio(0)
        t.warnExitRatio = try ratio(1)
        t.callRatio = try ratio(2)
        t.urgentRatio = try ratio(3)
        t.liquidationRatio = try ratio(4)
        if let v = values[5], !v.isNull {
            t.callDeadlineMs = try duration(s, v, field: "thresholds.call_deadline")
        }
        return t.isEmpty ? nil : t
    }

    // MARK: - pieces

    /// Classifies a key without allocating when it has no escapes (every real key).
    @inline(__always)
    private static func key(_ s: JSONScanner, _ k: JSONSpan) -> Key {
        if k.hasEscapes {
            switch s.text(of: k) {
            case "id": return .id
            case "collateral": return .collateral
            case "positions": return .positions
            case "thresholds": return .thresholds
            case "asset": return .asset
            case "amount": return .amount
            case "pair": return .pair
            case "quantity": return .quantity
            case "entry_price": return .entryPrice
            case "option": return .option
            default: return .other
            }
        }
        switch k.end &- k.start {
        case 2: return s.string(k, equals: "id") ? .id : .other
        case 4: return s.string(k, equals: "pair") ? .pair : .other
        case 5: return s.string(k, equals: "asset") ? .asset : .other
        case 6:
            if s.string(k, equals: "amount") { return .amount }
            return s.string(k, equals: "option") ? .option : .other
        case 8: return s.string(k, equals: "quantity") ? .quantity : .other
        case 9: return s.string(k, equals: "positions") ? .positions : .other
        case 10:
            if s.string(k, equals: "collateral") { return .collateral }
            return s.string(k, equals: "thresholds") ? .thresholds : .other
        case 11: return s.string(k, equals: "entry_price") ? .entryPrice : .other
        default: return .other
        }
    }

    /// Each element of an optional array field (absent or null: none), as `array(_:field:)`.
    @inline(__always)
    private static func forEachItem(_ s: JSONScanner, _ value: JSONSpan?, field: String,
                                    _ body: (Int, JSONSpan) throws(AccountError) -> Void) throws(AccountError) {
        guard let value, !value.isNull else { return }
        guard value.kind == .array else { throw AccountError(.wrongType, field: field, "must be an array") }
        try s.forEachElement(of: value) { (i, item) throws(AccountError) -> Bool in
            try body(i, item)
            return true
        }
    }

    /// The members of an item object; `take` keeps the known ones (returning false for others),
    /// and the alphabetically first unknown key is an error, as in `object(_:field:keys:)`.
    @inline(__always)
    private static func members(_ s: JSONScanner, _ item: JSONSpan, field: @autoclosure () -> String, expected: [String],
                                _ take: (Key, JSONSpan) -> Bool) throws(AccountError) {
        guard item.kind == .object else {
            throw AccountError(.wrongType, field: field(), "must be an object with keys \(expected.joined(separator: ", "))")
        }
        var unknown: [String] = []
        s.forEachMember(of: item) { k, v in
            if !take(key(s, k), v) { unknown.append(s.text(of: k)) }
            return true
        }
        if let key = unknown.sorted().first {
            throw AccountError(.unknownField, field: "\(field()).\(key)", "unknown key; expected \(expected.joined(separator: ", "))")
        }
    }

    private static func string(_ s: JSONScanner, _ v: JSONSpan?, field: @autoclosure () -> String) throws(AccountError) -> String {
        guard let v, !v.isNull else { throw AccountError(.missingField, field: field(), "missing") }
        guard v.kind == .string else { throw AccountError(.wrongType, field: field(), "must be a string") }
        return s.text(of: v)
    }

    /// As `decimal(_:field:)`, except that a JSON number keeps its text as written.
    private static func decimal(_ s: JSONScanner, _ v: JSONSpan?, field: @autoclosure () -> String) throws(AccountError) -> VenueNumber {
        guard let v, !v.isNull else { throw AccountError(.missingField, field: field(), "missing") }
        let text: String
        switch v.kind {
        case .string: text = trimmed(s, v)
        case .number: text = s.text(of: v)
        default: throw AccountError(.wrongType, field: field(), "must be a decimal string like \"0.5\"")
        }
        guard let number = VenueNumber(text), number.value.isFinite else {
            throw AccountError(.invalidDecimal, field: field(), "\(JSONString.quoted(text)) is not a finite decimal; write e.g. \"0.5\"")
        }
        return number
    }

    /// A string's text with `.whitespaces` trimmed; Foundation's trimming only runs when the
    /// text starts or ends with a space, a tab or a non-ASCII byte (which may be a Unicode space).
    @inline(__always)
    private static func trimmed(_ s: JSONScanner, _ v: JSONSpan) -> String {
        let text = s.text(of: v)
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        func plain(_ c: UInt8) -> Bool { c > 0x20 && c < 0x80 }
        if plain(first), plain(last) { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// As `duration(_:field:)`: a unit string, or a JSON number of milliseconds.
    private static func duration(_ s: JSONScanner, _ v: JSONSpan, field: String) throws(AccountError) -> Int64 {
        switch v.kind {
        case .number:
            let bad = AccountError(.invalidValue, field: field, "expected a positive duration like \"30m\", \"90s\", \"1h\" or \"250ms\"")
            guard let d = Double(s.text(of: v)), d.isFinite, d > 0, d < 1e15 else { throw bad }
            return Int64(d)
        case .string:
            return try duration(s.text(of: v), field: field)
        default:
            return try duration(NSNull(), field: field)   // the same "expected a positive duration" error
        }
    }
}

/// The JSON form of a contract, as an account position carries it:
/// `{"option": {"underlying": "BTC-USD", "right": "call", "strike": "60000", "expiry": "2026-12-25T08:00:00Z"}}`
/// or `{"option": "BTC-25DEC26-60000-C"}`. Read with the byte scanner (no Foundation decoder), and
/// strict: an unknown key inside the option object is an error, since a misspelt `"strik"` silently
/// ignored would value a different contract.
extension OptionContract {
    static let jsonKeys = ["expiry", "right", "strike", "underlying"]

    /// Decodes a document whose root has an `option` member (other members are left to the caller).
    public static func decodeJSON(_ text: String) throws(OptionError) -> OptionContract {
        var bytes = Array(text.utf8)
        let result: Result<OptionContract, OptionError> = bytes.withUnsafeMutableBufferPointer { buf in
            let scanner = JSONScanner(UnsafeBufferPointer(buf))
            let root: JSONSpan
            do { root = try scanner.document() } catch {
                return .failure(OptionError(.malformed, field: "", "not valid JSON (\(error)); write {\"option\": {...}}"))
            }
            guard root.kind == .object, let value = scanner.member("option", of: root) else {
                return .failure(OptionError(.missingField, field: "option",
                                            "missing; write {\"option\": {\"underlying\": \"BTC-USD\", \"right\": \"call\", \"strike\": \"60000\", \"expiry\": \"2026-12-25T08:00:00Z\"}}"))
            }
            return Result { () throws(OptionError) -> OptionContract in try decode(scanner, value, field: "option") }
        }
        return try result.get()
    }

    /// Decodes the value of an `option` member found by a scanner: an object of the four fields, or a
    /// venue-style name string. `field` is the path used in errors (`positions[3].option`).
    public static func decode(_ s: JSONScanner, _ value: JSONSpan, field: String) throws(OptionError) -> OptionContract {
        if value.kind == .string {
            return try OptionContract(venueName: s.text(of: value), field: field)
        }
        guard value.kind == .object else {
            throw OptionError(.invalidValue, field: field, "must be an object with underlying, right, strike, expiry, or a name like \"BTC-25DEC26-60000-C\"")
        }
        var fields: [String: String] = [:]
        var failure: OptionError?
        s.forEachMember(of: value) { k, v in
            let key = s.text(of: k)
            guard jsonKeys.contains(key) else {
                failure = OptionError(.unknownField, field: "\(field).\(key)", "unknown key; an option has \(jsonKeys.joined(separator: ", "))")
                return false
            }
            guard v.kind == .string else {
                failure = OptionError(.invalidValue, field: "\(field).\(key)", "must be a string (decimals travel as text: \"60000\")")
                return false
            }
            fields[key] = s.text(of: v)
            return true
        }
        if let failure { throw failure }
        for key in ["underlying", "right", "strike", "expiry"] where fields[key] == nil {
            throw OptionError(.missingField, field: "\(field).\(key)", "missing; an option needs underlying, right, strike and expiry")
        }
        return try OptionContract(underlying: fields["underlying"]!, right: fields["right"]!, strike: fields["strike"]!,
                                  expiry: fields["expiry"]!, fieldPrefix: field)
    }
}

/// Why an account document was rejected. The message names the field by its JSON path
/// (`positions[1].pair`) and says what would be accepted instead.
public struct AccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of mistake, for tests and for mapping to an HTTP status: `outOfRange` (a number
    /// outside its sane bounds) and `inconsistent` (thresholds that parse but cannot be ordered)
    /// are 422 Unprocessable Content; the rest are 400s.
    public enum Code: String, Sendable, Equatable {
        case malformedJSON, missingField, unknownField, wrongType, invalidDecimal, invalidValue,
             unknownAsset, unknownPair, duplicate, outOfRange, inconsistent
    }

    /// 422 for well-formed values the model refuses (`outOfRange`, `inconsistent`), 400 otherwise.
    public var httpStatus: Int {
        switch code {
        case .outOfRange, .inconsistent: 422
        default: 400
        }
    }

    public var code: Code
    /// JSON path of the offending field (`""` for the document itself).
    public var field: String
    public var message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

extension AccountError {
    /// An option contract's error inside an account document, with its field path kept
    /// (`positions[2].option.strike`).
    init(option e: OptionError) {
        let code: Code
        switch e.code {
        case .malformed, .invalidValue: code = .invalidValue
        case .missingField: code = .missingField
        case .unknownField: code = .unknownField
        case .nonFinite: code = .invalidDecimal
        case .outOfRange: code = .outOfRange
        }
        self.init(code, field: e.field, e.message)
    }
}

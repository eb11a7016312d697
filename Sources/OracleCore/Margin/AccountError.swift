/// Why an account document was rejected. The message names the field by its JSON path
/// (`positions[1].pair`) and says what would be accepted instead.
public struct AccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of mistake, for tests and for mapping to an HTTP status (all are 400s).
    public enum Code: String, Sendable, Equatable {
        case malformedJSON, missingField, unknownField, wrongType, invalidDecimal, invalidValue,
             unknownAsset, unknownPair, duplicate
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

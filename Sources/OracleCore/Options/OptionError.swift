/// Why an option contract, a valuation input or a grid was refused. The message names the field
/// (`option.strike`, `--vol`, `forward`) and says what would be accepted, so a desk can fix the
/// input without reading code; `code` is what tests and the API match on.
public struct OptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `malformed`: not parseable at all (bad JSON, unknown name shape); `missingField`;
    /// `invalidValue`: parses but is not a legal value (a right of "straddle", strike "abc");
    /// `nonFinite`: NaN or ±∞ reached a price input; `outOfRange`: finite but absurd
    /// (negative vol, a forward of 0, a rate of 300 %).
    public enum Code: String, Sendable, Equatable {
        case malformed, missingField, unknownField, invalidValue, nonFinite, outOfRange
    }

    public var code: Code
    /// The field or option the problem is in (`option.expiry`, `--forward`); `""` for the whole input.
    public var field: String
    public var message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// Why a body is not JSON the scanner accepts, and where the problem starts.
///
/// The offset lets an operator find the fault in a captured body; the reason is what the
/// venue error message says ("truncated at byte 120" usually means a cut-off transfer).
public struct JSONScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        case empty = "empty body"
        case truncated = "truncated"
        case unexpectedByte = "unexpected byte"
        case badEscape = "bad string escape"
        case controlCharacter = "raw control character in string"
        case badNumber = "malformed number"
        case badLiteral = "malformed literal"
        case tooDeep = "nesting too deep"
        case trailingBytes = "bytes after the JSON value"
    }

    public var reason: Reason
    /// Byte offset into the body where scanning stopped.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason.rawValue) at byte \(offset)" }
}

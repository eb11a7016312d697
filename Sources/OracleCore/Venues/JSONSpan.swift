/// One JSON value inside a body, as a byte range rather than a decoded tree.
///
/// Venue parsers need three or four fields out of a body; building a tree (or running
/// `JSONDecoder`) would cost microseconds per response. A `JSONSpan` is only meaningful
/// together with the `JSONScanner` (and so the bytes) it came from.
public struct JSONSpan: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, Equatable {
        case object, array, string, number, `true`, `false`, null
    }

    public var kind: Kind
    /// For a string the first byte after the opening quote; otherwise the value's first byte.
    public var start: Int
    /// For a string the index of the closing quote; otherwise one past the value's last byte.
    /// For an object or array found by a lookup it is `JSONSpan.unresolved`: lookups do not
    /// skip a container they only hand out, so descending into `result.list[0]` costs nothing
    /// until something needs the end (`JSONScanner.byteEnd(of:)`, `text(of:)` resolve it).
    public var end: Int
    /// For a string: whether it contains a backslash escape (then its text must be decoded).
    public var hasEscapes: Bool

    /// The `end` of a container whose extent has not been computed yet.
    public static let unresolved = -1

    public init(kind: Kind, start: Int, end: Int, hasEscapes: Bool = false) {
        self.kind = kind
        self.start = start
        self.end = end
        self.hasEscapes = hasEscapes
    }

    /// True for `null`; venues use it for "no value".
    public var isNull: Bool { kind == .null }
    /// True for `""` — OKX and others send an empty string for an empty book side.
    public var isEmptyString: Bool { kind == .string && start == end }
}

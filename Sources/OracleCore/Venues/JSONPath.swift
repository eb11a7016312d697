/// A dotted path into a JSON body (`data.0.last`, `result.list.0.bid1Price`), parsed once.
///
/// Numeric segments index arrays; on an object they are ordinary keys, so a venue that
/// keys a map by "0" still works.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public struct Segment: Sendable, Equatable {
        public var key: String
        /// The segment as an array index, when it is a non-negative decimal integer.
        public var index: Int?
    }

    public var segments: [Segment]

    /// Splits on "."; an empty path addresses the root. Empty segments ("a..b") never match.
    public init(_ dotted: String) {
        if dotted.isEmpty {
            segments = []
            return
        }
        segments = dotted.split(separator: ".", omittingEmptySubsequences: false).map { part in
            let digitsOnly = !part.isEmpty && part.utf8.count <= 9 && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            return Segment(key: String(part), index: digitsOnly ? Int(part) : nil)
        }
    }

    public var description: String { segments.map(\.key).joined(separator: ".") }
}

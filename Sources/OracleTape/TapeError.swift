/// A tape that cannot be read: names the file and the byte offset, and what to do.
public struct TapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// Missing, unreadable, or not writable.
        case io
        /// Not a tape: the first bytes are not `ORCLTAPE`.
        case badMagic = "bad_magic"
        /// A tape of a version this build does not read.
        case badVersion = "bad_version"
        /// Shorter than the 12-byte header.
        case truncatedHeader = "truncated_header"
        /// A record that fails its checksum or does not decode, with more data after it.
        case corrupt
    }

    public var code: Code
    /// The tape's path ("" for bytes decoded in memory).
    public var path: String
    /// Byte offset of the header or record at fault.
    public var offset: Int
    public var message: String

    public init(_ code: Code, path: String, offset: Int, _ message: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "tape" : path): offset \(offset): \(message)" }
}

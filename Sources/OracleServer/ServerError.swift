/// Why the Unix-socket server could not start (or stopped), with the path, the failing call and
/// what to do, because an operator reads it in the journal.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; tests match on it, people read `message`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case socketInUse, pathNotSocket, pathTooLong, directoryFailed, bindFailed, permissionsFailed, alreadyStarted
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Another process answers on the socket path; it was left untouched.
        public static let socketInUse = Code(.socketInUse)
        /// Something that is not a socket exists at the path; it was left untouched.
        public static let pathNotSocket = Code(.pathNotSocket)
        /// The path does not fit in `sockaddr_un.sun_path` (107 bytes on Linux).
        public static let pathTooLong = Code(.pathTooLong)
        /// The socket's parent directory is missing and could not be created, or a stale socket could not be removed.
        public static let directoryFailed = Code(.directoryFailed)
        /// `bind`/`listen` failed.
        public static let bindFailed = Code(.bindFailed)
        /// `chmod` of the freshly bound socket failed.
        public static let permissionsFailed = Code(.permissionsFailed)
        /// `start()` was called twice, or after `shutdown()`: make a new server.
        public static let alreadyStarted = Code(.alreadyStarted)

        public var description: String { "\(value)" }
    }

    /// Kind of failure.
    public var code: Code
    /// A sentence naming the path and the fix.
    public var message: String
    /// The underlying error (an `IOError`, an errno description), if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(code: Code, message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}

/// A failure talking to oracled, worded for the operator: what failed, on which socket, what to do.
///
/// `kind` lets a caller that retries (`oraclectl calls --follow` across a daemon restart) tell "no
/// daemon there right now" and "it stopped answering" from "it answered something that is not HTTP".
public struct ClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The socket could not be reached (no daemon, wrong path, permission).
        case connect
        /// No byte moved for the configured timeout.
        case timeout
        /// The connection broke or closed in the middle of a reply.
        case io
        /// The peer answered something that is not HTTP/1.1 as oracled speaks it.
        case `protocol`
        /// Anything else the caller reports (a file it could not read, a bad argument).
        case other
    }

    public var kind: Kind
    public var description: String

    public init(_ description: String, kind: Kind = .other) {
        self.description = description
        self.kind = kind
    }
}

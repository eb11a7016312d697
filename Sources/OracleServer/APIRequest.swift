/// One complete HTTP request as the daemon's `APIHandler` sees it: framing is gone, the body is
/// whole (and within `ServerLimits.maxBodyBytes`), and the peer's kernel-verified identity is attached.
public struct APIRequest: Sendable {
    /// Method as sent, upper case (`GET`, `PUT`, …).
    public var method: String
    /// Percent-decoded path without the query (`/v1/prices/BTC-USD`).
    public var path: String
    /// The path exactly as sent, still percent-encoded, for routes that must split on `/` first.
    public var rawPath: String
    /// Query parameters, percent-decoded, `+` read as space; a repeated key keeps its last value.
    public var query: [String: String]
    /// Header fields in arrival order, names as sent.
    public var headers: [(String, String)]
    /// The whole body (empty for none).
    public var body: [UInt8]
    /// The connecting process's pid/uid/gid from `SO_PEERCRED`; `nil` only if the kernel refused.
    public var peer: PeerCredentials?

    /// Creates a request (tests of the daemon's router build these without a socket).
    public init(
        method: String,
        path: String,
        rawPath: String? = nil,
        query: [String: String] = [:],
        headers: [(String, String)] = [],
        body: [UInt8] = [],
        peer: PeerCredentials? = nil
    ) {
        self.method = method
        self.path = path
        self.rawPath = rawPath ?? path
        self.query = query
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// The first value of header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }
}

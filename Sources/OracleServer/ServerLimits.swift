/// Resource limits the server enforces on every client, so one bad or slow client cannot
/// exhaust memory, file descriptors or the event loop.
public struct ServerLimits: Sendable, Equatable {
    /// Largest request head (request line plus all header names and values) in bytes.
    /// A larger head is answered `431 Request Header Fields Too Large` and the connection closed.
    public var maxHeaderBytes: Int
    /// Largest request body in bytes (1 MiB is ample for an accounts import of thousands of lines).
    /// A larger body is answered `413 Content Too Large` and the connection closed.
    public var maxBodyBytes: Int
    /// Most request-body bytes buffered across all connections at once. `maxBodyBytes` bounds one
    /// client; this bounds the sum, so many clients uploading large bodies together cannot exhaust
    /// memory. A body that would exceed it is answered `503` (retry later) and the connection closed.
    public var maxTotalBodyBytes: Int
    /// Most connections open at once; a connection accepted beyond this is closed immediately,
    /// which bounds file descriptors and per-connection memory.
    public var maxConnections: Int
    /// How long the server waits for a client to deliver one complete request, counted from the
    /// moment it starts waiting (connection accepted, or previous response finished).
    /// It covers both an idle keep-alive connection and a slow client that trickles bytes;
    /// on expiry the connection is closed. It is not armed while the server is answering, so a
    /// long-lived streaming response is never cut by it.
    public var requestTimeout: Duration

    /// Creates limits; the defaults suit a local control socket.
    public init(
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 1024 * 1024,
        maxConnections: Int = 512,
        requestTimeout: Duration = .seconds(30),
        maxTotalBodyBytes: Int = 64 * 1024 * 1024
    ) {
        self.maxTotalBodyBytes = maxTotalBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
        self.requestTimeout = requestTimeout
    }
}

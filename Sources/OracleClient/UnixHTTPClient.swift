/// A small blocking HTTP/1.1 client for oracled's Unix socket: one request per connection
/// (`Connection: close`), bodies framed by `Content-Length`, chunked (the `watch` stream) or the close.
///
/// Shared by `oraclectl`, the end-to-end tests and the server tests, so all three read replies the
/// same way. Raw POSIX on purpose: the CLI must work on a box with nothing but the binary.
public struct UnixHTTPClient: Sendable {
    public var endpoint: ClientEndpoint
    /// Seconds any one read or write may wait; nil waits for ever.
    public var timeout: Double?
    /// Sent as `User-Agent`, so the daemon's log tells the CLI from a script.
    public var userAgent: String
    /// Appended to "cannot connect" errors: what the operator should check.
    public var connectHint: String

    public init(endpoint: ClientEndpoint, timeout: Double? = 30, userAgent: String = "oracle-client",
                connectHint: String = "is oracled running?") {
        self.endpoint = endpoint
        self.timeout = timeout
        self.userAgent = userAgent
        self.connectHint = connectHint
    }

    public init(socketPath: String, timeout: Double? = 30) {
        self.init(endpoint: .unix(path: socketPath), timeout: timeout)
    }

    /// Sends one request and reads the whole reply. A `body` (even empty) is sent with its length;
    /// `timeout` overrides the client's for this request (a large import).
    public func send(_ method: String, _ target: String, body: [UInt8]? = nil, contentType: String? = nil,
                     timeout override: Double? = nil) throws(ClientError) -> HTTPReply {
        let conn = try RawConnection(endpoint: endpoint, timeout: override ?? timeout, connectHint: connectHint)
        try conn.write(requestBytes(method, target, body: body, contentType: contentType))
        return try conn.readResponse()
    }

    /// Sends a GET and calls `onLine` for each complete non-empty line of a streamed body as it
    /// arrives (chunked or close-delimited). A non-2xx answer is returned whole instead: its body is the error.
    public func streamLines(_ target: String, onLine: (String) -> Void) throws(ClientError) -> HTTPReply {
        let conn = try RawConnection(endpoint: endpoint, timeout: timeout, connectHint: connectHint)
        try conn.write(requestBytes("GET", target, body: nil, contentType: nil))
        let head = try conn.readHead()
        guard head.isSuccess else { return try conn.readBody(of: head) }
        var pending: [UInt8] = []
        func emit(_ bytes: [UInt8]) {
            pending += bytes
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                if !line.isEmpty { onLine(line) }
            }
        }
        if head.header("transfer-encoding")?.lowercased() == "chunked" {
            while let chunk = try conn.readChunk() { emit(chunk) }
        } else {
            while let bytes = try conn.readSome() { emit(bytes) }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
        return head
    }

    /// The request head (and body) as bytes.
    public func requestBytes(_ method: String, _ target: String, body: [UInt8]?, contentType: String?) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: \(userAgent)\r\nAccept: application/json\r\nConnection: close\r\n"
        if let body {
            head += "Content-Length: \(body.count)\r\n"
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
        }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }
}

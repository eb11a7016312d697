#if canImport(Glibc)
import Glibc
#endif

/// One connected stream socket with a read buffer, and the HTTP/1.1 reading every client here needs:
/// the head, a chunk, a whole response (`Content-Length`, chunked, or until close).
///
/// Public so tests can send exactly the bytes they want — half a request, a broken request line —
/// and read exactly what comes back; `UnixHTTPClient` builds ordinary requests on top of it.
/// Blocking and POSIX only: no event loop, so `oraclectl` stays a small binary.
///
/// `@unchecked Sendable`: a connection may be handed to another thread, but is used by one at a time.
public final class RawConnection: @unchecked Sendable {
    public let fd: Int32
    public let endpoint: ClientEndpoint
    /// Seconds any one read or write may wait; nil waits for ever (a `watch` stream).
    public private(set) var timeout: Double?
    private var buffer: [UInt8] = []

    /// Connects; with a `timeout`, every later read or write gives up after that many seconds.
    public init(endpoint: ClientEndpoint, timeout: Double? = nil, connectHint: String = "is oracled running?") throws(ClientError) {
        self.endpoint = endpoint
        self.timeout = timeout
        fd = try Self.connect(endpoint, hint: connectHint)
        if let timeout, timeout > 0 { setTimeout(timeout) }
    }

    /// Changes how long each later read or write may wait (a test polling many stalled uploads
    /// gives each only a moment).
    public func setTimeout(_ seconds: Double) {
        timeout = seconds
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A Unix-socket connection (the common case).
    public convenience init(path: String, timeout: Double? = 5) throws(ClientError) {
        try self.init(endpoint: .unix(path: path), timeout: timeout)
    }

    deinit { Glibc.close(fd) }

    // MARK: Writing

    /// Writes all of `bytes`; false if the peer closed first, failed or timed out (some tests expect that).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        (try? write(bytes)) == true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Writes all of `bytes`. Returns false when the peer closed early (it may have answered already,
    /// e.g. 413 to a large body: the read that follows reports it); throws on anything else.
    @discardableResult
    public func write(_ bytes: [UInt8]) throws(ClientError) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let err = errno
                if err == EPIPE || err == ECONNRESET { return false }
                if err == EAGAIN || err == EWOULDBLOCK { throw timedOut("sending to") }
                throw ClientError("cannot send to \(endpoint): \(Self.describe(err))", kind: .io)
            }
            offset += n
        }
        return true
    }

    // MARK: Reading

    /// Whatever arrives next (buffered bytes first); nil at end of stream.
    public func readSome() throws(ClientError) -> [UInt8]? {
        if !buffer.isEmpty {
            defer { buffer = [] }
            return buffer
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                let err = errno
                if err == EAGAIN || err == EWOULDBLOCK { throw timedOut("waiting for an answer from") }
                if err == ECONNRESET { return nil }
                throw ClientError("connection to \(endpoint) failed: \(Self.describe(err))", kind: .io)
            }
            return n == 0 ? nil : Array(chunk[..<n])
        }
    }

    /// True once the peer has closed the connection; false if data arrives or the timeout passes first.
    public func waitForClose() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        return n == 0 || (n < 0 && errno == ECONNRESET)
    }

    /// A status line and headers, skipping interim 1xx answers.
    public func readHead() throws(ClientError) -> HTTPReply {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                throw ClientError("\(endpoint) answered something that is not HTTP (\(statusLine.prefix(40))); is it oracled's socket?",
                                  kind: .protocol)
            }
            var headers: [(String, String)] = []
            while true {
                let line = try readLine()
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else {
                    throw ClientError("\(endpoint) sent a header line without a colon: \(line.prefix(60))", kind: .protocol)
                }
                headers.append((String(line[..<colon]), Self.trimmed(line[line.index(after: colon)...])))
            }
            if (100..<200).contains(status) { continue }
            return HTTPReply(status: status, headers: headers, body: [])
        }
    }

    /// One chunk of a chunked body; nil after the terminating zero-size chunk (trailers skipped).
    public func readChunk() throws(ClientError) -> [UInt8]? {
        let sizeLine = try readLine()
        guard let size = Int(Self.trimmed(sizeLine.split(separator: ";", omittingEmptySubsequences: false).first ?? ""), radix: 16),
              size >= 0 else {
            throw ClientError("bad chunk size line \"\(sizeLine.prefix(20))\" from \(endpoint)", kind: .protocol)
        }
        if size == 0 {
            while try !readLine().isEmpty {}
            return nil
        }
        let data = try readExactly(size)
        guard try readLine().isEmpty else {
            throw ClientError("chunk of \(size) bytes from \(endpoint) is not followed by CRLF", kind: .protocol)
        }
        return data
    }

    /// The body that follows `head`: chunked, `Content-Length`, or everything until the peer closes.
    public func readBody(of head: HTTPReply) throws(ClientError) -> HTTPReply {
        var reply = head
        if head.header("transfer-encoding")?.lowercased() == "chunked" {
            while let chunk = try readChunk() { reply.body += chunk }
        } else if let text = head.header("content-length") {
            guard let length = Int(text), length >= 0 else {
                throw ClientError("bad Content-Length \"\(text.prefix(20))\" from \(endpoint)", kind: .protocol)
            }
            reply.body = try readExactly(length)
        } else {
            while let more = try readSome() { reply.body += more }
        }
        return reply
    }

    /// One whole response.
    public func readResponse() throws(ClientError) -> HTTPReply {
        try readBody(of: readHead())
    }

    /// One line without its CRLF (or bare LF).
    public func readLine() throws(ClientError) -> String {
        while true {
            if let i = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<i])
                buffer.removeSubrange(...i)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if buffer.count > 64 * 1024 {
                throw ClientError("reply from \(endpoint) has a line longer than 64 KiB; is it oracled?", kind: .protocol)
            }
            try fill()
        }
    }

    public func readExactly(_ count: Int) throws(ClientError) -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return out
    }

    private func fill() throws(ClientError) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw timedOut("waiting for an answer from") }
            guard n > 0 else {
                throw ClientError("\(endpoint) closed the connection in the middle of a reply (after \(buffer.count) buffered bytes); check oracled's log",
                                  kind: .io)
            }
            buffer += chunk[..<n]
            return
        }
    }

    // MARK: Helpers

    private func timedOut(_ doing: String) -> ClientError {
        ClientError("timed out after \(timeout.map { "\($0)" } ?? "?") s \(doing) \(endpoint); is oracled overloaded or stopped (SIGSTOP)?",
                    kind: .timeout)
    }

    static func describe(_ err: Int32) -> String {
        guard let text = strerror(err) else { return "errno \(err)" }
        return String(cString: text)
    }

    static func trimmed(_ s: Substring) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    private static func connect(_ endpoint: ClientEndpoint, hint: String) throws(ClientError) -> Int32 {
        switch endpoint {
        case .unix(let path):
            // sun_path holds 108 bytes including the terminating NUL.
            guard !path.isEmpty, path.utf8.count <= 107 else {
                throw ClientError("cannot connect to \(path.isEmpty ? "\"\"" : path): a socket path must be 1 to 107 bytes — choose a shorter one",
                                  kind: .connect)
            }
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw ClientError("cannot create a socket: \(describe(errno))", kind: .connect) }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = b }
                raw[bytes.count] = 0
            }
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard rc == 0 else {
                let err = errno
                Glibc.close(fd)
                throw ClientError("cannot connect to \(path): \(describe(err)) — \(hint)", kind: .connect)
            }
            return fd
        case .loopback(let port):
            guard (1...65_535).contains(port) else { throw ClientError("port \(port) is not in 1…65535", kind: .connect) }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw ClientError("cannot create a socket: \(describe(errno))", kind: .connect) }
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else {
                let err = errno
                Glibc.close(fd)
                throw ClientError("cannot connect to 127.0.0.1:\(port): \(describe(err)) — \(hint)", kind: .connect)
            }
            return fd
        }
    }
}

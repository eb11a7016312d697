#if canImport(Glibc)
import Glibc
#endif

/// One HTTP answer from oracled.
struct HTTPReply {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// A minimal blocking HTTP/1.1 client for oracled's Unix socket.
///
/// Raw POSIX on purpose: the CLI must work on a box with nothing but the binary, and one request
/// per connection (`Connection: close`) keeps it simple. It understands `Content-Length`,
/// chunked bodies (the `watch` stream) and close-delimited bodies.
struct UnixHTTPClient {
    let socketPath: String

    /// Sends one request and reads the whole reply.
    func send(_ method: String, _ target: String, body: [UInt8]? = nil, contentType: String? = nil) throws(ClientError) -> HTTPReply {
        let conn = try open()
        defer { close(conn.fd) }
        try conn.write(requestBytes(method, target, body: body, contentType: contentType))
        var reply = try conn.readHead()
        if reply.header("transfer-encoding")?.lowercased() == "chunked" {
            while let chunk = try conn.readChunk() { reply.body += chunk }
        } else if let length = reply.header("content-length").flatMap({ Int($0) }) {
            reply.body = try conn.readExactly(length)
        } else {
            reply.body = try conn.readToEnd()
        }
        return reply
    }

    /// Sends a GET and calls `onLine` for each complete line of a streamed body as it arrives.
    /// A non-2xx answer is returned whole instead (its body is the error).
    func streamLines(_ target: String, onLine: (String) -> Void) throws(ClientError) -> HTTPReply {
        let conn = try open()
        defer { close(conn.fd) }
        try conn.write(requestBytes("GET", target, body: nil, contentType: nil))
        var reply = try conn.readHead()
        let chunked = reply.header("transfer-encoding")?.lowercased() == "chunked"
        guard (200..<300).contains(reply.status) else {
            if chunked {
                while let chunk = try conn.readChunk() { reply.body += chunk }
            } else if let length = reply.header("content-length").flatMap({ Int($0) }) {
                reply.body = try conn.readExactly(length)
            } else {
                reply.body = try conn.readToEnd()
            }
            return reply
        }
        var pending: [UInt8] = []
        func emit(_ bytes: [UInt8]) {
            pending += bytes
            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                if !line.isEmpty { onLine(line) }
            }
        }
        if chunked {
            while let chunk = try conn.readChunk() { emit(chunk) }
        } else {
            while let bytes = try conn.readSome() { emit(bytes) }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
        return reply
    }

    private func requestBytes(_ method: String, _ target: String, body: [UInt8]?, contentType: String?) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: oraclectl\r\nAccept: application/json\r\nConnection: close\r\n"
        if let body {
            head += "Content-Length: \(body.count)\r\n"
            if let contentType { head += "Content-Type: \(contentType)\r\n" }
        }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    private func open() throws(ClientError) -> Connection {
        let hint = "is oracled running? (set --socket or $ORACLED_SOCKET)"
        guard path(fits: socketPath) else {
            throw ClientError("cannot connect to \(socketPath): path is longer than 107 bytes — choose a shorter socket path")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError("cannot create a socket: \(Connection.describe(errno))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let err = errno
            close(fd)
            throw ClientError("cannot connect to \(socketPath): \(Connection.describe(err)) — \(hint)")
        }
        return Connection(fd: fd, path: socketPath)
    }

    private func path(fits p: String) -> Bool { !p.isEmpty && p.utf8.count <= 107 }

    /// A connected socket with a read buffer.
    final class Connection {
        let fd: Int32
        let path: String
        private var buffer: [UInt8] = []

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        static func describe(_ err: Int32) -> String {
            guard let text = strerror(err) else { return "errno \(err)" }
            return String(cString: text)
        }

        func write(_ bytes: [UInt8]) throws(ClientError) {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    // The server may have answered early (413) and closed: let the read report it.
                    if errno == EPIPE || errno == ECONNRESET { return }
                    throw ClientError("cannot send to \(path): \(Connection.describe(errno))")
                }
                offset += n
            }
        }

        /// Reads whatever arrives next; nil at end of stream.
        func readSome() throws(ClientError) -> [UInt8]? {
            if !buffer.isEmpty {
                defer { buffer = [] }
                return buffer
            }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw ClientError("connection to \(path) failed: \(Connection.describe(errno))") }
                return n == 0 ? nil : Array(chunk[..<n])
            }
        }

        private func fill() throws(ClientError) {
            guard let more = try readSome() else {
                throw ClientError("oracled closed the connection on \(path) in the middle of a reply; check its log")
            }
            buffer += more
        }

        func readLine() throws(ClientError) -> String {
            while true {
                if let i = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer[..<i])
                    buffer.removeSubrange(...i)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                if buffer.count > 64 * 1024 { throw ClientError("reply from \(path) has a line longer than 64 KiB; is it oracled?") }
                try fill()
            }
        }

        func readExactly(_ count: Int) throws(ClientError) -> [UInt8] {
            while buffer.count < count { try fill() }
            let out = Array(buffer[..<count])
            buffer.removeSubrange(..<count)
            return out
        }

        func readToEnd() throws(ClientError) -> [UInt8] {
            var out: [UInt8] = []
            while let more = try readSome() { out += more }
            return out
        }

        func readHead() throws(ClientError) -> HTTPReply {
            while true {
                let statusLine = try readLine()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                    throw ClientError("\(path) answered something that is not HTTP (\(statusLine.prefix(40))); is it oracled's socket?")
                }
                var headers: [(String, String)] = []
                while true {
                    let line = try readLine()
                    if line.isEmpty { break }
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
                    headers.append((String(line[..<colon]), String(value)))
                }
                if (100..<200).contains(status) { continue }
                return HTTPReply(status: status, headers: headers, body: [])
            }
        }

        /// One chunk of a chunked body; nil after the last.
        func readChunk() throws(ClientError) -> [UInt8]? {
            let sizeLine = try readLine()
            guard let size = Int(sizeLine.split(separator: ";").first?.trimmingSpaces ?? "", radix: 16), size >= 0 else {
                throw ClientError("bad chunk size \(sizeLine.prefix(20)) from \(path)")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return nil
            }
            let data = try readExactly(size)
            _ = try readLine()
            return data
        }
    }
}

extension Substring {
    var trimmingSpaces: String { String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

import Foundation
import Glibc
@testable import OracleFetch

/// A tiny scripted HTTP/1.1 server on 127.0.0.1 (ephemeral port) for the fetch tests.
///
/// One thread accepts, one thread per connection serves requests in a keep-alive loop; the
/// handler decides per request what to answer. It counts accepted connections (connection reuse)
/// and requests (progress a test can wait for), and notices when a client closes a connection
/// it was holding (cancellation). Not a general server: requests are GETs without bodies.
final class TestHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]  // lower-cased names
    }

    enum Action: Sendable {
        /// A normal response with Content-Length (keep-alive unless the client asked to close).
        case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// Exact bytes, for responses the `respond` shape cannot express (1xx, odd framing).
        case raw([UInt8])
        /// Read the request and never answer; hold the connection until the client or stop() closes it.
        case hang
        /// Wait, then act (server-side latency).
        indirect case delayed(ms: Int, Action)
    }

    typealias Handler = @Sendable (Request) -> Action

    struct Counters {
        var accepted = 0
        var requests = 0
        /// Connections the client closed while the server was holding them in `.hang`.
        var clientClosedWhileHanging = 0
        var open: Set<Int32> = []
        var stopped = false
    }

    let port: Int
    private let listenFD: Int32
    private let handler: Handler
    private let counters = LockedState(Counters())

    var acceptedConnections: Int { counters.withLock { $0.accepted } }
    var requestCount: Int { counters.withLock { $0.requests } }
    var clientClosedWhileHanging: Int { counters.withLock { $0.clientClosedWhileHanging } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw SetupError(description: "bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listenFD = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Closes the listener and every open connection; hanging handlers return.
    func stop() {
        let fds = counters.withLock { state -> [Int32] in
            state.stopped = true
            return Array(state.open)
        }
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
        for fd in fds { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit {
        close(listenFD)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let admitted = counters.withLock { state -> Bool in
                if state.stopped { return false }
                state.accepted += 1
                state.open.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                return
            }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            counters.withLock { _ = $0.open.remove(fd) }
            close(fd)
        }
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(fd, &buffer) else { return }
            counters.withLock { $0.requests += 1 }
            let keepGoing = perform(handler(request), on: fd, closeAfter: request.headers["connection"]?.lowercased() == "close")
            if !keepGoing { return }
        }
    }

    /// Returns false when the connection should end.
    private func perform(_ action: Action, on fd: Int32, closeAfter: Bool) -> Bool {
        switch action {
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            if closeAfter { head += "Connection: close\r\n" }
            head += "\r\n"
            return sendAll(fd, Array(head.utf8) + body) && !closeAfter
        case .raw(let bytes):
            return sendAll(fd, bytes) && !closeAfter
        case .hang:
            var byte: UInt8 = 0
            // Blocks until the client closes (recv → 0) or stop() shuts the socket down.
            while true {
                let n = recv(fd, &byte, 1, 0)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
            }
            counters.withLock { state in
                if !state.stopped { state.clientClosedWhileHanging += 1 }
            }
            return false
        case .delayed(let ms, let next):
            usleep(useconds_t(ms * 1_000))
            return perform(next, on: fd, closeAfter: closeAfter)
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads one request head (up to the blank line); nil when the peer closed or sent garbage.
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = Self.find(terminator, in: buffer) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + terminator.count)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                guard requestLine.count >= 2 else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers)
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
            if buffer.count > 64 * 1024 { return nil }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 302: return "Found"
        case 403: return "Forbidden"
        case 429: return "Too Many Requests"
        case 451: return "Unavailable For Legal Reasons"
        case 500: return "Internal Server Error"
        default: return "Status"
        }
    }

    /// A port on 127.0.0.1 with nothing listening (bound without listen, then released),
    /// for "connection refused".
    static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw SetupError(description: "bind on 127.0.0.1 failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Unix-socket server that answers each connection with fixed bytes (in pieces, with pauses), so the
/// client's framing, timeouts and errors can be checked against exactly the replies that matter —
/// including ones oracled never sends. It reads the request head first, then answers.
final class CannedServer: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let log = RequestLog()

    /// `reply` gives, per connection, the pieces to send with a pause in seconds before each.
    /// `closeAfter`: close the connection when done (false keeps it open until the server stops).
    init(_ reply: @escaping @Sendable (String) -> [(pause: Double, bytes: [UInt8])], closeAfter: Bool = true) throws {
        path = "/tmp/occl-\(getpid())-\(Int.random(in: 0..<1_000_000)).sock"
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let listener = fd
        let log = self.log
        Thread {
            while true {
                let conn = accept(listener, nil, nil)
                guard conn >= 0 else { return }
                Thread {
                    var head: [UInt8] = []
                    var byte: UInt8 = 0
                    while recv(conn, &byte, 1, 0) == 1 {
                        head.append(byte)
                        if head.count >= 4 && head.suffix(4) == Array("\r\n\r\n".utf8) { break }
                    }
                    var request = String(decoding: head, as: UTF8.self)
                    // Read the body too: closing with unread bytes would reset the connection.
                    let length = request.lowercased().split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                    var body = [UInt8](repeating: 0, count: length)
                    var got = 0
                    while got < length {
                        let n = body[got...].withUnsafeMutableBytes { recv(conn, $0.baseAddress, $0.count, 0) }
                        if n <= 0 { break }
                        got += n
                    }
                    request += String(decoding: body[..<got], as: UTF8.self)
                    log.append(request)
                    for piece in reply(request) {
                        if piece.pause > 0 { usleep(useconds_t(piece.pause * 1_000_000)) }
                        _ = piece.bytes.withUnsafeBytes { send(conn, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                    if closeAfter { close(conn) } else { usleep(5_000_000); close(conn) }
                }.start()
            }
        }.start()
    }

    var received: [String] { log.all }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }
}

/// The request heads received, in order, from any connection thread.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String] = []

    func append(_ request: String) {
        lock.lock()
        requests.append(request)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return requests
    }
}

/// Canned replies are written as text with `\r\n` line ends.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

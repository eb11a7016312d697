import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a Unix socket (Connection: close), enough to talk to oracled in tests.
struct UnixHTTPClient {
    let path: String
    /// When set, connect to 127.0.0.1:port over TCP instead of the Unix socket `path`.
    var tcpPort: Int? = nil

    struct Response {
        var status: Int
        var body: String
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
    }

    enum ClientError: Error { case connect(Int32), io(String) }

    func request(_ method: String, _ target: String, body: String = "", timeout: Double = 5) throws -> Response {
        let fd = socket(tcpPort == nil ? AF_UNIX : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError.connect(errno) }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let tcpPort {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(tcpPort).bigEndian)
            sin.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { throw ClientError.connect(errno) }
            return try exchange(fd, method, target, body)
        }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw ClientError.connect(errno) }
        return try exchange(fd, method, target, body)
    }

    private func exchange(_ fd: Int32, _ method: String, _ target: String, _ body: String) throws -> Response {
        let req = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let out = Array(req.utf8)
        var sent = 0
        while sent < out.count {
            let n = out.withUnsafeBytes { send(fd, $0.baseAddress! + sent, out.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError.io("send failed: \(errno)") }
            sent += n
        }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { throw ClientError.io("no HTTP head in \(text.prefix(200))") }
        let head = text[..<headEnd.lowerBound]
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var bodyText = String(text[headEnd.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { bodyText = Self.dechunk(bodyText) }
        return Response(status: status, body: bodyText)
    }

    static func dechunk(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let nl = rest.range(of: "\r\n") {
            guard let size = Int(rest[..<nl.lowerBound], radix: 16), size > 0 else { break }
            let start = nl.upperBound
            let utf8 = rest.utf8
            guard let end = utf8.index(start, offsetBy: size, limitedBy: utf8.endIndex) else { break }
            out += String(rest[start..<end])
            rest = rest[end...].dropFirst(2)
        }
        return out
    }
}

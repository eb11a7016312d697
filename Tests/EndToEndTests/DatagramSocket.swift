import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Binds a Unix datagram socket at `path` (replacing a stale file) for the collectors that stand in
/// for syslog and journald: a 4 MiB receive buffer so a burst from the daemon never blocks its
/// sender, and a 200 ms receive timeout so the collector's thread notices `stop()` promptly.
/// `label` names the collector in errors.
func bindDatagramSocket(at path: String, label: String) throws -> Int32 {
    unlink(path)
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("\(label): socket: errno \(errno)") }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < 107 else { close(fd); throw HarnessError("\(label): path too long: \(path)") }
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else { close(fd); throw HarnessError("\(label): bind \(path): errno \(errno)") }
    var big: Int32 = 4 << 20
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, socklen_t(MemoryLayout<Int32>.size))
    var tv = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    return fd
}

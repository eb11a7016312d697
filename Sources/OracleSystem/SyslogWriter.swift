#if canImport(Glibc)
import Glibc
#endif

/// One syslog line per notice, ident `oracled`, severity by level.
///
/// By default through libc `syslog(3)` (`/dev/log`, the journal under systemd). When `socketPath`
/// is set, lines go as RFC 3164 datagrams to that Unix socket instead — for tests, which bind their
/// own socket, and for hosts where a relay listens elsewhere.
public final class SyslogWriter: @unchecked Sendable {
    // @unchecked: `identPointer` is written once in init and only read after; the datagram fd is only
    // used with sendto, which is thread-safe.
    public enum Severity: Int32, Sendable {
        case emergency = 0, alert, critical, error, warning, notice, info, debug
    }

    private let ident: String
    private let facility: Int32
    private let socketPath: String?
    private var identPointer: UnsafeMutablePointer<CChar>?
    private var fd: Int32 = -1

    public init(ident: String = "oracled", facility: Int32 = LOG_DAEMON, socketPath: String? = nil) {
        self.ident = ident
        self.facility = facility
        self.socketPath = socketPath
        if socketPath != nil {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        } else {
            // openlog keeps the pointer: it must outlive every syslog call.
            identPointer = strdup(ident)
            openlog(identPointer, LOG_PID | LOG_NDELAY, facility)
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        if identPointer != nil { closelog(); free(identPointer) }
    }

    /// Returns false when the line could not be handed over (the caller counts it; syslog is a
    /// copy of what the spool already holds durably).
    @discardableResult
    public func log(_ severity: Severity, _ message: String) -> Bool {
        if let socketPath {
            let line = "<\(facility | severity.rawValue)>\(ident)[\(getpid())]: \(message)"
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let pathBytes = Array(socketPath.utf8)
            guard pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in pathBytes.enumerated() { raw[i] = b }
                raw[pathBytes.count] = 0
            }
            let bytes = Array(line.utf8)
            let n = withUnsafePointer(to: &addr) { ptr in
                ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    bytes.withUnsafeBytes { buf in
                        sendto(fd, buf.baseAddress, buf.count, 0, sa, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            return n == bytes.count
        }
        // vsyslog with a fixed "%s" format: a message containing '%' is never interpreted.
        message.withCString { cmsg in
            withVaList([cmsg]) { args in
                "%s".withCString { fmt in vsyslog(facility | severity.rawValue, fmt, args) }
            }
        }
        return true
    }
}

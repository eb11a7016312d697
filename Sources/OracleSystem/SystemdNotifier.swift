#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) without libsystemd: one datagram per state change to `$NOTIFY_SOCKET`.
///
/// `READY=1` is sent once the socket is bound and the config is valid; `WATCHDOG=1` only from the
/// poll loop after a completed cycle, so a stalled loop stops feeding systemd's watchdog and gets restarted.
public final class SystemdNotifier: Sendable {
    private let path: String?

    public init(environment: [String: String]) {
        self.path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let usec = environment["WATCHDOG_USEC"].flatMap { UInt64($0) }
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        self.watchdogIntervalMs = (usec != nil && pidMatches) ? Int64(usec! / 1000) : nil
    }

    /// The interval systemd expects `WATCHDOG=1` within, if the watchdog is on (ping at half of it).
    public let watchdogIntervalMs: Int64?

    public var isEnabled: Bool { path != nil }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func reloading() { send("RELOADING=1") }
    public func stopping() { send("STOPPING=1") }
    public func status(_ text: String) { send("STATUS=\(text)") }
    public func watchdog() { send("WATCHDOG=1") }

    @discardableResult
    public func send(_ message: String) -> Bool {
        guard var path else { return false }
        let abstract = path.hasPrefix("@")
        if abstract { path.removeFirst() }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let offset = abstract ? 1 : 0
        guard bytes.count + offset < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i + offset] = b }
        }
        // Abstract addresses are length-delimited, not NUL-terminated.
        let len = socklen_t(MemoryLayout<sa_family_t>.size + offset + bytes.count + (abstract ? 0 : 1))
        let payload = Array(message.utf8)
        let n = withUnsafePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                payload.withUnsafeBytes { buf in sendto(fd, buf.baseAddress, buf.count, 0, sa, len) }
            }
        }
        return n == payload.count
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Sends entries to systemd-journald over its native protocol: one datagram per entry to
/// `/run/systemd/journal/socket`, each field `KEY=value\n`, or — when the value holds a newline —
/// `KEY\n`, the value's length as a little-endian UInt64, the value, `\n` (journald's binary-safe
/// form). Why native rather than stderr or syslog(3): only this way do fields such as `ACCOUNT=`
/// reach the journal as fields, so `journalctl -u oracled ACCOUNT=acct-17` can select on them.
///
/// An entry too big for one datagram (journald's limit is well above any log line; the memfd
/// hand-over systemd uses for huge entries is not needed here) is reported as not sent, and the
/// caller falls back to stderr.
public final class JournalWriter: @unchecked Sendable {
    // @unchecked: `fd` and `address` are set once in init; sendto on one datagram fd is thread-safe.
    public static let defaultSocketPath = "/run/systemd/journal/socket"

    public let socketPath: String
    private let fd: Int32
    private var address = sockaddr_un()
    private let addressFits: Bool

    public init(socketPath: String = JournalWriter.defaultSocketPath) {
        self.socketPath = socketPath
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        addressFits = pathBytes.count < MemoryLayout.size(ofValue: address.sun_path)
        if addressFits {
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in pathBytes.enumerated() { raw[i] = b }
                raw[pathBytes.count] = 0
            }
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends one entry; false when journald could not take it (no socket, too big, full queue).
    @discardableResult
    public func send(_ fields: [(String, String)]) -> Bool {
        guard fd >= 0, addressFits else { return false }
        let bytes = Self.encode(fields)
        var addr = address
        let n = withUnsafePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bytes.withUnsafeBytes { buf in
                    sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL), sa, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        return n == bytes.count
    }

    /// The datagram for `fields`, in order. Names are taken as given (see `fieldName(for:)`).
    public static func encode(_ fields: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 })
        for (name, value) in fields {
            out.append(contentsOf: name.utf8)
            if value.utf8.contains(UInt8(ascii: "\n")) {
                out.append(UInt8(ascii: "\n"))
                var length = UInt64(value.utf8.count).littleEndian
                withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
                out.append(contentsOf: value.utf8)
            } else {
                out.append(UInt8(ascii: "="))
                out.append(contentsOf: value.utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// A journal field name for a log metadata key: upper case, `[A-Z0-9_]` only, not starting with
    /// `_` or a digit (journald drops such fields from clients), at most 64 characters. `account`
    /// becomes `ACCOUNT`, `notice_id` `NOTICE_ID`, `claimed-by` `CLAIMED_BY`; nil when nothing is left.
    public static func fieldName(for key: String) -> String? {
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9", "_": name.unicodeScalars.append(scalar)
            default: name.append("_")
            }
        }
        while let first = name.first, first == "_" || first.isNumber { name.removeFirst() }
        guard !name.isEmpty else { return nil }
        return String(name.prefix(64))
    }

    /// True when stderr is the journal stream systemd connected (`JOURNAL_STREAM=dev:inode` names
    /// stderr's device and inode): the documented way for a service to know its output already goes
    /// to journald, so that switching to the native protocol loses nothing.
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}

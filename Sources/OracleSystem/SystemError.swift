#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, with what a person needs to fix it: the call, the path and errno's text.
public struct SystemError: Error, Sendable, CustomStringConvertible, Equatable {
    public var call: String
    public var path: String
    public var errno: Int32

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// True when the failure is about space or permissions — conditions an operator can fix and
    /// after which a retry will succeed (the spool defers notices instead of dropping them).
    public var isRetryable: Bool {
        [ENOSPC, EDQUOT, EACCES, EPERM, EROFS, EIO, EMFILE, ENFILE].contains(errno)
    }

    public var description: String {
        let text = String(cString: strerror(errno))
        var hint = ""
        switch errno {
        case ENOSPC, EDQUOT: hint = "; free space on that filesystem"
        case EACCES, EPERM: hint = "; check the directory's owner and mode (the daemon's user must be able to write it)"
        case ENOENT: hint = "; create the directory or fix the path in oracles.toml"
        case EROFS: hint = "; the filesystem is read-only (under systemd, list it in ReadWritePaths=)"
        default: break
        }
        return "\(call)(\(path)) failed: \(text)\(hint)"
    }
}

/// Every syscall of this module goes through here: EINTR is retried, failures become `SystemError`.
enum Syscall {
    @discardableResult
    static func call(_ name: String, _ path: String, _ body: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            let r = body()
            if r >= 0 { return r }
            let e = Glibc.errno
            if e == EINTR { continue }
            throw SystemError(call: name, path: path, errno: e)
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf in
                Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError(call: "write", path: path, errno: Glibc.errno)
            }
            if n == 0 { throw SystemError(call: "write", path: path, errno: EIO) }
            offset += n
        }
    }

    static func fsyncPath(_ path: String, directory: Bool) throws(SystemError) {
        let fd = try call("open", path) { open(path, (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try call("fsync", path) { fsync(fd) }
    }

    static func mkdirs(_ path: String, mode: mode_t = 0o750) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") where !part.isEmpty {
            current += "/" + part
            if mkdir(current, mode) != 0, Glibc.errno != EEXIST {
                throw SystemError(call: "mkdir", path: current, errno: Glibc.errno)
            }
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }
}

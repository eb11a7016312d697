#if canImport(Glibc)
import Glibc
#endif

/// File-system side of the listening socket: the checks before `bind` and the `chmod` after it.
///
/// NIO's Unix-socket bind can unlink an existing path, which would let a second daemon silently
/// steal a live socket. So before binding we connect to the path ourselves: if anything answers
/// we refuse and leave the file alone; only a socket nobody listens on (left by a crash) is removed.
enum SocketPath {
    /// `sizeof(sockaddr_un.sun_path) - 1` on Linux: the longest path `bind` accepts.
    static let maxLength = 107

    /// Makes `path` ready for `bind`: valid length, parent directory present, no live or foreign file.
    static func prepare(_ path: String) throws(ServerError) {
        guard !path.isEmpty else {
            throw ServerError(code: .pathTooLong, message: "socket path is empty; set [daemon] socket to a file path")
        }
        guard path.utf8.count <= maxLength else {
            throw ServerError(
                code: .pathTooLong,
                message: "socket path \(path) is \(path.utf8.count) bytes; Unix sockets allow at most \(maxLength): choose a shorter [daemon] socket"
            )
        }
        try makeParentDirectory(of: path)

        var info = stat()
        if lstat(path, &info) != 0 {
            let err = errno
            if err == ENOENT { return }
            throw ServerError(code: .bindFailed, message: "cannot inspect socket path \(path): lstat: \(describe(err))")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw ServerError(
                code: .pathNotSocket,
                message: "\(path) exists and is not a socket; remove it or choose another [daemon] socket"
            )
        }
        switch probe(path) {
        case .live:
            throw ServerError(
                code: .socketInUse,
                message: "another oracled is serving \(path); stop it first or choose another [daemon] socket"
            )
        case .stale:
            if unlink(path) != 0 && errno != ENOENT {
                throw ServerError(
                    code: .directoryFailed,
                    message: "cannot remove stale socket \(path): unlink: \(describe(errno)); remove it by hand"
                )
            }
        case .unknown(let err):
            throw ServerError(
                code: .bindFailed,
                message: "cannot tell whether \(path) is in use (connect: \(describe(err))); check its owner and permissions"
            )
        }
    }

    /// Sets the socket file's permission bits right after `bind` (the daemon uses 0660 so only its
    /// user and group can talk to it; `bind` itself would apply the process umask).
    static func setMode(_ path: String, _ mode: mode_t) throws(ServerError) {
        if chmod(path, mode) != 0 {
            throw ServerError(
                code: .permissionsFailed,
                message: "cannot set mode \(String(mode, radix: 8)) on socket \(path): chmod: \(describe(errno))"
            )
        }
    }

    /// The inode now at `path`, so shutdown removes only the socket this server created.
    static func inode(_ path: String) -> ino_t? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return nil }
        return info.st_ino
    }

    /// Removes `path` if it is still the socket with inode `ino` (a successor may have replaced it).
    static func removeIfOurs(_ path: String, inode ino: ino_t) {
        guard inode(path) == ino else { return }
        // Failure here leaves a stale socket, which the next start detects and removes: safe to ignore.
        _ = unlink(path)
    }

    enum ProbeResult: Equatable {
        case live, stale
        case unknown(Int32)
    }

    /// Connects to `path` to learn whether a server is behind it.
    static func probe(_ path: String) -> ProbeResult {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .unknown(errno) }
        defer { close(fd) }
        let rc = withUnixAddress(path) { addr, len in connect(fd, addr, len) }
        if rc == 0 { return .live }
        let err = errno
        switch err {
        case ECONNREFUSED, ENOENT: return .stale
        // A full backlog still means someone is listening.
        case EAGAIN: return .live
        default: return .unknown(err)
        }
    }

    /// Calls `body` with a `sockaddr_un` for `path` (caller has checked the length).
    static func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(maxLength))
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// `mkdir -p` of the directory holding `path`, mode 0755.
    private static func makeParentDirectory(of path: String) throws(ServerError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let dir = String(path[..<slash])
        var prefix = ""
        for component in dir.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty && !dir.hasPrefix("/") ? "" : "/") + component
            if mkdir(prefix, 0o755) != 0 {
                let err = errno
                if err == EEXIST { continue }
                throw ServerError(
                    code: .directoryFailed,
                    message: "cannot create socket directory \(prefix): mkdir: \(describe(err)); create it or choose another [daemon] socket"
                )
            }
        }
    }

    static func describe(_ err: Int32) -> String {
        guard let text = strerror(err) else { return "errno \(err)" }
        return String(cString: text)
    }
}

extension UnixSocketServer {
    /// The pre-flight of `start()`, for callers that must know before touching anything else (the
    /// daemon checks this before opening its database and spool, so a second daemon started by mistake
    /// never disturbs the live one's files): throws if another server answers on `path`, removes a stale socket.
    public static func checkAvailable(path: String) throws(ServerError) {
        try SocketPath.prepare(path)
    }
}

/// `[store] url` for PostgreSQL, parsed without touching the network:
/// `postgresql://USER@HOST:PORT/DB` (TCP) or `postgresql://USER@/DB?host=/run/postgresql` (the Unix
/// socket `DIR/.s.PGSQL.PORT`; `port=` or `@:PORT` picks the port, default 5432).
///
/// A password in the URL is refused: config files are read by many (backups, support bundles,
/// `oraclectl config`), so the password comes from `[store] password_file` or `PGPASSWORD`.
public struct PostgresURL: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(directory: String, port: Int)
    }

    public var user: String
    public var database: String
    public var endpoint: Endpoint

    public init(user: String, database: String, endpoint: Endpoint) {
        self.user = user
        self.database = database
        self.endpoint = endpoint
    }

    public static let defaultPort = 5432
    /// `sun_path` holds 108 bytes including the terminating NUL.
    static let maxSocketPathBytes = 107

    /// The URL, or a message (without the key: the caller names `[store] url`) saying what to write.
    public static func parse(_ text: String) -> Result<PostgresURL, PostgresURLError> {
        let example = "write e.g. \"postgresql://oracled@/oracled?host=/run/postgresql\" or \"postgresql://oracled@db1:5432/oracled\""
        var rest = Substring(text)
        guard let schemeEnd = rest.range(of: "://") else { return .failure(.init("\"\(text)\" is not a URL; \(example)")) }
        let scheme = rest[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgresql" || scheme == "postgres" else {
            return .failure(.init("scheme \"\(scheme)\" is not postgresql; \(example)"))
        }
        rest = rest[schemeEnd.upperBound...]

        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            return .failure(.init("names no database; end the address with /DBNAME, \(example)"))
        }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...]

        guard let at = authority.lastIndex(of: "@") else {
            return .failure(.init("names no user; write USER@ before the host, \(example)"))
        }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        if userInfo.contains(":") {
            return .failure(.init("contains a password; remove \":PASSWORD\" from the URL and put the password in the file named by [store] password_file (mode 0600) or in the PGPASSWORD environment variable"))
        }
        guard let user = percentDecoded(userInfo), !user.isEmpty else {
            return .failure(.init("names no user (or a badly %-encoded one); write USER@ before the host, \(example)"))
        }
        guard let database = percentDecoded(path), !database.isEmpty, !database.contains("/") else {
            return .failure(.init("names no database (or a bad one: \"\(path)\"); end the address with /DBNAME, \(example)"))
        }

        var host: String?
        var port: Int?
        if !hostPort.isEmpty {
            var h = hostPort
            if h.hasPrefix("[") {
                guard let close = h.firstIndex(of: "]") else { return .failure(.init("has an unclosed [ in the host; write [::1]:5432")) }
                host = String(h[h.index(after: h.startIndex)..<close])
                h = h[h.index(after: close)...]
                if !h.isEmpty {
                    guard h.hasPrefix(":") else { return .failure(.init("has text after ] in the host; write [::1]:5432")) }
                    switch parsePort(h.dropFirst()) { case .success(let p): port = p; case .failure(let e): return .failure(e) }
                }
            } else if let colon = h.lastIndex(of: ":") {
                switch parsePort(h[h.index(after: colon)...]) { case .success(let p): port = p; case .failure(let e): return .failure(e) }
                let name = h[..<colon]
                host = name.isEmpty ? nil : String(name)
            } else {
                host = String(h)
            }
        }

        var socketDir: String?
        if !query.isEmpty {
            for item in query.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(parts[0])
                guard parts.count == 2, let value = percentDecoded(parts[1]) else {
                    return .failure(.init("has a query parameter \"\(item)\" without a value; write host=/run/postgresql"))
                }
                switch key {
                case "host":
                    guard value.hasPrefix("/") else {
                        return .failure(.init("host=\(value) is not an absolute socket directory; for TCP put the host before the database (USER@HOST:PORT/DB), for a socket write host=/run/postgresql"))
                    }
                    socketDir = value.count > 1 && value.hasSuffix("/") ? String(value.dropLast()) : value
                case "port":
                    switch parsePort(Substring(value)) { case .success(let p): port = p; case .failure(let e): return .failure(e) }
                case "password":
                    return .failure(.init("contains a password; remove password= from the URL and put the password in the file named by [store] password_file (mode 0600) or in the PGPASSWORD environment variable"))
                default:
                    return .failure(.init("has the parameter \"\(key)\" that oracled does not use; the parameters understood are host (a socket directory) and port"))
                }
            }
        }

        let finalPort = port ?? defaultPort
        if let socketDir {
            if host != nil {
                return .failure(.init("names both a TCP host and host=\(socketDir); keep one: USER@HOST:PORT/DB or USER@/DB?host=DIR"))
            }
            let socket = "\(socketDir)/.s.PGSQL.\(finalPort)"
            guard socket.utf8.count <= maxSocketPathBytes else {
                return .failure(.init("gives a socket path \(socket) of \(socket.utf8.count) bytes; Unix socket paths are limited to \(maxSocketPathBytes), choose a shorter directory"))
            }
            return .success(PostgresURL(user: user, database: database, endpoint: .unixSocket(directory: socketDir, port: finalPort)))
        }
        guard let host, !host.isEmpty else {
            return .failure(.init("names no server; write USER@HOST:PORT/DB for TCP or USER@/DB?host=/run/postgresql for a Unix socket"))
        }
        return .success(PostgresURL(user: user, database: database, endpoint: .tcp(host: host, port: finalPort)))
    }

    private static func parsePort(_ text: Substring) -> Result<Int, PostgresURLError> {
        guard let p = Int(text), (1...65_535).contains(p) else {
            return .failure(.init("has port \"\(text)\"; a port is a number from 1 to 65535 (PostgreSQL's is usually 5432)"))
        }
        return .success(p)
    }

    /// `%2F` → `/`; nil for a malformed escape.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hi = hex(h), let lo = hex(l) else { return nil }
                bytes.append(hi << 4 | lo)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

public struct PostgresURLError: Error, Equatable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

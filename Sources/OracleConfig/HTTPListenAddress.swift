/// Where `[daemon] http` asks the optional browser listener to bind: a loopback address and a port.
///
/// Only loopback is accepted. The TCP listener has no authentication of its own (the Unix socket
/// has `SO_PEERCRED`; a TCP peer has nothing the kernel vouches for), so it must not be reachable
/// from other machines. The way to serve the desk beyond this host is nginx with authentication in
/// front of the Unix socket (docs/nginx.conf), or an SSH tunnel to this port.
public struct HTTPListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A numeric loopback address: `127.x.y.z` or `::1` (`localhost` is stored as `127.0.0.1`).
    public var host: String
    /// TCP port, 1…65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:8787`, or `[::1]:8787` for IPv6, as written in oracles.toml.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Reads `HOST:PORT`; on failure, a sentence that says what to write instead.
    public static func parse(_ text: String) -> Result<HTTPListenAddress, Refusal> {
        let example = "write e.g. \"127.0.0.1:8787\""
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else {
                return .failure(Refusal("\"\(text)\" is not [IPV6]:PORT; \(example) or \"[::1]:8787\""))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                return .failure(Refusal("\"\(text)\" is not HOST:PORT; \(example)"))
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            return .failure(Refusal("port \"\(portText)\" must be a number from 1 to 65535; \(example)"))
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard isLoopback(host) else {
            return .failure(Refusal("\"\(host)\" is not a loopback address: the TCP listener has no authentication, so oracled binds it "
                                    + "only to 127.0.0.1 or ::1; to reach the desk from other machines put nginx with authentication "
                                    + "in front of the Unix socket (docs/nginx.conf) or use an SSH tunnel"))
        }
        return .success(HTTPListenAddress(host: String(host), port: port))
    }

    /// `::1`, or a dotted quad in 127.0.0.0/8 (every octet 0…255, no leading zeros or extra parts).
    static func isLoopback(_ host: Substring) -> Bool {
        if host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        for o in octets {
            guard !o.isEmpty, o.count <= 3, o.allSatisfy(\.isASCII), o.allSatisfy(\.isNumber),
                  o == "0" || !o.hasPrefix("0"), let v = Int(o), v <= 255 else { return false }
        }
        return octets[0] == "127"
    }

    /// Why a value was refused (the message the config error carries).
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}

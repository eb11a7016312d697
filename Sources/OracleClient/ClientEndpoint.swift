/// Where a request goes: oracled's Unix socket, or a TCP port on the loopback interface (the fake
/// venue in tests; a daemon's optional browser port).
public enum ClientEndpoint: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case loopback(port: Int)

    public var description: String {
        switch self {
        case .unix(let path): path
        case .loopback(let port): "127.0.0.1:\(port)"
        }
    }
}

import OracleServer

/// The router as the `[daemon] http` listener serves it: the same routes, with the loopback rules.
///
/// - Writes only with `http_write = true` (`APIAccess.loopback`), recorded as the daemon's own uid:
///   a TCP peer has no identity the kernel vouches for, and uid 0 in an audit record would claim root.
/// - `Host` must name the loopback interface. A web page on another site can point its own host
///   name at 127.0.0.1 (DNS rebinding) and would then be same-origin with this listener; its
///   requests still carry that foreign name in `Host`, so they are refused here.
/// - A mutating request whose `Origin` is not this listener's is refused: browsers send `Origin`
///   on every cross-site POST/DELETE, and a form on another site must not acknowledge calls.
struct LoopbackRouter: APIHandler {
    let router: APIRouter
    let writeAllowed: Bool

    static let readOnlyMessage = "the HTTP listener ([daemon] http) is read-only: set http_write = true in [daemon] to allow changes "
        + "from it, or use the Unix socket as root or the daemon's user"

    func handle(_ request: APIRequest) async -> APIResponse {
        let host = request.header("host")
        if let host, !Self.isLoopbackHost(host) {
            return .error(403, "Host \"\(host)\" is not a loopback name; the HTTP listener answers only requests addressed to "
                          + "127.0.0.1, localhost or [::1] (a guard against DNS rebinding)", code: "forbidden_host")
        }
        var request = request
        if request.method != "GET" && writeAllowed {
            if let origin = request.header("origin"), origin != "http://" + (host ?? "") {
                return .error(403, "cross-origin request from \(origin) refused; use the desk page served by this listener",
                              code: "forbidden_origin")
            }
            request.peer = PeerCredentials(pid: 0, uid: router.ownUID, gid: 0)
        }
        return await router.handle(request, access: .loopback(writeAllowed: writeAllowed))
    }

    /// `127.x.y.z`, `localhost` or `[::1]`, with or without `:port`.
    static func isLoopbackHost(_ host: String) -> Bool {
        var name = Substring(host.lowercased())
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else { return false }
            return name[name.index(after: name.startIndex)..<close] == "::1"
        }
        if let colon = name.firstIndex(of: ":") {
            guard name[name.index(after: colon)...].allSatisfy(\.isNumber) else { return false }
            name = name[..<colon]
        }
        if name == "localhost" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }
}

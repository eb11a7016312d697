import OracleServer

/// Which listener a request came through, which decides who may change state.
///
/// The Unix socket knows its peer (`SO_PEERCRED`): root and the daemon's own user may write. The
/// optional `[daemon] http` listener knows nothing about its peer, so it is all or nothing:
/// `http_write = true` lets every loopback client write, false (the default) lets none.
enum APIAccess: Sendable, Equatable {
    case unixSocket
    case loopback(writeAllowed: Bool)
}

extension APIRouter {
    /// `GET /v1/session`: what this peer may do, so the desk page shows its buttons only to peers
    /// whose clicks the API would accept (the API still checks every request itself).
    func session(_ request: APIRequest, access: APIAccess) -> JSON {
        let denied = authorize(request, access: access)
        let why: String
        switch access {
        case .unixSocket:
            if let peer = request.peer {
                why = denied == nil ? "uid \(peer.uid) on the Unix socket may change state"
                    : "uid \(peer.uid) on the Unix socket is read-only; root and uid \(ownUID) may change state"
            } else {
                why = "peer credentials unavailable: read-only"
            }
        case .loopback(let writeAllowed):
            why = writeAllowed ? "HTTP listener with http_write = true: every loopback client may change state"
                : "HTTP listener with http_write = false: read-only"
        }
        var fields: [(String, JSON)] = [
            ("transport", .string(access == .unixSocket ? "unix" : "http")),
            ("can_write", .bool(denied == nil)),
            ("why", .string(why)),
        ]
        if access == .unixSocket, let peer = request.peer { fields.append(("uid", .int(peer.uid))) }
        fields.append(("margin", .bool(margin != nil)))
        return .object(fields)
    }
}

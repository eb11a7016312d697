/// The daemon's side of the API: turns one decoded request into one response.
///
/// The transport owns framing, limits and connection handling; the handler owns routing, JSON
/// and authorisation (it sees `request.peer`). It is called once per request, on a task of its
/// own connection, so a slow handler delays only that connection.
public protocol APIHandler: Sendable {
    /// Answers one request. Route-level failures (unknown pair, bad JSON) are responses, not throws.
    func handle(_ request: APIRequest) async -> APIResponse
}

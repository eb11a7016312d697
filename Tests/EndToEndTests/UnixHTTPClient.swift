import Foundation
import OracleClient

// The end-to-end tests talk to oracled (and to the fake venue's control port) with OracleClient's
// `UnixHTTPClient`, the same code oraclectl uses. Only the tests' convenience layer lives here:
// string bodies, a parsed JSON object, a short default timeout.

typealias UnixHTTPClient = OracleClient.UnixHTTPClient

extension OracleClient.UnixHTTPClient {
    /// oracled's socket at `path`, or with `tcpPort` 127.0.0.1:port (the fake venue's control API).
    init(path: String, tcpPort: Int? = nil) {
        self.init(endpoint: tcpPort.map { .loopback(port: $0) } ?? .unix(path: path), timeout: 5, userAgent: "oracled-tests")
    }

    struct Response {
        var status: Int
        var body: String
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
    }

    /// One request with a text body (sent with its length, even when empty); reads the whole reply.
    func request(_ method: String, _ target: String, body: String = "", timeout: Double = 5) throws -> Response {
        let reply = try send(method, target, body: Array(body.utf8), timeout: timeout)
        return Response(status: reply.status, body: reply.text)
    }
}

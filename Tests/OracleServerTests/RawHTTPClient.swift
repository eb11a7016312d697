import Foundation
import OracleClient

// The server tests talk to the server through OracleClient's `RawConnection` (the same code that
// oraclectl and the end-to-end tests use), which sends exactly the bytes a test wants — half a
// request, a broken request line — and reads exactly what comes back. Only test glue lives here.

typealias RawConnection = OracleClient.RawConnection
typealias RawResponse = HTTPReply

extension OracleClient.RawConnection {
    typealias Failure = ClientError
}

extension ClientError {
    init(description: String) { self.init(description) }
}

extension HTTPReply {
    /// The body parsed as a JSON object (nil if it is not one).
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// Runs blocking socket code on a dedicated thread and awaits its result (never on Swift's
/// cooperative pool, which also runs the server's connection tasks).
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// Sends `request` on a fresh connection and returns the response.
func exchange(_ path: String, _ request: String) async throws -> RawResponse {
    try await offPool {
        let conn = try RawConnection(path: path)
        conn.send(request)
        return try conn.readResponse()
    }
}

/// A GET with `Connection: close`.
func get(_ path: String, _ target: String) async throws -> RawResponse {
    try await exchange(path, "GET \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}

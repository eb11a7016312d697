import OracleCore
import Foundation
@testable import OracleServer
#if canImport(Glibc)
import Glibc
#endif

/// Routes used by the transport tests; everything else is the handler's 404.
struct TestHandler: APIHandler {
    /// Fires once when the endless stream's consumer goes away.
    let streamTerminated: AsyncStream<Void>.Continuation?

    init(streamTerminated: AsyncStream<Void>.Continuation? = nil) {
        self.streamTerminated = streamTerminated
    }

    func handle(_ request: APIRequest) async -> APIResponse {
        switch (request.method, request.path) {
        case ("GET", "/hello"):
            return .json(200, #"{"hello":"world"}"#)
        case ("POST", "/echo"):
            return APIResponse(status: 200, contentType: "application/octet-stream", body: .bytes(request.body))
        case ("GET", "/peer"):
            guard let peer = request.peer else { return .error(500, "no peer credentials") }
            return .json(200, "{\"pid\":\(peer.pid),\"uid\":\(peer.uid),\"gid\":\(peer.gid)}")
        case ("GET", "/v1/prices/BTC USD"):
            let pair = request.query["pair"] ?? "-"
            return .json(200, "{\"path\":\(JSONString.quoted(request.path)),\"raw\":\(JSONString.quoted(request.rawPath)),\"pair\":\(JSONString.quoted(pair))}")
        case ("GET", "/stream"):
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            for i in 1...3 { continuation.yield(Array("{\"seq\":\(i)}\n".utf8)) }
            continuation.finish()
            return .ndjsonStream(stream)
        case ("GET", "/endless"):
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            let signal = streamTerminated
            continuation.onTermination = { _ in signal?.yield() }
            continuation.yield(Array("{\"seq\":1}\n".utf8))
            return .ndjsonStream(stream)
        default:
            return .error(404, "no route for \(request.method) \(request.path)")
        }
    }
}

/// A fresh, short temp directory (Unix socket paths must stay under 108 bytes).
func makeTempDirectory() throws -> String {
    var template = Array("/tmp/osrv-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer -> UnsafeMutablePointer<CChar>? in
        guard let base = buffer.baseAddress else { return nil }
        return mkdtemp(base)
    }
    guard let made else {
        throw RawConnection.Failure(description: "mkdtemp failed")
    }
    return String(cString: made)
}

/// Starts a server on a new socket path, runs `body`, then shuts the server down.
func withServer(
    limits: ServerLimits = ServerLimits(),
    handler: any APIHandler = TestHandler(),
    _ body: (String, UnixSocketServer) async throws -> Void
) async throws {
    let dir = try makeTempDirectory()
    let path = dir + "/oracled.sock"
    let server = UnixSocketServer(path: path, limits: limits, handler: handler)
    try await server.start()
    do {
        try await body(path, server)
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
    rmdir(dir)
}

/// Waits for the first element of `stream`, or gives up after `seconds` (returns false).
func firstElement(of stream: AsyncStream<Void>, within seconds: Double) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            for await _ in stream { return true }
            return false
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}

import Foundation
import OracleClient
import Testing
@testable import OracleServer

/// The `[daemon] http` transport: the same handler over TCP on loopback, no peer credentials,
/// loopback-only binding, a clear error for a taken port, and nothing left listening after shutdown.
@Suite("LoopbackHTTPServer")
struct LoopbackHTTPServerTests {
    /// Sends raw bytes to 127.0.0.1:port and reads one response.
    func exchange(port: Int, _ request: String) async throws -> HTTPReply {
        try await offPool {
            let conn = try RawConnection(endpoint: .loopback(port: port), timeout: 5)
            conn.send(request)
            return try conn.readResponse()
        }
    }

    func started(_ handler: any APIHandler = TestHandler(), port: Int = 0) async throws -> (LoopbackHTTPServer, Int) {
        let server = LoopbackHTTPServer(host: "127.0.0.1", port: port, handler: handler)
        try await server.start()
        let bound = try #require(server.boundPort)
        return (server, bound)
    }

    @Test func answersOverTCPWithTheHandler() async throws {
        let (server, port) = try await started()
        let hello = try await exchange(port: port, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(hello.status == 200)
        #expect(hello.text == #"{"hello":"world"}"#)
        // Keep-alive and a streamed body work as on the socket.
        let streamed = try await exchange(port: port, "GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(streamed.status == 200)
        #expect(streamed.text == "{\"seq\":1}\n{\"seq\":2}\n{\"seq\":3}\n")
        await server.shutdown()
    }

    @Test func tcpPeersCarryNoCredentials() async throws {
        // The handler must not be able to mistake a TCP client for a verified Unix-socket peer.
        let (server, port) = try await started()
        let peer = try await exchange(port: port, "GET /peer HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(peer.status == 500)
        #expect(peer.text.contains("no peer credentials"))
        await server.shutdown()
    }

    @Test func limitsApplyAsOnTheSocket() async throws {
        var limits = ServerLimits()
        limits.maxBodyBytes = 1000
        let server = LoopbackHTTPServer(host: "127.0.0.1", port: 0, limits: limits, handler: TestHandler())
        try await server.start()
        let port = try #require(server.boundPort)
        let big = try await exchange(port: port, "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n")
        #expect(big.status == 413)
        await server.shutdown()
    }

    @Test func refusesNonLoopbackAddresses() async throws {
        for host in ["0.0.0.0", "::", "192.168.1.10"] {
            let server = LoopbackHTTPServer(host: host, port: 0, handler: TestHandler())
            do {
                try await server.start()
                Issue.record("\(host) must be refused")
                await server.shutdown()
            } catch {
                #expect(error.code == .bindFailed)
                #expect(error.message.contains("loopback"), "\(error)")
            }
        }
    }

    @Test func aTakenPortIsAClearError() async throws {
        let (first, port) = try await started()
        let second = LoopbackHTTPServer(host: "127.0.0.1", port: port, handler: TestHandler())
        do {
            try await second.start()
            Issue.record("a second server must not bind 127.0.0.1:\(port)")
        } catch {
            #expect(error.code == .bindFailed)
            #expect(error.message.contains("127.0.0.1:\(port)") && error.message.contains("[daemon] http"), "\(error)")
        }
        await second.shutdown()
        // The first still answers.
        let hello = try await exchange(port: port, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(hello.status == 200)
        await first.shutdown()
    }

    @Test func shutdownStopsListeningAndThePortCanBeReused() async throws {
        let (server, port) = try await started()
        await server.shutdown()
        await server.listenerClosed()
        #expect(throws: ClientError.self) {
            _ = try RawConnection(endpoint: .loopback(port: port), timeout: 2)
        }
        // A restarted daemon gets its port back at once.
        let (again, samePort) = try await started(port: port)
        #expect(samePort == port)
        await again.shutdown()
    }
}

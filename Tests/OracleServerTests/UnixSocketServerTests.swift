import Foundation
import Testing
@testable import OracleServer
#if canImport(Glibc)
import Glibc
#endif

@Suite("UnixSocketServer")
struct UnixSocketServerTests {
    @Test func getIsAnsweredByTheHandler() async throws {
        try await withServer { path, _ in
            let response = try await get(path, "/hello")
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/json")
            #expect(response.text == #"{"hello":"world"}"#)
        }
    }

    @Test func postBodyIsEchoed() async throws {
        try await withServer { path, _ in
            let body = String(repeating: "0123456789", count: 5000)
            let response = try await exchange(
                path,
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
            #expect(response.status == 200)
            #expect(response.text == body)
        }
    }

    @Test func chunkedRequestBodyIsReassembled() async throws {
        try await withServer { path, _ in
            let response = try await exchange(
                path,
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
            #expect(response.status == 200)
            #expect(response.text == "hello world")
        }
    }

    @Test func handlerNotFoundPassesThrough() async throws {
        try await withServer { path, _ in
            let response = try await get(path, "/nope")
            #expect(response.status == 404)
            let error = try #require(response.json?["error"] as? [String: Any])
            #expect(error["code"] as? String == "not_found")
            #expect((error["message"] as? String)?.contains("/nope") == true)
        }
    }

    @Test func pathAndQueryAreDecoded() async throws {
        try await withServer { path, _ in
            let response = try await get(path, "/v1/prices/BTC%20USD?pair=ETH%2DUSD&x=1")
            #expect(response.status == 200)
            #expect(response.json?["path"] as? String == "/v1/prices/BTC USD")
            #expect(response.json?["raw"] as? String == "/v1/prices/BTC%20USD")
            #expect(response.json?["pair"] as? String == "ETH-USD")
        }
    }

    @Test func invalidPercentEscapeIs400() async throws {
        try await withServer { path, _ in
            let response = try await get(path, "/v1/prices/%zz")
            #expect(response.status == 400)
            #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "bad_request")
        }
    }

    @Test func malformedRequestLineIs400JSONAndClosed() async throws {
        try await withServer { path, _ in
            let (response, closed) = try await offPool {
                let conn = try RawConnection(path: path)
                conn.send("THIS IS NOT HTTP\r\n\r\n")
                let response = try conn.readResponse()
                return (response, conn.waitForClose())
            }
            #expect(response.status == 400)
            #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "bad_request")
            #expect(closed)
            // The server is still healthy afterwards.
            #expect(try await get(path, "/hello").status == 200)
        }
    }

    @Test func oversizedHeaderIs431() async throws {
        try await withServer(limits: ServerLimits(maxHeaderBytes: 16 * 1024)) { path, _ in
            let big = String(repeating: "a", count: 20 * 1024)
            let response = try await exchange(path, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n")
            #expect(response.status == 431)
            #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "header_too_large")
        }
    }

    @Test func oversizedDeclaredBodyIs413() async throws {
        try await withServer(limits: ServerLimits(maxBodyBytes: 1024 * 1024)) { path, _ in
            let response = try await offPool {
                let conn = try RawConnection(path: path)
                let size = 2 * 1024 * 1024
                conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
                // The server answers and closes without reading the body; a failed send is expected.
                conn.send([UInt8](repeating: 0x41, count: size))
                return try conn.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.header("connection") == "close")
            #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "content_too_large")
        }
    }

    @Test func oversizedChunkedBodyIs413() async throws {
        try await withServer(limits: ServerLimits(maxBodyBytes: 1000)) { path, _ in
            let chunk = String(repeating: "b", count: 600)
            let response = try await exchange(
                path,
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
            )
            #expect(response.status == 413)
        }
    }

    @Test func socketFileMode0660() async throws {
        try await withServer { path, _ in
            var info = stat()
            #expect(lstat(path, &info) == 0)
            #expect(info.st_mode & S_IFMT == S_IFSOCK)
            #expect(info.st_mode & 0o777 == 0o660)
        }
    }

    @Test func parentDirectoryIsCreatedAndSocketRemovedOnShutdown() async throws {
        let dir = try makeTempDirectory()
        let path = dir + "/run/oracled/oracled.sock"
        let server = UnixSocketServer(path: path, handler: TestHandler())
        try await server.start()
        #expect(try await get(path, "/hello").status == 200)
        await server.shutdown()
        #expect(access(path, F_OK) != 0)
    }

    @Test func secondServerOnLivePathRefusesAndFirstKeepsServing() async throws {
        try await withServer { path, _ in
            var before = stat()
            #expect(lstat(path, &before) == 0)
            let second = UnixSocketServer(path: path, handler: TestHandler())
            let error = await #expect(throws: ServerError.self) { try await second.start() }
            #expect(error?.code == .socketInUse)
            #expect(error?.message.contains("another oracled is serving \(path)") == true)
            var after = stat()
            #expect(lstat(path, &after) == 0)
            #expect(after.st_ino == before.st_ino)
            let stillServing = try await get(path, "/hello")
            #expect(stillServing.status == 200)
            // Shutting down the refused server must not remove the first one's socket.
            await second.shutdown()
            let afterSecondShutdown = try await get(path, "/hello")
            #expect(afterSecondShutdown.status == 200)
        }
    }

    @Test func staleSocketFileIsReplaced() async throws {
        let dir = try makeTempDirectory()
        let path = dir + "/oracled.sock"
        // Bind without listening and close: the file stays, nobody answers (as after kill -9).
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = SocketPath.withUnixAddress(path) { bind(fd, $0, $1) }
        close(fd)
        #expect(bound == 0)
        #expect(access(path, F_OK) == 0)
        #expect(SocketPath.probe(path) == .stale)

        let server = UnixSocketServer(path: path, handler: TestHandler())
        try await server.start()
        #expect(try await get(path, "/hello").status == 200)
        await server.shutdown()
    }

    @Test func regularFileAtPathIsLeftAlone() async throws {
        let dir = try makeTempDirectory()
        let path = dir + "/oracled.sock"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8)))
        let server = UnixSocketServer(path: path, handler: TestHandler())
        let error = await #expect(throws: ServerError.self) { try await server.start() }
        #expect(error?.code == .pathNotSocket)
        #expect(FileManager.default.contents(atPath: path) == Data("keep me".utf8))
    }

    @Test func tooLongPathIsRejected() async throws {
        let path = "/tmp/" + String(repeating: "x", count: 120) + "/s.sock"
        let server = UnixSocketServer(path: path, handler: TestHandler())
        let error = await #expect(throws: ServerError.self) { try await server.start() }
        #expect(error?.code == .pathTooLong)
    }

    @Test func peerUIDIsTheCallers() async throws {
        try await withServer { path, _ in
            let response = try await get(path, "/peer")
            #expect(response.status == 200)
            #expect((response.json?["uid"] as? Int).map(UInt32.init) == getuid())
            #expect((response.json?["gid"] as? Int).map(UInt32.init) == getgid())
            #expect((response.json?["pid"] as? Int).map(Int32.init) == getpid())
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { path, _ in
            let statuses = try await offPool {
                let conn = try RawConnection(path: path)
                var statuses: [Int] = []
                for target in ["/hello", "/nope", "/hello"] {
                    conn.send("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
                    statuses.append(try conn.readResponse().status)
                }
                return statuses
            }
            #expect(statuses == [200, 404, 200])
        }
    }

    @Test func streamingResponseDeliversChunks() async throws {
        try await withServer { path, _ in
            let (head, chunks) = try await offPool {
                let conn = try RawConnection(path: path)
                conn.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
                let head = try conn.readHead()
                var chunks: [String] = []
                while let chunk = try conn.readChunk() { chunks.append(String(decoding: chunk, as: UTF8.self)) }
                return (head, chunks)
            }
            #expect(head.status == 200)
            #expect(head.header("transfer-encoding") == "chunked")
            #expect(head.header("content-type") == "application/x-ndjson")
            #expect(chunks == ["{\"seq\":1}\n", "{\"seq\":2}\n", "{\"seq\":3}\n"])
        }
    }

    @Test func clientDisconnectCancelsTheStreamProducer() async throws {
        let (terminated, signal) = AsyncStream<Void>.makeStream()
        try await withServer(handler: TestHandler(streamTerminated: signal)) { path, _ in
            let first = try await offPool {
                let conn = try RawConnection(path: path)
                conn.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try conn.readHead()
                return try conn.readChunk().map { String(decoding: $0, as: UTF8.self) }
                // conn is closed here, while the stream is idle.
            }
            #expect(first == "{\"seq\":1}\n")
            #expect(await firstElement(of: terminated, within: 5))
        }
    }

    @Test func twoHundredConcurrentClientsAreAllServed() async throws {
        try await withServer { path, _ in
            let statuses = try await offPool {
                // All 200 connections are open and have sent their request before any is read.
                let conns = try (0..<200).map { _ in try RawConnection(path: path) }
                for (i, conn) in conns.enumerated() {
                    conn.send("GET /\(i % 2 == 0 ? "hello" : "peer") HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                }
                return try conns.map { try $0.readResponse().status }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
        }
    }

    @Test func connectionsBeyondTheLimitAreClosed() async throws {
        try await withServer(limits: ServerLimits(maxConnections: 2)) { path, _ in
            let (thirdClosed, laterOK) = try await offPool {
                let a = try RawConnection(path: path)
                let b = try RawConnection(path: path)
                // Make sure both are accepted and counted before the third arrives.
                for conn in [a, b] {
                    conn.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                    _ = try conn.readResponse()
                }
                let c = try RawConnection(path: path)
                let closed = c.waitForClose()
                return (closed, true)
            }
            #expect(thirdClosed)
            #expect(laterOK)
            // Once those are gone, new clients are served again.
            var served = false
            for _ in 0..<50 where !served {
                served = (try? await get(path, "/hello").status) == 200
                if !served { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(served)
        }
    }

    @Test func slowClientDoesNotBlockOthersAndIsClosedAfterTimeout() async throws {
        let timeout = Duration.milliseconds(400)
        try await withServer(limits: ServerLimits(requestTimeout: timeout)) { path, _ in
            let slow = try await offPool {
                let conn = try RawConnection(path: path)
                conn.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Half: ")
                return conn
            }
            let started = ContinuousClock.now
            // Others are served while the slow client stalls.
            let others = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await get(path, "/hello").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(others == Array(repeating: 200, count: 10))
            let closed = try await offPool { slow.waitForClose() }
            let elapsed = ContinuousClock.now - started
            #expect(closed)
            #expect(elapsed >= timeout - .milliseconds(100))
            #expect(elapsed < .seconds(4))
        }
    }

    @Test func idleKeepAliveConnectionIsClosedAfterTimeout() async throws {
        try await withServer(limits: ServerLimits(requestTimeout: .milliseconds(300))) { path, _ in
            let (status, closed) = try await offPool {
                let conn = try RawConnection(path: path)
                conn.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                let status = try conn.readResponse().status
                return (status, conn.waitForClose())
            }
            #expect(status == 200)
            #expect(closed)
        }
    }

    @Test func shutdownEndsIdleAndStreamingConnectionsPromptly() async throws {
        let (terminated, signal) = AsyncStream<Void>.makeStream()
        let dir = try makeTempDirectory()
        let path = dir + "/oracled.sock"
        // A long request timeout, so only shutdown() can end these connections quickly.
        let server = UnixSocketServer(path: path, limits: ServerLimits(requestTimeout: .seconds(60)), handler: TestHandler(streamTerminated: signal))
        try await server.start()
        let (idle, streaming) = try await offPool {
            let idle = try RawConnection(path: path)
            idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try idle.readResponse()
            let streaming = try RawConnection(path: path)
            streaming.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try streaming.readHead()
            _ = try streaming.readChunk()
            return (idle, streaming)
        }
        let started = ContinuousClock.now
        await server.shutdown()
        #expect(ContinuousClock.now - started < .seconds(3))
        let closed = try await offPool { (idle.waitForClose(), streaming.waitForClose()) }
        #expect(closed == (true, true))
        #expect(await firstElement(of: terminated, within: 5))
        #expect(access(path, F_OK) != 0)
    }
}

/// A large answer on a connection that closes after it (`Connection: close`, as oraclectl sends)
/// reaches a slow reader whole: the close waits for NIO's pending writes (a 3 MB `/v1/prices` at
/// 2,000 pairs was cut to about 1.2 MB for a client reading 64 KiB at a time).
@Suite struct LargeAnswerOnClosingConnectionTests {
    @Test func aSlowReaderGetsTheWholeBodyBeforeTheClose() async throws {
        var limits = ServerLimits()
        limits.maxBodyBytes = 8 << 20
        limits.maxTotalBodyBytes = 16 << 20
        try await withServer(limits: limits) { path, _ in
            let size = 4 << 20
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let received = try await offPool { () throws -> [UInt8] in
                let conn = try RawConnection(path: path)
                conn.send("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(size)\r\n\r\n")
                _ = try conn.write(payload)
                // Let the server queue the whole answer while nothing reads it.
                usleep(300_000)
                var all: [UInt8] = []
                while let chunk = try conn.readSome() {
                    all += chunk
                    usleep(200)
                }
                return all
            }
            let text = received.prefix(400)
            let split = received.firstRange(of: Array("\r\n\r\n".utf8))
            let body = split.map { Array(received[$0.upperBound...]) } ?? []
            #expect(String(decoding: text, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            #expect(body.count == size, "got \(body.count) of \(size) body bytes")
            // A Bool, not the arrays: on failure the testing library would render a diff of 4 MiB.
            let intact = body == payload
            #expect(intact)
        }
    }
}

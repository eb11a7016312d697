import Foundation
import OracleCore
import Testing
@testable import OracleFetch

/// CurlMultiLoop against a real local HTTP/1.1 server: real sockets, real libcurl, no mocks.
@Suite struct CurlMultiLoopTests {
    /// The text behind `gzippedPayload` (200 lines of fake quotes, 6800 bytes).
    static let payload: [UInt8] = Array((0..<200).map { i in
        "BTC-USD bid 65000.\(twoDigits(i % 100)) ask 65001.\(twoDigits((i * 7) % 100))\n"
    }.joined().utf8)

    /// `gzip -n -9` of `payload`, precomputed so the test needs no zlib binding (523 bytes).
    static let gzippedPayload: [UInt8] = Array(Data(base64Encoded: """
        H4sIAAAAAAACA+3XMW4WMBAF4Z5T/Bcg8tretd0muUHCAYjSIEruL4GoRmLECVw+aaqve8/vL1+/vb0+Pn58Pipba0+tPb7/+vl3\
        xJ/x5fnfIlgsKzqKmFYMFD2smCy2FYlipBWFYnYrFotjxUaRZcVBUUOKoOky06DpMtOg6TbToOkx06DpMdOgaTPToGmYadA0zDRo\
        2s00aDrMtNN0mmmn6TTTTtM0007TMtNO0zLTTtNlpp2m20w7TbeZdpoeM+00bWY6aBpmOmgaZjpo2s100HSY6aDpMNNB02mmg6Zp\
        poOmaaaDpmWmg6bLTCdNt5lOmm4znTQ9Zjpp2sx00rSZ6aRpmOmkaTfTSdNuppOmw0wnTaeZJk3TTJOmaaZJ0zLTpOky06TpMtOk\
        6TbTpOkx06TpMdOkaTPTpGmYadG0m2nRtJtp0XSYadF0mmnRdJpp0TTNtGhaZlo0LTMtmi4zLZpuM100PWa6aHrMdNG0memiaZjp\
        ommY6aJpN9NF02Gmi6bDTBdNp5kumqaZbpqWmW6alplumi4z3TTdZrppus100/SY6aZpM9NN02amm6Zhppum3UwPTYeZHpoOMz00\
        nWZ6aJpmemiaZnpoWmZ6aLrM9NB0memh6TbTQ9NjpvdH3R91f9T9UfdH3R91f9T9UfdH3R91f9T9UfdH/e9H/QZt3TpDkBoAAA==
        """) ?? Data())

    static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Runs `body` with a started loop and a server, and always stops both.
    func withLoop(maxTotalConnections: Int = 32, handler: @escaping TestHTTPServer.Handler,
                  _ body: (CurlMultiLoop, TestHTTPServer) async throws -> Void) async throws {
        let server = try TestHTTPServer(handler: handler)
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0", maxTotalConnections: maxTotalConnections)
        loop.start()
        defer {
            loop.shutdown()
            server.stop()
        }
        try await body(loop, server)
    }

    func request(_ server: TestHTTPServer, _ path: String, totalTimeoutMs: Int = 5_000, maxBodyBytes: Int = 64 * 1024) -> FetchRequest {
        FetchRequest(url: server.baseURL + path, connectTimeoutMs: 1_000, totalTimeoutMs: totalTimeoutMs, maxBodyBytes: maxBodyBytes)
    }

    /// Waits (bounded) for a condition the server reports, instead of sleeping a guessed time.
    func waitUntil(_ what: String, timeoutMs: Int = 3_000, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while !condition() {
            if ContinuousClock.now > deadline { Issue.record("timed out waiting for \(what)"); return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Runs a fetch in its own task, keeping the typed error (Task erases it to `any Error`).
    /// With `afterCancellation`, the task waits until it is cancelled before fetching.
    func spawn(_ loop: CurlMultiLoop, _ request: FetchRequest, afterCancellation: Bool = false) -> Task<Result<FetchResponse, FetchError>, Never> {
        Task {
            if afterCancellation { while !Task.isCancelled { await Task.yield() } }
            do throws(FetchError) { return .success(try await loop.fetch(request)) } catch { return .failure(error) }
        }
    }

    func expectFetchError(_ code: FetchError.Code, _ operation: () async throws(FetchError) -> FetchResponse) async -> FetchError? {
        do {
            let response = try await operation()
            Issue.record("expected \(code), got HTTP \(response.status)")
            return nil
        } catch {
            #expect(error.code == code, "\(error)")
            return error
        }
    }

    @Test func okResponseRoundTripsBodyAndHeaders() async throws {
        try await withLoop(handler: { request in
            .respond(status: 200, headers: [("Content-Type", "application/json"), ("X-Echo-UA", request.headers["user-agent"] ?? "-"),
                                            ("X-Echo-AE", request.headers["accept-encoding"] ?? "-")],
                     body: Array(#"{"price":"65000.5"}"#.utf8))
        }) { loop, server in
            let response = try await loop.fetch(request(server, "/ticker?symbol=BTC-USD"))
            #expect(response.status == 200)
            #expect(response.body == Array(#"{"price":"65000.5"}"#.utf8))
            #expect(response.header("content-type") == "application/json")
            #expect(response.header("X-Echo-UA") == "oracled-test/1.0")
            #expect(response.header("X-Echo-AE")?.contains("gzip") == true, "ACCEPT_ENCODING \"\" advertises gzip")
            #expect(response.timing.totalMs > 0)
            #expect(response.timing.totalMs >= response.timing.connectMs)
            #expect(response.newConnections == 1)
            // The per-request override wins over the loop's default.
            var custom = request(server, "/ticker")
            custom.userAgent = "venue-specific/2"
            #expect(try await loop.fetch(custom).header("X-Echo-UA") == "venue-specific/2")
            #expect(response.venueResponse(receivedAtMs: 7).header("Content-Type") == "application/json")
        }
    }

    @Test func rateLimitedResponseKeepsRetryAfterVisible() async throws {
        try await withLoop(handler: { _ in
            .respond(status: 429, headers: [("Retry-After", "7")], body: Array("slow down".utf8))
        }) { loop, server in
            let response = try await loop.fetch(request(server, "/ticker"))
            #expect(response.status == 429)
            #expect(response.header("retry-after") == "7")
            #expect(response.body == Array("slow down".utf8))
        }
    }

    @Test func onlyTheFinalResponsesHeadersAreKept() async throws {
        let raw = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\nX-Folded: first\r\n  second\r\n\r\nok"
        try await withLoop(handler: { _ in .raw(Array(raw.utf8)) }) { loop, server in
            let response = try await loop.fetch(request(server, "/hints"))
            #expect(response.status == 200)
            #expect(response.body == Array("ok".utf8))
            #expect(response.header("Link") == nil)
            #expect(response.header("X-Final") == "yes")
            #expect(response.header("X-Folded") == "first second")
        }
    }

    @Test func gzipBodyIsDecoded() async throws {
        #expect(Self.gzippedPayload.count == 523)
        try await withLoop(handler: { request in
            guard request.headers["accept-encoding"]?.contains("gzip") == true else {
                return .respond(status: 406, body: Array("client did not accept gzip".utf8))
            }
            return .respond(status: 200, headers: [("Content-Encoding", "gzip")], body: Self.gzippedPayload)
        }) { loop, server in
            let response = try await loop.fetch(request(server, "/gz"))
            #expect(response.status == 200)
            #expect(response.body.count == Self.payload.count)
            let decodedMatches = response.body == Self.payload
            #expect(decodedMatches, "decoded body differs from the original text")
        }
    }

    @Test func bodyLargerThanTheLimitFails() async throws {
        try await withLoop(handler: { request in
            if request.path == "/gz" {
                return .respond(status: 200, headers: [("Content-Encoding", "gzip")], body: Self.gzippedPayload)
            }
            return .respond(status: 200, body: [UInt8](repeating: 0x41, count: 10_000))
        }) { loop, server in
            // Announced by Content-Length.
            let announced = await expectFetchError(.bodyTooLarge) { () throws(FetchError) in
                try await loop.fetch(request(server, "/big", maxBodyBytes: 1_000))
            }
            #expect(announced?.message.contains("127.0.0.1") == true)
            // Small on the wire, too large once decoded: the write callback catches it.
            _ = await expectFetchError(.bodyTooLarge) { () throws(FetchError) in
                try await loop.fetch(request(server, "/gz", maxBodyBytes: 1_000))
            }
            // Exactly at the limit is fine.
            let exact = try await loop.fetch(request(server, "/big", maxBodyBytes: 10_000))
            #expect(exact.body.count == 10_000)
        }
    }

    @Test func silentServerTimesOutWithinTheTotalTimeout() async throws {
        try await withLoop(handler: { _ in .hang }) { loop, server in
            let started = ContinuousClock.now
            let error = await expectFetchError(.timeout) { () throws(FetchError) in
                try await loop.fetch(request(server, "/never", totalTimeoutMs: 300))
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(290))
            // Generous slack: under a parallel test run on 2 cores the loop thread may wait for CPU;
            // what matters is that the 300 ms timeout fires instead of the request hanging.
            #expect(elapsed < .milliseconds(5_000), "timeout took \(elapsed)")
            #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
        }
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        let port = try TestHTTPServer.unusedPort()
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        loop.start()
        defer { loop.shutdown() }
        let error = await expectFetchError(.connectFailed) { () throws(FetchError) in
            try await loop.fetch(FetchRequest(url: "http://127.0.0.1:\(port)/ticker", connectTimeoutMs: 1_000, totalTimeoutMs: 2_000))
        }
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
        #expect(error?.curlCode == 7)
    }

    @Test func invalidRequestsAreRejectedClearly() async throws {
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        loop.start()
        defer { loop.shutdown() }
        for url in ["ftp://127.0.0.1/file", "file:///etc/passwd", "not a url", ""] {
            let error = await expectFetchError(.invalidRequest) { () throws(FetchError) in
                try await loop.fetch(FetchRequest(url: url, connectTimeoutMs: 500, totalTimeoutMs: 500))
            }
            #expect(error?.description.isEmpty == false)
        }
        let zero = await expectFetchError(.invalidRequest) { () throws(FetchError) in
            try await loop.fetch(FetchRequest(url: "http://127.0.0.1:1/", connectTimeoutMs: 0, totalTimeoutMs: 0))
        }
        #expect(zero?.message.contains("positive") == true)
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await withLoop(handler: { request in
            request.path == "/moved" ? .respond(status: 302, headers: [("Location", "/elsewhere")]) : .respond(status: 200, body: Array("followed".utf8))
        }) { loop, server in
            let response = try await loop.fetch(request(server, "/moved"))
            #expect(response.status == 302)
            #expect(response.header("location") == "/elsewhere")
            #expect(server.requestCount == 1)
        }
    }

    @Test func fiftyConcurrentFetchesAllComplete() async throws {
        try await withLoop(maxTotalConnections: 16, handler: { request in
            .delayed(ms: 20, .respond(status: 200, body: Array(request.path.utf8)))
        }) { loop, server in
            let bodies = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for i in 0..<50 {
                    group.addTask { (i, try await loop.fetch(request(server, "/item/\(i)")).body) }
                }
                var results: [Int: [UInt8]] = [:]
                for try await (i, body) in group { results[i] = body }
                return results
            }
            #expect(bodies.count == 50)
            for i in 0..<50 { #expect(bodies[i] == Array("/item/\(i)".utf8)) }
            #expect(server.requestCount == 50)
            #expect(server.acceptedConnections <= 16, "CURLMOPT_MAX_TOTAL_CONNECTIONS bounds the connections")
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        try await withLoop(handler: { _ in .respond(status: 200, body: Array("x".utf8)) }) { loop, server in
            var opened: [Int] = []
            for _ in 0..<5 { opened.append(try await loop.fetch(request(server, "/ticker")).newConnections) }
            #expect(server.acceptedConnections == 1)
            #expect(server.requestCount == 5)
            #expect(opened == [1, 0, 0, 0, 0])
        }
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        try await withLoop(handler: { _ in .hang }) { loop, server in
            let task = spawn(loop, request(server, "/never", totalTimeoutMs: 10_000))
            try await waitUntil("the request to reach the server") { server.requestCount == 1 }
            let started = ContinuousClock.now
            task.cancel()
            let result = await task.value
            #expect(ContinuousClock.now - started < .seconds(2))
            guard case .failure(let error) = result else { Issue.record("cancelled fetch succeeded"); return }
            #expect(error.code == .cancelled)
            // libcurl dropped the half-finished exchange: the server sees the connection close.
            try await waitUntil("the client to close the connection") { server.clientClosedWhileHanging == 1 }
            // The loop keeps working after a cancellation.
            let ok = try TestHTTPServer { _ in .respond(status: 200, body: Array("fine".utf8)) }
            defer { ok.stop() }
            #expect(try await loop.fetch(request(ok, "/")).body == Array("fine".utf8))
        }
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        try await withLoop(handler: { _ in .respond(status: 200) }) { loop, server in
            let task = spawn(loop, request(server, "/ticker"), afterCancellation: true)
            task.cancel()
            guard case .failure(let error) = await task.value else { Issue.record("cancelled fetch succeeded"); return }
            #expect(error.code == .cancelled)
            #expect(server.requestCount == 0)
        }
    }

    @Test func shutdownFailsPendingRequestsAndLaterOnes() async throws {
        let server = try TestHTTPServer { _ in .hang }
        defer { server.stop() }
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        // Queued before start: waits for the thread, then hangs on the server.
        let task = spawn(loop, request(server, "/never", totalTimeoutMs: 10_000))
        loop.start()
        try await waitUntil("the request to reach the server") { server.requestCount == 1 }
        loop.shutdown()
        guard case .failure(let error) = await task.value else { Issue.record("fetch survived shutdown"); return }
        #expect(error.code == .cancelled)
        #expect(error.message.contains("shut down"))
        let late = await expectFetchError(.cancelled) { () throws(FetchError) in
            try await loop.fetch(request(server, "/never"))
        }
        #expect(late?.message.contains("shut down") == true)
        loop.shutdown()  // idempotent
    }

    @Test func shutdownBeforeStartFailsQueuedRequests() async throws {
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        let task = spawn(loop, FetchRequest(url: "http://127.0.0.1:1/"))
        try await waitUntil("the request to be queued") { loop.queuedCount == 1 }
        loop.shutdown()
        loop.start()  // no effect after shutdown
        guard case .failure(let error) = await task.value else { Issue.record("fetch ran without a loop"); return }
        #expect(error.code == .cancelled)
    }

    @Test func loopIsReleasedAfterShutdown() async throws {
        weak var weakLoop: CurlMultiLoop?
        do {
            let server = try TestHTTPServer { _ in .respond(status: 200, body: Array("x".utf8)) }
            defer { server.stop() }
            let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
            weakLoop = loop
            loop.start()
            _ = try await loop.fetch(request(server, "/"))
            loop.shutdown()
        }
        // The thread held the only other reference; after the join nothing keeps the loop alive.
        #expect(weakLoop == nil)
    }
}

import Foundation
import OracleClient
import Testing

/// The one client (`OracleClient`) that oraclectl, the end-to-end tests and the server tests share:
/// every body framing oracled uses (and close-delimited), interim answers, streamed lines, timeouts,
/// and errors that say what failed and carry a kind a retrying caller can act on.
@Suite(.serialized)
struct UnixHTTPClientTests {
    func client(_ server: CannedServer, timeout: Double? = 2) -> UnixHTTPClient {
        UnixHTTPClient(endpoint: .unix(path: server.path), timeout: timeout, userAgent: "client-tests")
    }

    @Test func contentLengthChunkedAndCloseDelimitedBodies() throws {
        let server = try CannedServer { request in
            if request.contains(" /length ") {
                return [(0, bytes("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello")), (0.05, bytes(" world"))]
            }
            if request.contains(" /chunked ") {
                // A chunk extension, a chunk split across writes, a trailer.
                return [(0, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhel")),
                        (0.05, bytes("lo\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"))]
            }
            return [(0, bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\nno such ")), (0.05, bytes("thing"))]
        }
        defer { server.stop() }
        let c = client(server)
        let length = try c.send("GET", "/length")
        #expect(length.status == 200 && length.text == "hello world")
        let chunked = try c.send("GET", "/chunked")
        #expect(chunked.status == 200 && chunked.text == "hello world" && chunked.header("TRANSFER-ENCODING") == "chunked")
        let closed = try c.send("GET", "/other")
        #expect(closed.status == 404 && closed.text == "no such thing" && !closed.isSuccess, "1xx skipped, body read to the close")

        let post = try c.send("POST", "/length", body: Array("{}".utf8), contentType: "application/json")
        #expect(post.text == "hello world")
        let sent = server.received.last ?? ""
        #expect(sent.hasPrefix("POST /length HTTP/1.1\r\n") && sent.contains("Content-Length: 2\r\n")
                && sent.contains("Content-Type: application/json\r\n") && sent.contains("User-Agent: client-tests\r\n")
                && sent.contains("Connection: close\r\n") && sent.hasSuffix("\r\n\r\n{}"), "\(sent)")
    }

    @Test func streamedLinesArriveAsTheyComeAndErrorsComeWhole() throws {
        let server = try CannedServer { request in
            if request.contains("bad") {
                return [(0, bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nunknown pair\n"))]
            }
            return [(0, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")),
                    (0, bytes("4\r\n{\"a\"\r\n")), (0.05, bytes("4\r\n:1}\n\r\n")), (0.05, bytes("9\r\n{\"b\":2}\n\n\r\n")),
                    (0, bytes("6\r\n{\"c\":3\r\n0\r\n\r\n"))]
        }
        defer { server.stop() }
        var lines: [String] = []
        let ok = try client(server).streamLines("/stream") { lines.append($0) }
        #expect(ok.status == 200 && lines == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3"#], "split lines joined, blank lines dropped, the unterminated tail last")
        var none: [String] = []
        let bad = try client(server).streamLines("/stream?bad") { none.append($0) }
        #expect(bad.status == 404 && bad.text == "unknown pair\n" && none.isEmpty)
    }

    @Test func aSilentDaemonTimesOutAndAMissingOneSaysSo() throws {
        let silent = try CannedServer({ _ in [(0, bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"))] }, closeAfter: false)
        defer { silent.stop() }
        let t0 = Date()
        #expect {
            try client(silent, timeout: 0.3).send("GET", "/x")
        } throws: { error in
            let e = error as? ClientError
            return e?.kind == .timeout && e?.description.contains(silent.path) == true
        }
        let waited = Date().timeIntervalSince(t0)
        #expect(waited >= 0.25 && waited < 3, "gave up after \(waited) s, not about 0.3 s")

        let missing = UnixHTTPClient(endpoint: .unix(path: "/tmp/occl-nothing-here.sock"), connectHint: "is oracled running?")
        #expect {
            try missing.send("GET", "/x")
        } throws: { error in
            let e = error as? ClientError
            return e?.kind == .connect && e?.description.contains("/tmp/occl-nothing-here.sock") == true
                && e?.description.contains("is oracled running?") == true
        }
        let long = UnixHTTPClient(socketPath: "/tmp/" + String(repeating: "x", count: 120))
        #expect { try long.send("GET", "/") } throws: { ($0 as? ClientError)?.description.contains("107 bytes") == true }
    }

    @Test func repliesThatAreNotOraclesAreNamedProtocolErrors() throws {
        let server = try CannedServer { request in
            if request.contains("/ssh") { return [(0, bytes("SSH-2.0-OpenSSH_9.2\r\n"))] }
            if request.contains("/chunk") { return [(0, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))] }
            if request.contains("/short") { return [(0, bytes("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly this"))] }
            return [(0, bytes("HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n"))]
        }
        defer { server.stop() }
        let c = client(server)
        for (target, kind, words) in [("/ssh", ClientError.Kind.protocol, "not HTTP"), ("/chunk", .protocol, "chunk size"),
                                      ("/short", .io, "closed the connection"), ("/length", .protocol, "Content-Length")] {
            #expect(throws: ClientError.self, "\(target)") { try c.send("GET", target) }
            do {
                _ = try c.send("GET", target)
            } catch {
                #expect(error.kind == kind && error.description.contains(words), "\(target): \(error)")
            }
        }
    }

    @Test func rawConnectionSendsExactlyTheBytesGiven() throws {
        let server = try CannedServer { _ in [(0, bytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"))] }
        defer { server.stop() }
        let conn = try RawConnection(path: server.path, timeout: 2)
        #expect(conn.send("BREW /pot HTCPCP/1.0\r\n\r\n"))
        let reply = try conn.readResponse()
        #expect(reply.status == 400 && reply.text == "bad")
        #expect(conn.waitForClose())
        #expect(server.received.last == "BREW /pot HTCPCP/1.0\r\n\r\n")
    }
}

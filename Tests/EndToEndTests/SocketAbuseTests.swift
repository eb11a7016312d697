import Foundation
import Testing
import OracleClient
#if canImport(Glibc)
import Glibc
#endif

/// Raw requests on OracleClient's `RawConnection` (the client oraclectl uses): exact bytes out —
/// half requests, garbage, idle sockets — and whatever comes back, tolerantly read.
extension RawConnection {
    /// A connection, or nil when the daemon refused it (counted by the tests, not a failure).
    static func abuse(_ path: String, timeout: Double = 3) -> RawConnection? {
        try? RawConnection(path: path, timeout: timeout)
    }

    /// Status, head and body of the next answer; status 0 when none came (closed, timed out, not
    /// HTTP), and the head alone when the body never completes.
    func answer() -> (status: Int, head: String, body: String) {
        guard let head = try? readHead() else { return (0, "", "") }
        let text = "\(head.status) " + head.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\r\n")
        return (head.status, text, ((try? readBody(of: head)) ?? head).text)
    }

    /// One raw request on a fresh connection.
    static func exchange(_ path: String, _ raw: [UInt8], timeout: Double = 3) -> (status: Int, head: String, body: String) {
        guard let c = abuse(path, timeout: timeout) else { return (-1, "connect failed errno \(errno)", "") }
        c.send(raw)
        return c.answer()
    }
}

/// Abuse of the daemon's Unix socket: thousands of connections, slow clients, oversized heads and
/// bodies, bad methods, paths and JSON — memory bounded, others still served, clear 4xx answers.
@Suite(.serialized)
struct SocketAbuseTests {
    /// A well-behaved client must get its answer within this while the abuse goes on (derived in
    /// `WallClockBounds.promptAnswerSeconds`).
    static let promptSeconds = WallClockBounds.promptAnswerSeconds

    static func promptlyServed(_ rig: StressRig) -> (ok: Bool, ms: Int) {
        let t0 = Date()
        let r = try? UnixHTTPClient(path: rig.socketPath).request("GET", "/v1/health", timeout: 3)
        let ms = Int(Date().timeIntervalSince(t0) * 1000)
        return (r?.status == 200 && Double(ms) < promptSeconds * 1000, ms)
    }

    @Test func thousandsOfConnectionsAndSlowClientsDoNotStarveOthers() async throws {
        let rig = try await StressRig("conns", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { FileManager.default.fileExists(atPath: rig.socketPath) && Self.promptlyServed(rig).ok },
                "daemon not serving; log:\n\(rig.daemon.log)")
        let rss0 = residentKiB(pid: rig.pid) ?? 0
        var held: [RawConnection] = []
        var opened = 0
        var served = 0
        var refusedAtConnect = 0
        var slow = [String]()

        // 2000 connections in batches of 250: every other one asks for all prices, the rest stay idle.
        for batch in 0..<8 {
            for i in 0..<250 {
                guard let c = RawConnection.abuse(rig.socketPath, timeout: 2) else { refusedAtConnect += 1; continue }
                opened += 1
                if i % 2 == 0 {
                    c.send("GET /v1/prices HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if c.answer().status == 200 { served += 1 }
                } else {
                    held.append(c)
                }
            }
            let p = Self.promptlyServed(rig)
            if !p.ok { slow.append("after batch \(batch) (\(held.count) idle): \(p.ms) ms") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Slow clients: half a request line, then nothing.
        for _ in 0..<200 {
            guard let c = RawConnection.abuse(rig.socketPath, timeout: 2) else { refusedAtConnect += 1; continue }
            opened += 1
            c.send("GET /v1/prices HTTP/1.1\r\nHost: lo")
            held.append(c)
        }
        // A slow body: head promising 100 bytes, 10 delivered.
        for _ in 0..<50 {
            guard let c = RawConnection.abuse(rig.socketPath, timeout: 2) else { continue }
            opened += 1
            c.send("PUT /v1/accounts/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":\"sl")
            held.append(c)
        }
        for attempt in 0..<5 {
            let p = Self.promptlyServed(rig)
            if !p.ok { slow.append("with \(held.count) idle/slow clients, attempt \(attempt): \(p.ms) ms") }
        }
        let rssPeak = residentKiB(pid: rig.pid) ?? 0
        let fdsPeak = openFileCount(pid: rig.pid) ?? 0
        #expect(slow.isEmpty, "well-behaved clients were not served promptly: \(slow)")
        #expect(served >= 900, "only \(served) of 1000 requests among the crowd were answered")
        #expect(rig.daemon.process.isRunning, "oracled died; log:\n\(rig.daemon.log)")
        #expect(rssPeak < 300 * 1024, "VmRSS \(rssPeak) KiB with \(held.count) open connections")

        held = []   // closes them
        #expect(await eventually(timeout: 5) { (openFileCount(pid: rig.pid) ?? 0) < 200 },
                "descriptors not released: \(openFileCount(pid: rig.pid) ?? -1) open")
        #expect(Self.promptlyServed(rig).ok)
        print("RELIABILITY socket connections=\(opened) served=\(served) refused_at_connect=\(refusedAtConnect) peak_fds=\(fdsPeak) rss_kib=\(rss0)->\(rssPeak)")
    }

    @Test func badRequestsGetClear4xxAnswers() async throws {
        let rig = try await StressRig("badreq", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { Self.promptlyServed(rig).ok }, "daemon not serving; log:\n\(rig.daemon.log)")
        let rss0 = residentKiB(pid: rig.pid) ?? 0
        let sock = rig.socketPath
        var sent = 0
        var failures: [String] = []

        func expect4xx(_ name: String, _ raw: [UInt8], _ allowed: ClosedRange<Int> = 400...499, json: Bool = true) {
            sent += 1
            let r = RawConnection.exchange(sock, raw)
            if !allowed.contains(r.status) {
                failures.append("\(name): status \(r.status) \(r.head.prefix(80)) \(r.body.prefix(120))")
            } else if json, !r.body.contains("\"error\"") {
                failures.append("\(name): \(r.status) without a JSON error: \(r.body.prefix(120))")
            }
        }
        func req(_ line: String, headers: String = "", body: String = "") -> [UInt8] {
            Array("\(line)\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)".utf8)
        }

        // Oversized head and body.
        expect4xx("64 KiB header", req("GET /v1/prices HTTP/1.1", headers: "X-Big: \(String(repeating: "a", count: 64 * 1024))\r\n"), 431...431)
        expect4xx("4000 headers", req("GET /v1/prices HTTP/1.1", headers: (0..<4000).map { "X-H\($0): v\r\n" }.joined()), 431...431)
        expect4xx("declared 100 MB body", Array("PUT /v1/accounts/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n".utf8), 413...413)
        var chunked = Array("PUT /v1/accounts/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for _ in 0..<1100 { chunked += Array("8000\r\n".utf8) + [UInt8](repeating: 0x41, count: 0x8000) + Array("\r\n".utf8) }
        chunked += Array("0\r\n\r\n".utf8)
        expect4xx("chunked 34 MiB body", chunked, 413...413)
        expect4xx("long path", req("GET /v1/prices/\(String(repeating: "A", count: 8000)) HTTP/1.1"), 404...404)

        // Methods.
        for m in ["FOO", "BREW", "G E T", "GET\u{1}"] { expect4xx("method \(m)", req("\(m) /v1/prices HTTP/1.1"), 400...405) }
        for (m, p) in [("DELETE", "/v1/prices"), ("POST", "/v1/health"), ("PATCH", "/v1/accounts/x"), ("GET", "/v1/reload"),
                       ("PUT", "/metrics"), ("TRACE", "/v1/prices"), ("CONNECT", "/v1/prices")] {
            // NIO's encoder sends no body on an answer to CONNECT: the status alone must be clear.
            expect4xx("\(m) \(p)", req("\(m) \(p) HTTP/1.1"), 400...405, json: m != "CONNECT")
        }
        // Paths.
        for p in ["/v1/prices/%ZZ", "/../../etc/passwd", "*", "/v1//prices/../health", "/v1/prices/%00", "/%", "/v1/accounts/%2e%2e",
                  "/v1/prices?pair=%ff%fe", "/\u{7f}", "/v1/prices/BTC-USD/extra/segments", "/v2/prices", "/v1", "/index.html"] {
            expect4xx("path \(p)", req("GET \(p) HTTP/1.1"))
        }
        // Broken HTTP.
        expect4xx("no version", Array("GET /v1/prices\r\n\r\n".utf8), 400...499, json: false)
        expect4xx("HTTP/9.9", req("GET /v1/prices HTTP/9.9"), 400...505, json: false)
        expect4xx("binary garbage", (0..<512).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } + Array("\r\n\r\n".utf8))
        expect4xx("bad content-length", Array("PUT /v1/accounts/x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".utf8))
        expect4xx("two content-lengths", Array("PUT /v1/accounts/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".utf8))

        // Invalid JSON and invalid accounts on PUT /v1/accounts/x.
        let bodies = ["{", "[]", "null", "\"x\"", "{\"id\":\"x\"", "{\"id\": 5}", "{\"id\":\"x\",\"collateral\":\"lots\"}",
                      "{\"id\":\"x\",\"collateral\":[{\"asset\":\"USD\",\"amount\":\"1e999999\"}],\"positions\":[]}",
                      "{\"id\":\"x\",\"collateral\":[{\"asset\":\"NOPE\",\"amount\":\"1\"}],\"positions\":[]}",
                      "{\"id\":\"x\",\"collateral\":[],\"positions\":[{\"pair\":\"DOGE-USD\",\"quantity\":\"1\",\"entry_price\":\"1\"}]}",
                      "{\"id\":\"y\",\"collateral\":[],\"positions\":[]}",
                      String(repeating: "[", count: 100_000), "\u{0}\u{1}\u{2}", "{\"id\":\"x\",\"collateral\":[{\"asset\":\"USD\",\"amount\":NaN}]}"]
        for (i, b) in bodies.enumerated() {
            expect4xx("PUT body #\(i) \(b.prefix(30))", req("PUT /v1/accounts/x HTTP/1.1", headers: "Content-Type: application/json\r\n", body: b))
        }
        expect4xx("import garbage", req("POST /v1/accounts/import HTTP/1.1", body: "not json\n{\"id\":\n"))
        expect4xx("whatif garbage", req("POST /v1/whatif HTTP/1.1", body: "{\"shock\":"))

        #expect(failures.isEmpty, "\(failures.count) bad requests without a clear 4xx: \(failures)")
        #expect(rig.daemon.process.isRunning, "oracled died; log:\n\(rig.daemon.log)")
        #expect(Self.promptlyServed(rig).ok)
        let rss1 = residentKiB(pid: rig.pid) ?? 0
        #expect(rss1 < 300 * 1024, "VmRSS \(rss1) KiB")
        print("RELIABILITY badrequests sent=\(sent) unclear=\(failures.count) rss_kib=\(rss0)->\(rss1)")
    }

    @Test func concurrentLargeBodiesStayWithinAMemoryBudget() async throws {
        let rig = try await StressRig("bodies", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { Self.promptlyServed(rig).ok }, "daemon not serving; log:\n\(rig.daemon.log)")
        let rss0 = residentKiB(pid: rig.pid) ?? 0
        // 12 clients each push 20 MiB of a declared 30 MiB import, then stall (each is under the per-request limit).
        let chunk = [UInt8](repeating: 0x20, count: 1 << 20)
        var uploads: [RawConnection] = []
        for _ in 0..<12 {
            guard let c = RawConnection.abuse(rig.socketPath, timeout: 2) else { continue }
            uploads.append(c)
            c.send("POST /v1/accounts/import HTTP/1.1\r\nHost: x\r\nContent-Length: \(30 << 20)\r\n\r\n")
            for _ in 0..<20 where c.send(chunk) {}
        }
        try await Task.sleep(for: .milliseconds(300))
        let rssPeak = residentKiB(pid: rig.pid) ?? 0
        var busy = 0
        for c in uploads {
            c.setTimeout(0.1)
            if c.answer().status == 503 { busy += 1 }
        }
        #expect(rssPeak < 300 * 1024, "VmRSS \(rssPeak) KiB with 12 × 20 MiB bodies in flight")
        #expect(busy >= 6, "only \(busy) of 12 oversubscribed uploads were told 503")
        #expect(Self.promptlyServed(rig).ok, "a normal client was not served during the uploads")
        uploads = []   // closes them
        // The budget is returned: a real import still works afterwards.
        let line = #"{"id":"after","collateral":[{"asset":"USD","amount":"100"}],"positions":[]}"#
        let imp = try rig.client.request("POST", "/v1/accounts/import", body: line + "\n")
        #expect(imp.status == 200, "import after the flood → \(imp.status) \(imp.body)")
        print("RELIABILITY bodies uploads=12 mib_each=20 busy_503=\(busy) rss_kib=\(rss0)->\(rssPeak)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to act as a second uid"),
          .enabled(if: findTool("setpriv") != nil && findTool("curl") != nil, "needs setpriv and curl (.ci/run installs util-linux and curl)"))
    func mutatingRoutesRefuseOtherUIDs() async throws {
        let setpriv = try #require(findTool("setpriv")), curl = try #require(findTool("curl"))
        let rig = try await StressRig("peer", config: StressConfig())
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { Self.promptlyServed(rig).ok }, "daemon not serving; log:\n\(rig.daemon.log)")
        // The socket is 0660 root:root; let uid 65534 reach it, so only SO_PEERCRED stands in the way.
        chmod(rig.dir, 0o755)
        chmod(rig.socketPath, 0o666)
        let account = #"{"id":"x","collateral":[{"asset":"USD","amount":"1000"}],"positions":[]}"#

        func curlAs(_ uid: Int?, _ method: String, _ path: String, body: String? = nil) async -> String {
            var args = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--unix-socket", rig.socketPath, "-X", method]
            if let body { args += ["--data-binary", body] }
            args.append("http://localhost\(path)")
            let r = uid.map { u in (setpriv, ["--reuid=\(u)", "--regid=\(u)", "--clear-groups", curl] + args) } ?? (curl, args)
            return await runCommand(r.0, r.1).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var checks = 0
        for (method, path, body) in [("POST", "/v1/reload", nil), ("PUT", "/v1/accounts/x", account), ("DELETE", "/v1/accounts/x", nil),
                                     ("POST", "/v1/accounts/import", account + "\n"), ("POST", "/v1/accounts/x/hold", #"{"reason":"r"}"#)] as [(String, String, String?)] {
            let code = await curlAs(65534, method, path, body: body)
            #expect(code == "403", "uid 65534 \(method) \(path) → \(code), expected 403")
            checks += 1
        }
        for path in ["/v1/prices", "/v1/health", "/v1/accounts"] {
            let code = await curlAs(65534, "GET", path)
            #expect(code == "200", "uid 65534 GET \(path) → \(code), expected 200")
            checks += 1
        }
        // The daemon's own user (root here) may change things.
        #expect(await curlAs(nil, "POST", "/v1/reload") == "200")
        #expect(await curlAs(nil, "PUT", "/v1/accounts/x", body: account) == "200")
        print("RELIABILITY peercred checks=\(checks + 2) uid=65534")
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// The desk page, `/v1/session` and the `[daemon] http` listener's rules, at two depths: the router
/// (headers a browser or an attacker would send) and a real `LoopbackHTTPServer` on a TCP port.
struct DeskRoutesTests {
    static let account = #"{"id":"a1","collateral":[{"asset":"USD","amount":"4000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"#

    struct Fixture {
        let router: APIRouter
        let desk: MarginDesk
    }

    func make() async throws -> Fixture {
        let spool = NSTemporaryDirectory() + "desk-\(UUID().uuidString)"
        var policy = MarginPolicy()
        policy.priceSide = .mid
        let universe = MarginUniverse(policy: policy, collateral: [], pairs: MarginRoutesTests.pairs)
        let desk = try await MarginDesk(db: try OracleDatabase.inMemory(), spoolDirectory: spool,
                                        syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe,
                                        logger: Logger(label: "test"))
        let state = OracleState(startedAtMs: 0)
        await state.configure(pairs: MarginRoutesTests.pairs)
        let router = APIRouter(state: state, reloads: ReloadController(configPath: "/nonexistent.toml", state: state),
                               margin: MarginRoutes(desk: desk), ownUID: getuid())
        let mark = { (pair: String, price: Double) in
            Mark(pair: pair, price: price, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1_000, seq: 1, sources: [])
        }
        await desk.onMarks(["BTC-USD": mark("BTC-USD", 60_000), "ETH-USD": mark("ETH-USD", 3_000)], nowMs: 1_000)
        return Fixture(router: router, desk: desk)
    }

    static func json(_ r: APIResponse) -> [String: Any] {
        guard case .bytes(let b) = r.body else { return [:] }
        return (try? JSONSerialization.jsonObject(with: Data(b))) as? [String: Any] ?? [:]
    }

    static func text(_ r: APIResponse) -> String {
        guard case .bytes(let b) = r.body else { return "" }
        return String(decoding: b, as: UTF8.self)
    }

    // MARK: router depth

    @Test func thePageIsSelfContained() async throws {
        let f = try await make()
        let r = await f.router.handle(APIRequest(method: "GET", path: "/"))
        #expect(r.status == 200)
        #expect(r.contentType == "text/html; charset=utf-8")
        let html = Self.text(r)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<title>oracled desk</title>"))
        // Offline: nothing is loaded from elsewhere (no script/style/img sources, no absolute URLs
        // other than the SVG namespace name, which is an identifier, not a fetch).
        for needle in ["<script src", "<link rel=\"stylesheet\"", "@import", "<img", "https://"] {
            #expect(!html.contains(needle), "the page must not load \(needle)")
        }
        let absolute = html.components(separatedBy: "http://").dropFirst().filter { !$0.hasPrefix("www.w3.org/2000/svg") }
        #expect(absolute.isEmpty, "absolute URLs in the page: \(absolute.map { $0.prefix(40) })")
        // It reads the routes it relies on, relatively (so it works under a proxy prefix).
        for route in ["\"v1/prices/stream\"", "\"v1/session\"", "\"v1/accounts\"", "\"v1/calls?state=open\"", "\"v1/health\"", "/ack\""] {
            #expect(html.contains(route), "the page does not use \(route)")
        }
        let headers = Dictionary(r.headers, uniquingKeysWith: { a, _ in a })
        #expect(headers["Content-Security-Policy"]?.contains("frame-ancestors 'none'") == true)
        #expect(headers["Content-Security-Policy"]?.contains("connect-src 'self'") == true)
        #expect(headers["X-Frame-Options"] == "DENY")
        let post = await f.router.handle(APIRequest(method: "POST", path: "/"))
        #expect(post.status == 405)
    }

    @Test func sessionOnTheSocketFollowsPeerCredentials() async throws {
        let f = try await make()
        let own = Self.json(await f.router.handle(APIRequest(method: "GET", path: "/v1/session", peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0))))
        #expect(own["transport"] as? String == "unix")
        #expect(own["can_write"] as? Bool == true)
        #expect(own["uid"] as? Int == Int(getuid()))
        #expect(own["margin"] as? Bool == true)
        let stranger: UInt32 = getuid() == 4242 ? 4243 : 4242
        let other = Self.json(await f.router.handle(APIRequest(method: "GET", path: "/v1/session", peer: PeerCredentials(pid: 1, uid: stranger, gid: 0))))
        #expect(other["can_write"] as? Bool == false)
        #expect((other["why"] as? String)?.contains("read-only") == true)
        // …and the API agrees with what the session said.
        let put = await f.router.handle(APIRequest(method: "PUT", path: "/v1/accounts/a1", body: Array(Self.account.utf8),
                                                   peer: PeerCredentials(pid: 1, uid: stranger, gid: 0)))
        #expect(put.status == 403)
    }

    @Test func loopbackReadOnlyRefusesEveryMutationNamingHttpWrite() async throws {
        let f = try await make()
        let gate = LoopbackRouter(router: f.router, writeAllowed: false)
        let session = Self.json(await gate.handle(APIRequest(method: "GET", path: "/v1/session", headers: [("Host", "127.0.0.1:8787")])))
        #expect(session["transport"] as? String == "http")
        #expect(session["can_write"] as? Bool == false)
        for (method, path, body) in [("PUT", "/v1/accounts/a1", Self.account), ("POST", "/v1/accounts/a1/hold", #"{"reason":"x"}"#),
                                     ("DELETE", "/v1/accounts/a1/hold", ""), ("POST", "/v1/calls/n1/ack", #"{"reason":"x"}"#),
                                     ("POST", "/v1/reload", ""), ("DELETE", "/v1/accounts/a1", "")] {
            let r = await gate.handle(APIRequest(method: method, path: path, headers: [("Host", "127.0.0.1:8787")], body: Array(body.utf8)))
            #expect(r.status == 403, "\(method) \(path)")
            let message = (Self.json(r)["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("http_write"), "\(method) \(path): \(message)")
        }
        #expect(await f.desk.list(nowMs: 2_000) == .object([("accounts", .array([]))]), "nothing may have been created")
        // Reading works.
        let prices = await gate.handle(APIRequest(method: "GET", path: "/v1/prices", headers: [("Host", "localhost:8787")]))
        #expect(prices.status == 200)
    }

    @Test func loopbackWithHttpWriteAcceptsChangesAsTheDaemonsUser() async throws {
        let f = try await make()
        let gate = LoopbackRouter(router: f.router, writeAllowed: true)
        let host = [("Host", "127.0.0.1:8787"), ("Origin", "http://127.0.0.1:8787")]
        #expect(Self.json(await gate.handle(APIRequest(method: "GET", path: "/v1/session", headers: host)))["can_write"] as? Bool == true)
        let put = await gate.handle(APIRequest(method: "PUT", path: "/v1/accounts/a1", headers: host, body: Array(Self.account.utf8)))
        #expect(put.status == 200, "\(Self.text(put))")
        let hold = await gate.handle(APIRequest(method: "POST", path: "/v1/accounts/a1/hold", headers: host, body: Array(#"{"reason":"desk"}"#.utf8)))
        #expect(hold.status == 200, "\(Self.text(hold))")
        // Recorded as the daemon's own uid, not as root (a TCP peer has no verified identity).
        let held = Self.json(hold)["hold"] as? [String: Any]
        #expect(held?["by_uid"] as? Int == Int(getuid()), "\(Self.text(hold))")
    }

    @Test func foreignHostsAndOriginsAreRefused() async throws {
        let f = try await make()
        let gate = LoopbackRouter(router: f.router, writeAllowed: true)
        // DNS rebinding: a foreign name resolving to 127.0.0.1 is refused even for reads.
        let rebound = await gate.handle(APIRequest(method: "GET", path: "/v1/accounts", headers: [("Host", "evil.example:8787")]))
        #expect(rebound.status == 403)
        #expect((Self.json(rebound)["error"] as? [String: Any])?["code"] as? String == "forbidden_host")
        // A cross-site form post carries its own Origin.
        let csrf = await gate.handle(APIRequest(method: "PUT", path: "/v1/accounts/a1",
                                                headers: [("Host", "127.0.0.1:8787"), ("Origin", "http://evil.example")],
                                                body: Array(Self.account.utf8)))
        #expect(csrf.status == 403)
        #expect((Self.json(csrf)["error"] as? [String: Any])?["code"] as? String == "forbidden_origin")
        #expect(await f.desk.list(nowMs: 2_000) == .object([("accounts", .array([]))]))
        for ok in ["127.0.0.1", "127.0.0.1:8787", "localhost:1", "LOCALHOST", "[::1]:8787", "[::1]", "127.9.9.9:80"] {
            #expect(LoopbackRouter.isLoopbackHost(ok), "\(ok)")
        }
        for bad in ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:80", "[::2]:80", "10.0.0.1:8787", "127.0.0.1:80x", "[::1]x", ""] {
            #expect(!LoopbackRouter.isLoopbackHost(bad), "\(bad)")
        }
    }

    // MARK: server depth (a real TCP listener)

    func fetch(_ port: Int, _ method: String, _ path: String, body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func theTCPListenerServesThePageAndRefusesWritesUnlessAllowed() async throws {
        let f = try await make()
        let readOnly = LoopbackHTTPServer(host: "127.0.0.1", port: 0, handler: LoopbackRouter(router: f.router, writeAllowed: false))
        try await readOnly.start()
        let roPort = try #require(readOnly.boundPort)
        let writable = LoopbackHTTPServer(host: "127.0.0.1", port: 0, handler: LoopbackRouter(router: f.router, writeAllowed: true))
        try await writable.start()
        let rwPort = try #require(writable.boundPort)

        let (pageStatus, page) = try await fetch(roPort, "GET", "/")
        #expect(pageStatus == 200)
        #expect(page.contains("<title>oracled desk</title>"))
        let (refused, error) = try await fetch(roPort, "PUT", "/v1/accounts/a1", body: Self.account)
        #expect(refused == 403)
        #expect(error.contains("http_write"), "\(error)")
        #expect(try await fetch(roPort, "GET", "/v1/accounts/a1").0 == 404, "the refused PUT must not have created a1")

        let (allowed, created) = try await fetch(rwPort, "PUT", "/v1/accounts/a1", body: Self.account)
        #expect(allowed == 200, "\(created)")
        let (readBack, account) = try await fetch(roPort, "GET", "/v1/accounts/a1")
        #expect(readBack == 200)
        #expect(account.contains("\"id\":\"a1\""))
        let (session, body) = try await fetch(rwPort, "GET", "/v1/session")
        #expect(session == 200)
        #expect(body.contains("\"can_write\":true"), "\(body)")
        await readOnly.shutdown()
        await writable.shutdown()
    }
}

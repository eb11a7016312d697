import Foundation
import OracleClient
import Testing

/// The desk page in a real browser: headless Chromium driven over W3C WebDriver (chromedriver),
/// against a real daemon on the fake venue with `[daemon] http` on a free loopback port and
/// `http_write = true`. It sees a mark, sees a margin call appear after a price move, acknowledges
/// it with the page's button and checks through the Unix socket that the call is acknowledged.
///
/// `ORACLED_DESK_SCREENSHOT=PATH` saves the page's screenshot there (scripts/desk-screenshot.sh
/// regenerates docs/desk-page.png that way); a screenshot is taken and checked in every run.
@Suite(.serialized)
struct DeskPageBrowserTests {
    @Test(.timeLimit(.minutes(3)),
          .enabled(if: WebDriverSession.tools != nil,
                   "chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver); the desk page browser test is skipped"))
    func acknowledgeACallFromThePage() async throws {
        let tools = try #require(WebDriverSession.tools)
        let dir = makeTempDir("desk")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)

        let httpPort = try freeLoopbackPort()
        let configPath = dir + "/oracles.toml"
        let config = MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: nil)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nhttp = \"127.0.0.1:\(httpPort)\"\nhttp_write = true\n")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }

        // Marks ok on all three venues, then accounts that are healthy at this price.
        var btc0: Double?
        let ready = await eventually(timeout: 20) {
            guard let m = daemon.mark("BTC-USD"), m.status == "ok", daemon.mark("ETH-USD")?.status == "ok" else { return false }
            btc0 = m.price
            return true
        }
        try #require(ready, "marks never became ok; log:\n\(daemon.child.log.suffix(3000))")
        let p0 = try #require(btc0)
        let eth0 = try #require(daemon.mark("ETH-USD")?.price)
        // desk-call: 1 BTC long at p0 with USD = 0.08·p0 → ratio (0.08·p0 − (p0 − p1)) / (0.05·p1): 1.60 now,
        // 1.0505 after the planned drop to p1 = 0.971·p0 (margin_call lies in [1.00, 1.10)).
        let accounts = [
            DeskAccount(id: "desk-call", usd: 0.08 * p0, btc: 1, btcEntry: p0),
            DeskAccount(id: "desk-short", usd: 0.30 * p0, btc: -1.5, btcEntry: p0),
            DeskAccount(id: "desk-eth", usd: 0.30 * eth0 * 10, btc: 0, btcEntry: p0, eth: 10, ethEntry: eth0),
            DeskAccount(id: "desk-thin", usd: 0.12 * p0, btc: 1.2, btcEntry: p0 * 1.01),
        ]
        for a in accounts {
            let put = try daemon.client.request("PUT", "/v1/accounts/\(a.id)", body: a.json)
            try #require(put.status == 200, "PUT \(a.id) → \(put.status) \(put.body)")
        }
        #expect(accounts[0].ratio(btc: p0, eth: eth0) > 1.30, "desk-call must start healthy")

        let driver = try await WebDriverSession.start(tools: tools, dir: dir)
        defer { driver.close() }
        try driver.navigate("http://127.0.0.1:\(httpPort)/")

        // A mark is visible: the BTC-USD row shows a price close to the API's.
        var shown = ""
        let markVisible = await eventually(timeout: 20, interval: 0.2) {
            shown = (try? driver.text(of: #"tr[data-pair="BTC-USD"] td.price"#)) ?? ""
            guard let v = Double(shown.replacingOccurrences(of: ",", with: "")) else { return false }
            return abs(v / p0 - 1) < 0.001
        }
        try #require(markVisible, "the page never showed the BTC-USD mark (last \"\(shown)\"); page: \(driver.debugText())")
        #expect(try driver.script("return document.body.dataset.canWrite") as? String == "true")

        // A short walk (for the sparkline), then the drop that calls desk-call.
        for step in [1.0012, 0.9994, 1.0021, 1.0007, 0.9989, 0.985] {
            try venue.setPrice("BTC-USD", 67_000 * step)
            try await Task.sleep(for: .milliseconds(350))
        }
        let p1 = 0.971 * p0
        try venue.setPrice("BTC-USD", 67_000 * 0.971)
        let dropped = await eventually(timeout: 15, interval: 0.1) {
            daemon.mark("BTC-USD").map { $0.status == "ok" && abs($0.price / p1 - 1) < 0.0005 } ?? false
        }
        try #require(dropped, "the BTC-USD mark never reached \(p1): \(String(describing: daemon.mark("BTC-USD")))")
        let btc1 = try #require(daemon.mark("BTC-USD")?.price)
        let ratio1 = accounts[0].ratio(btc: btc1, eth: eth0)
        #expect(ratio1 >= 1.00 && ratio1 < 1.10, "the test's own figures put desk-call at \(ratio1), not in margin_call")

        // The call reaches the API, then the page (polled every 2 s).
        var notice = ""
        let called = await eventually(timeout: 15, interval: 0.1) {
            let calls = (try? daemon.get("/v1/calls?state=open"))?["calls"] as? [[String: Any]] ?? []
            guard let c = calls.first(where: { $0["account"] as? String == "desk-call" }), c["level"] as? String == "margin_call",
                  let n = c["notice"] as? String else { return false }
            notice = n
            return true
        }
        try #require(called, "desk-call never got a margin call; log:\n\(daemon.child.log.suffix(2000))")
        let button = #"button.ack[data-notice="\#(notice)"]"#
        let onPage = await eventually(timeout: 15, interval: 0.2) { (try? driver.isDisplayed(button)) == true }
        try #require(onPage, "the call \(notice) never appeared on the page with its button; page: \(driver.debugText())")
        let countdown = try driver.text(of: #"#calls tr[data-account="desk-call"] td.countdown"#)
        // call_deadline = 60m and the call is seconds old: between 55 and 60 minutes left, as [h:]mm:ss.
        let fields = countdown.split(separator: ":").compactMap { Int($0) }
        let secondsLeft = fields.reduce(0) { $0 * 60 + $1 }
        #expect(fields.count >= 2 && fields.count == countdown.split(separator: ":").count && (55 * 60...3600).contains(secondsLeft),
                "the deadline countdown shows \"\(countdown)\"")

        // The accounts table: sorted by ratio, worst first, with the ratios the test computes itself.
        let byRatio = accounts.sorted { $0.ratio(btc: btc1, eth: eth0) < $1.ratio(btc: btc1, eth: eth0) }.map(\.id)
        let order = await eventually(timeout: 10, interval: 0.2) {
            (try? driver.script("return [...document.querySelectorAll('#accounts tr')].map(r => r.dataset.account)")) as? [String] == byRatio
        }
        #expect(order, "accounts on the page are not in ratio order \(byRatio): \(driver.debugText())")
        for a in accounts {
            let shown = try driver.text(of: #"#accounts tr[data-account="\#(a.id)"] td:nth-child(3)"#)
            let want = a.ratio(btc: btc1, eth: eth0)
            #expect(abs((Double(shown) ?? .nan) - want) < 0.002, "\(a.id): the page shows ratio \(shown), the test computes \(want)")
        }

        // Hold desk-short from the page too, then take the screenshot while both are visible.
        try driver.type(#"#reason"#, "client on the phone, deposit on its way")
        try driver.click(#"button.hold[data-account="desk-short"]"#)
        let heldOK = await eventually(timeout: 10, interval: 0.1) {
            let list = (try? daemon.get("/v1/accounts"))?["accounts"] as? [[String: Any]] ?? []
            return list.first { $0["id"] as? String == "desk-short" }?["held"] as? Bool == true
        }
        #expect(heldOK, "the hold button did not hold desk-short; page: \(driver.debugText())")

        // Acknowledge with the button; the API must show it acknowledged with the page's reason.
        try driver.click(button)
        var acknowledged: Any?
        let acked = await eventually(timeout: 10, interval: 0.1) {
            let calls = (try? daemon.get("/v1/calls?state=open"))?["calls"] as? [[String: Any]] ?? []
            acknowledged = calls.first { $0["account"] as? String == "desk-call" }?["acknowledged"]
            return acknowledged as? String == "client on the phone, deposit on its way"
        }
        #expect(acked, "the call is not acknowledged through the API (acknowledged = \(String(describing: acknowledged))); page: \(driver.debugText())")
        let pageSaysAcked = await eventually(timeout: 10, interval: 0.2) {
            ((try? driver.text(of: #"#calls tr[data-account="desk-call"] .acked"#)) ?? "").hasPrefix("acknowledged")
        }
        #expect(pageSaysAcked, "the page does not show the acknowledgement")
        #expect((try? driver.isDisplayed(button)) != true, "the acknowledge button must go once acknowledged")

        // The screenshot: a real PNG of the page as it stands.
        try await Task.sleep(for: .milliseconds(600))
        let png = try driver.screenshot()
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "screenshot is not a PNG (\(png.count) bytes)")
        if let out = ProcessInfo.processInfo.environment["ORACLED_DESK_SCREENSHOT"], !out.isEmpty {
            try Data(png).write(to: URL(fileURLWithPath: out))
            print("DESK screenshot saved to \(out) (\(png.count) bytes)")
        }
        daemon.child.kill(SIGTERM)
        _ = await daemon.child.wait(timeout: 10)
    }
}

extension DeskPageBrowserTests {
    /// With `http_write` left at false the same page shows the call but no buttons and no reason field.
    @Test(.timeLimit(.minutes(2)),
          .enabled(if: WebDriverSession.tools != nil, "chromium and chromedriver are not installed; the read-only desk page test is skipped"))
    func readOnlyPageShowsNoButtons() async throws {
        let tools = try #require(WebDriverSession.tools)
        let dir = makeTempDir("deskro")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let httpPort = try freeLoopbackPort()
        let configPath = dir + "/oracles.toml"
        try MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: nil)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nhttp = \"127.0.0.1:\(httpPort)\"\n")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        var p0 = 0.0
        try #require(await eventually(timeout: 20) {
            guard let m = daemon.mark("BTC-USD"), m.status == "ok" else { return false }
            p0 = m.price
            return true
        }, "marks never became ok")
        // In margin_call from the start: ratio (0.0525·p0) / (0.05·p0) = 1.05.
        let put = try daemon.client.request("PUT", "/v1/accounts/ro-call", body: DeskAccount(id: "ro-call", usd: 0.0525 * p0, btc: 1, btcEntry: p0).json)
        try #require(put.status == 200, "\(put.body)")

        let driver = try await WebDriverSession.start(tools: tools, dir: dir)
        defer { driver.close() }
        try driver.navigate("http://127.0.0.1:\(httpPort)/")
        let row = #"#calls tr[data-account="ro-call"]"#
        let shown = await eventually(timeout: 15, interval: 0.2) { ((try? driver.text(of: row + " td:nth-child(2)")) ?? "") == "margin_call" }
        try #require(shown, "the call never appeared on the read-only page: \(driver.debugText())")
        #expect(try driver.text(of: "#access") == "read-only")
        #expect(try driver.isDisplayed(row + " button.ack") == false, "a read-only page must not offer acknowledge")
        #expect(try driver.isDisplayed(#"#accounts tr[data-account="ro-call"] button.hold"#) == false, "a read-only page must not offer hold")
        #expect(try driver.isDisplayed("#reason") == false)
    }
}

/// An account of the browser test, with its own valuation (equity / maintenance) for the checks.
struct DeskAccount {
    var id: String
    var usd: Double
    var btc: Double
    var btcEntry: Double
    var eth = 0.0
    var ethEntry = 0.0

    func ratio(btc p: Double, eth e: Double) -> Double {
        let equity = usd + btc * (p - btcEntry) + eth * (e - ethEntry)
        return equity / (abs(btc) * p * MarginScenario.btcMaintenance + abs(eth) * e * MarginScenario.ethMaintenance)
    }

    var json: String {
        var positions: [String] = []
        if btc != 0 { positions.append(#"{"pair":"BTC-USD","quantity":"\#(String(format: "%.3f", btc))","entry_price":"\#(String(format: "%.2f", btcEntry))"}"#) }
        if eth != 0 { positions.append(#"{"pair":"ETH-USD","quantity":"\#(String(format: "%.3f", eth))","entry_price":"\#(String(format: "%.2f", ethEntry))"}"#) }
        return #"{"id":"\#(id)","collateral":[{"asset":"USD","amount":"\#(String(format: "%.2f", usd))"}],"positions":[\#(positions.joined(separator: ","))]}"#
    }
}

/// A free TCP port on 127.0.0.1 (bound to port 0, read back, closed; the daemon binds it a moment later).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard bound else { throw HarnessError("cannot bind 127.0.0.1:0") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A W3C WebDriver session on a chromedriver child, spoken as JSON over HTTP to 127.0.0.1 with
/// OracleClient's small client. `close()` ends the session, then kills chromedriver and any Chromium
/// still running on this session's throwaway profile (by pid, found through /proc).
final class WebDriverSession: @unchecked Sendable {
    struct Tools { var chromium: String; var chromedriver: String }

    /// Chromium and chromedriver as Debian installs them (`chromium`, `chromium-driver`).
    static let tools: Tools? = {
        guard let driver = findTool("chromedriver"), let browser = findTool("chromium", "chromium-browser", "google-chrome") else { return nil }
        return Tools(chromium: browser, chromedriver: driver)
    }()

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    let child: ChildProcess
    let client: OracleClient.UnixHTTPClient
    let profile: String
    var sessionID = ""

    private init(child: ChildProcess, port: Int, profile: String) {
        self.child = child
        self.profile = profile
        client = OracleClient.UnixHTTPClient(endpoint: .loopback(port: port), timeout: 60, userAgent: "oracled-desk-test")
    }

    static func start(tools: Tools, dir: String) async throws -> WebDriverSession {
        let port = try freeLoopbackPort()
        let profile = dir + "/chromium-profile"
        let child = try ChildProcess(tools.chromedriver, ["--port=\(port)", "--allowed-ips=127.0.0.1"], logPath: dir + "/chromedriver.log")
        let session = WebDriverSession(child: child, port: port, profile: profile)
        let up = await eventually(timeout: 15, interval: 0.1) {
            ((try? session.call("GET", "/status", timeout: 2)) as? [String: Any])?["ready"] as? Bool == true
        }
        guard up else {
            session.close()
            throw HarnessError("chromedriver did not answer on port \(port): \(child.log.suffix(2000))")
        }
        // As root Chromium needs --no-sandbox; /dev/shm is small in containers; a fresh profile per run.
        let args = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--user-data-dir=\(profile)",
                    "--window-size=1440,600", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--disable-background-networking", "--hide-scrollbars", "--force-device-scale-factor=1"]
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": tools.chromium, "args": args],
        ]]]
        do {
            let value = try session.call("POST", "/session", capabilities, timeout: 90) as? [String: Any]
            guard let id = value?["sessionId"] as? String else { throw HarnessError("no sessionId in \(String(describing: value))") }
            session.sessionID = id
        } catch {
            session.close()
            throw HarnessError("chromedriver could not start Chromium: \(error); log: \(child.log.suffix(2000))")
        }
        return session
    }

    /// One WebDriver command; returns its `value`, or throws the WebDriver error it carries.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil, timeout: Double = 30) throws -> Any? {
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? (method == "POST" ? Array("{}".utf8) : nil)
        let reply = try client.send(method, path, body: bytes, contentType: bytes == nil ? nil : "application/json", timeout: timeout)
        let json = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
        let value = json?["value"]
        if !reply.isSuccess {
            let error = value as? [String: Any]
            throw HarnessError("WebDriver \(method) \(path) → \(reply.status) \(error?["error"] ?? "") \(String(describing: error?["message"] ?? reply.text).prefix(300))")
        }
        return value
    }

    func navigate(_ url: String) throws { try call("POST", "/session/\(sessionID)/url", ["url": url], timeout: 60) }

    func element(_ css: String) throws -> String {
        let value = try call("POST", "/session/\(sessionID)/element", ["using": "css selector", "value": css]) as? [String: Any]
        guard let id = value?[Self.elementKey] as? String else { throw HarnessError("no element id for \(css)") }
        return id
    }

    func text(of css: String) throws -> String {
        try call("GET", "/session/\(sessionID)/element/\(element(css))/text") as? String ?? ""
    }

    func isDisplayed(_ css: String) throws -> Bool {
        try call("GET", "/session/\(sessionID)/element/\(element(css))/displayed") as? Bool ?? false
    }

    /// A real click (WebDriver's element click: scrolled into view, hit-tested, pointer events).
    func click(_ css: String) throws { try call("POST", "/session/\(sessionID)/element/\(element(css))/click") }

    func type(_ css: String, _ text: String) throws {
        try call("POST", "/session/\(sessionID)/element/\(element(css))/value", ["text": text])
    }

    func script(_ source: String) throws -> Any? {
        try call("POST", "/session/\(sessionID)/execute/sync", ["script": source, "args": [Any]()])
    }

    func screenshot() throws -> [UInt8] {
        guard let base64 = try call("GET", "/session/\(sessionID)/screenshot") as? String, let data = Data(base64Encoded: base64) else {
            throw HarnessError("screenshot was not base64")
        }
        return Array(data)
    }

    /// What the page shows, for failure messages.
    func debugText() -> String {
        let body = (try? script("return document.body.innerText")) as? String ?? "(page unreadable)"
        return String(body.prefix(1500))
    }

    /// Ends the session (Chromium exits), then kills what is left, by pid.
    func close() {
        if !sessionID.isEmpty { _ = try? call("DELETE", "/session/\(sessionID)", timeout: 15) }
        sessionID = ""
        child.kill(SIGKILL)
        for pid in Self.pids(withArgument: "--user-data-dir=\(profile)") { kill(pid, SIGKILL) }
    }

    /// Processes whose command line contains `argument` (this run's unique Chromium profile).
    static func pids(withArgument argument: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> Int32? in
            guard let pid = Int32(name), let raw = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { return nil }
            let args = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return args.contains(argument) ? pid : nil
        }
    }

    deinit { close() }
}

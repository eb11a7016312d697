import Foundation
import Testing

/// The real daemon with `[daemon] http`: read-only by default on the TCP port while the socket
/// still writes, the port released on SIGTERM, and a taken port refused at start-up with nothing left behind.
@Suite(.serialized)
struct HTTPListenerEndToEndTests {
    func config(dir: String, venueURL: String, http: String, write: Bool?) -> String {
        var lines = "[daemon]\nhttp = \"\(http)\"\n"
        if let write { lines += "http_write = \(write)\n" }
        return MarginScenario.config(dir: dir, venueURL: venueURL, syslogSocket: nil).replacingOccurrences(of: "[daemon]\n", with: lines)
    }

    @Test(.timeLimit(.minutes(2)))
    func readOnlyByDefaultOnTheTCPPort() async throws {
        let dir = makeTempDir("http")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        let port = try freeLoopbackPort()
        try config(dir: dir, venueURL: venue.baseURL, http: "127.0.0.1:\(port)", write: nil)
            .write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let daemon = try await DaemonLauncher.start(config: dir + "/oracles.toml", socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        let tcp = UnixHTTPClient(path: "", tcpPort: port)

        let page = try tcp.request("GET", "/")
        #expect(page.status == 200)
        #expect(page.body.contains("<title>oracled desk</title>"))
        #expect(try tcp.request("GET", "/v1/prices").status == 200)
        let session = try tcp.request("GET", "/v1/session").json
        #expect(session?["transport"] as? String == "http")
        #expect(session?["can_write"] as? Bool == false)

        let account = DeskAccount(id: "tcp-1", usd: 10_000, btc: 0.1, btcEntry: 60_000).json
        let refused = try tcp.request("PUT", "/v1/accounts/tcp-1", body: account)
        #expect(refused.status == 403)
        #expect(refused.body.contains("http_write"), "\(refused.body)")
        #expect(try tcp.request("GET", "/v1/accounts/tcp-1").status == 404)
        // The socket is unaffected: its owner may still write.
        #expect(try daemon.client.request("PUT", "/v1/accounts/tcp-1", body: account).status == 200)
        #expect(try tcp.request("GET", "/v1/accounts/tcp-1").status == 200)
        #expect(try daemon.client.request("GET", "/v1/session").json?["can_write"] as? Bool == true)
        // The same page on the socket (what nginx proxies, docs/nginx.conf).
        let socketPage = try daemon.client.request("GET", "/")
        #expect(socketPage.status == 200 && socketPage.body == page.body)

        daemon.child.kill(SIGTERM)
        #expect(await daemon.child.wait(timeout: 15), "oracled did not stop on SIGTERM")
        #expect(daemon.child.process.terminationStatus == 0, "exit status \(daemon.child.process.terminationStatus); log:\n\(daemon.child.log.suffix(2000))")
        #expect(throws: (any Error).self, "the TCP port must be closed after shutdown") { try tcp.request("GET", "/v1/health", timeout: 2) }
    }

    @Test(.timeLimit(.minutes(1)))
    func aTakenPortStopsStartUpAndLeavesNoSocket() async throws {
        let dir = makeTempDir("httptaken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        // Something else listens on the port (the fake venue's own).
        try config(dir: dir, venueURL: venue.baseURL, http: "127.0.0.1:\(venue.port)", write: true)
            .write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let (status, output) = await runCommand(Binaries.path("oracled"), ["run", "--config", dir + "/oracles.toml"], timeout: 30)
        #expect(status != 0, "oracled must refuse to start: \(output)")
        #expect(output.contains("127.0.0.1:\(venue.port)") && output.contains("[daemon] http"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/oracled.sock"), "the socket file was left behind")
    }

    @Test func checkConfigRefusesAPublicAddress() async throws {
        let dir = makeTempDir("httpcfg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try config(dir: dir, venueURL: "http://127.0.0.1:9", http: "0.0.0.0:8787", write: nil)
            .write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let (status, output) = await runCommand(Binaries.path("oracled"), ["check-config", dir + "/oracles.toml"])
        #expect(status != 0)
        #expect(output.contains("oracles.toml:2:") && output.contains("http") && output.contains("not a loopback address"), "\(output)")
    }
}

import Foundation
import Testing

/// `oraclectl` against a real daemon: the readable tables, `--json`, the price stream (`watch`), and the
/// message when no daemon answers — operators script against this output.
@Suite(.serialized)
struct OracleCtlTests {
    func ctl(_ args: [String], timeout: Double = 10, environment: [String: String] = [:],
             directory: String? = nil) async throws -> (status: Int32, output: String) {
        let p = Process()
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        p.executableURL = URL(fileURLWithPath: Binaries.path("oraclectl"))
        p.arguments = args
        // Never the developer's own $ORACLED_SOCKET: each test says which socket it means.
        var env = ProcessInfo.processInfo.environment
        env["ORACLED_SOCKET"] = nil
        p.environment = env.merging(environment) { _, b in b }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func tablesJSONStreamAndErrors() async throws {
        let dir = makeTempDir("ctl")
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        let configPath = dir + "/oracles.toml"
        try OracleEndToEndTests.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        let sock = ["--socket", dir + "/oracled.sock"]
        #expect(await eventually(timeout: 20) { daemon.mark("BTC-USD")?.status == "ok" })

        let (s1, price) = try await ctl(["price", "BTC-USD"] + sock)
        #expect(s1 == 0, "\(price)")
        #expect(price.contains("BTC-USD") && price.contains("ok") && price.contains("coinbase") && price.contains("used"), "\(price)")

        let (s2, json) = try await ctl(["price", "BTC-USD", "--json"] + sock)
        #expect(s2 == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        #expect(obj["pair"] as? String == "BTC-USD")
        #expect(obj["status"] as? String == "ok")

        let (s3, prices) = try await ctl(["prices"] + sock)
        #expect(s3 == 0 && prices.contains("USDT-USD") && prices.contains("BTC-USD"), "\(prices)")
        let (s4, health) = try await ctl(["health"] + sock)
        #expect(s4 == 0 && health.contains("coinbase"), "\(health)")

        // watch: the current mark at once, then pushes (a move beyond the threshold, or the heartbeat).
        try venue.setPrice("BTC-USD", 67_000)
        // Waits on the events (the first line printed, then the pushed move) instead of fixed sleeps;
        // the caps only end a stream that never delivers.
        let watch = try ChildProcess(Binaries.path("oraclectl"), ["watch", "BTC-USD"] + sock, logPath: dir + "/watch.log")
        defer { watch.kill(SIGKILL) }
        #expect(await eventually(timeout: 10, interval: 0.05) { watch.log.contains("BTC-USD") }, "watch printed nothing: \(watch.log)")
        try venue.setPrice("BTC-USD", 69_000)
        _ = await eventually(timeout: 15, interval: 0.05) {
            watch.log.split(separator: "\n").dropFirst().contains { $0.contains("68") || $0.contains("69") }
        }
        watch.kill(SIGTERM)
        _ = await watch.wait(timeout: 5)
        let lines = watch.log
        let updates = lines.split(separator: "\n").filter { $0.contains("BTC-USD") }
        #expect(updates.count >= 2, "watch printed: \(lines)")
        #expect(updates.contains { $0.contains("68") || $0.contains("69") }, "the move to 69000 was not pushed: \(lines)")

        // calibration: the book summary as a table, and the same as JSON for scripts.
        let (sc, cal) = try await ctl(["calibration"] + sock)
        #expect(sc == 0 && cal.contains("observations") && cal.contains("expected rate") && cal.contains("0.01"), "\(cal)")
        let (scj, calJSON) = try await ctl(["calibration", "--json"] + sock)
        let calObj = try #require(try JSONSerialization.jsonObject(with: Data(calJSON.utf8)) as? [String: Any], "\(calJSON)")
        #expect(scj == 0 && calObj["summary"] is [String: Any] && calObj["accounts"] is [Any], "\(calJSON)")

        let (s5, missing) = try await ctl(["price", "DOGE-USD"] + sock)
        #expect(s5 != 0)
        #expect(missing.contains("unknown pair"), "\(missing)")

        let (s6, nodaemon) = try await ctl(["prices", "--socket", dir + "/nothing.sock"])
        #expect(s6 != 0)
        #expect(nodaemon.contains("nothing.sock") && nodaemon.contains("is oracled running"), "\(nodaemon)")
    }

    /// `oraclectl health` with a `[[vol]]` block: the vol sources in the price sources' columns and,
    /// per underlying, the surface's status, age, expiries and sources used; `--json` carries the same
    /// `vol_sources` and `vol`. A failing vol venue shows in its row while the surface stays ok.
    @Test func healthShowsVolSourcesAndSurfaces() async throws {
        let dir = makeTempDir("ctlvol")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        let configPath = dir + "/oracles.toml"
        try VolEndToEndTests.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", configPath], logPath: dir + "/oracled.log")
        defer { daemon.kill(SIGKILL) }
        let sock = ["--socket", dir + "/oracled.sock"]
        let client = UnixHTTPClient(path: dir + "/oracled.sock")
        let volNames = ["deribit-opt", "okx-opt", "bybit-opt", "deribit-dvol"]

        /// The whitespace-separated cells of the table row that starts with `first`.
        func row(_ text: String, _ first: String) -> [String]? {
            text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.first { $0.first == first }
        }
        // Waits for the three option venues in every expiry (DVOL stands by: 3 of 4 used).
        #expect(await eventually(timeout: 30, interval: 0.25) {
            guard let v = (try? client.request("GET", "/v1/health").json)?["vol"] as? [[String: Any]], let btc = v.first else { return false }
            return btc["status"] as? String == "ok" && btc["expiries"] as? Int == 3 && btc["sources_used"] as? Int == 3
        }, "\(daemon.log.suffix(1500))")

        let (s1, human) = try await ctl(["health"] + sock)
        #expect(s1 == 0, "\(human)")
        #expect(human.contains("VOL SOURCE") && human.contains("VOL STATUS"), "\(human)")
        // Price sources keep their own table: coinbase is under SOURCE, the vol sources under VOL SOURCE.
        let volTable = human.components(separatedBy: "VOL SOURCE").last ?? ""
        #expect(!volTable.contains("coinbase"), "\(human)")
        for name in volNames {
            let cells = row(volTable, name)
            #expect(cells?[1] == "ok", "\(name): \(String(describing: cells))\n\(human)")
            #expect(cells.flatMap { Int($0[4]) }.map { $0 > 0 } == true, "\(name) has no requests: \(human)")
        }
        // UNDERLYING, VOL STATUS, AGE (fitted within the last poll intervals), EXPIRIES, SOURCES used/total.
        let btc = try #require(row(human, "BTC"), "\(human)")
        #expect(btc.count >= 5 && btc[1] == "ok" && btc[3] == "3" && btc[4] == "3/4", "\(btc)")
        #expect(btc.count >= 3 && (btc[2].hasSuffix("ms") || (btc[2].hasSuffix("s") && !btc[2].contains("m"))), "age \(btc)")

        let (s2, json) = try await ctl(["health", "--json"] + sock)
        #expect(s2 == 0)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        #expect((obj["vol_sources"] as? [[String: Any]])?.map { $0["name"] as? String ?? "" } == volNames, "\(json)")
        let vol = (obj["vol"] as? [[String: Any]])?.first
        #expect(vol?["underlying"] as? String == "BTC" && vol?["status"] as? String == "ok" && vol?["age_ms"] is Int, "\(json)")

        // OKX answers 503: its row leaves `ok` and counts errors with the HTTP status as last error; BTC stays ok on two venues.
        _ = try venue.control("/_control/vol?fail=okx")
        var last = ""
        var okxDown = false
        let deadline = Date().addingTimeInterval(20)
        while !okxDown && Date() < deadline {
            last = try await ctl(["health"] + sock).output
            let table = last.components(separatedBy: "VOL SOURCE").last ?? ""
            if let okx = row(table, "okx-opt"), okx.count > 5, okx[1] != "ok", (Int(okx[3]) ?? 0) > 0, row(last, "BTC")?[1] == "ok" {
                okxDown = true
            } else {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        #expect(okxDown, "\(last)")
        #expect(last.contains("503"), "the last error names the HTTP status: \(last)")
    }

    /// Issue 11: `--socket` and `--json` before or after the subcommand (as systemctl and kubectl take
    /// them), `$ORACLED_SOCKET` as the default, the flag over the environment, and help and errors
    /// that still name the options.
    @Test func globalOptionsGoAnywhereAndTheEnvironmentSetsTheSocket() async throws {
        let dir = makeTempDir("ctlglobal")
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        let configPath = dir + "/oracles.toml"
        try OracleEndToEndTests.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let socket = dir + "/oracled.sock"
        let daemon = try await DaemonLauncher.start(config: configPath, socket: socket, log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        #expect(await eventually(timeout: 20) { daemon.mark("BTC-USD")?.status == "ok" })
        let nowhere = dir + "/nothing.sock"

        func isMarkJSON(_ text: String) -> Bool {
            ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any])?["pair"] as? String == "BTC-USD"
        }
        for args in [
            ["--socket", socket, "--json", "price", "BTC-USD"],
            ["--json", "price", "BTC-USD", "--socket", socket],
            ["price", "BTC-USD", "--socket", socket, "--json"],
            ["--socket=\(socket)", "price", "--json", "BTC-USD"],
        ] {
            let (status, out) = try await ctl(args)
            #expect(status == 0 && isMarkJSON(out), "oraclectl \(args.joined(separator: " ")) → \(status) \(out)")
        }
        // Between the words of a nested subcommand, and before a defaulted one (`calls` → `calls list`).
        let (sn, nested) = try await ctl(["accounts", "--socket", socket, "--json", "list"])
        #expect(sn == 0 && nested.hasPrefix("{"), "\(nested)")
        let (sd, calls) = try await ctl(["--json", "--socket", socket, "calls"])
        #expect(sd == 0 && calls.contains("\"calls\""), "\(calls)")

        // $ORACLED_SOCKET is the default; --socket (before or after) beats it.
        let (se, env) = try await ctl(["price", "BTC-USD", "--json"], environment: ["ORACLED_SOCKET": socket])
        #expect(se == 0 && isMarkJSON(env), "\(env)")
        let (sf, flagFirst) = try await ctl(["--socket", nowhere, "prices"], environment: ["ORACLED_SOCKET": socket])
        #expect(sf != 0 && flagFirst.contains("nothing.sock"), "--socket must win over $ORACLED_SOCKET: \(flagFirst)")
        let (sg, flagLast) = try await ctl(["prices", "--socket", socket], environment: ["ORACLED_SOCKET": nowhere])
        #expect(sg == 0 && flagLast.contains("BTC-USD"), "\(flagLast)")

        // With neither, ./oracles.toml's [daemon] socket; the environment beats it.
        let (sc, fromConfig) = try await ctl(["prices"], directory: dir)
        #expect(sc == 0 && fromConfig.contains("BTC-USD"), "\(fromConfig)")
        let (sec, envOverConfig) = try await ctl(["prices"], environment: ["ORACLED_SOCKET": nowhere], directory: dir)
        #expect(sec != 0 && envOverConfig.contains("nothing.sock"), "\(envOverConfig)")

        // Help lists the global options for the root and for a subcommand; errors still name the mistake.
        let (_, rootHelp) = try await ctl(["--help"])
        #expect(rootHelp.contains("--socket") && rootHelp.contains("--json") && rootHelp.contains("before or after the subcommand"), "\(rootHelp)")
        let (_, priceHelp) = try await ctl(["--socket", socket, "price", "--help"])
        #expect(priceHelp.contains("--socket <path>") && priceHelp.contains("--json") && priceHelp.contains("<pair>"), "\(priceHelp)")
        let (sm, missing) = try await ctl(["price", "BTC-USD", "--socket"])
        #expect(sm != 0 && missing.contains("--socket"), "\(missing)")
        let (su, unknown) = try await ctl(["--sokcet", socket, "price", "BTC-USD"])
        #expect(su != 0 && unknown.contains("--sokcet"), "\(unknown)")
        let (sb, badPair) = try await ctl(["--socket", socket, "price", "BTCUSD"])
        #expect(sb != 0 && badPair.contains("BTCUSD"), "\(badPair)")
    }
}

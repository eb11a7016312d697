import Foundation
import Testing

/// Issue 12 (render) items 2 and 3 end to end: `oraclectl accounts show` on an account holding
/// options (the daemon pricing them on the fake venue's `[[vol]]` surface) shows each option with its
/// σ, value and Greeks, the account's Greeks and the grid's requirement and worst scenario, with the
/// figures the API gives; `--json` is the API's answer; `whatif --vol-shock` sends `vol_shocks`.
@Suite(.serialized)
struct OracleCtlOptionsTests {
    @Test func accountsShowOptionsAndWhatIfVolShock() async throws {
        let dir = makeTempDir("ctl-opt")
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let configPath = dir + "/oracles.toml"
        try VolEndToEndTests.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        let client = daemon.client
        #expect(await eventually(timeout: 20) { daemon.mark("BTC-USD")?.status == "ok" })
        #expect(await eventually(timeout: 20) { (try? client.request("GET", "/v1/vol/BTC"))?.json?["status"] as? String == "ok" })
        let forward = try #require(daemon.mark("BTC-USD")?.price)

        // A short 30-day call 10 % out of the money and a long put, both named the venue way.
        let expiry = Date().addingTimeInterval(30 * 86_400)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let parts = cal.dateComponents([.year, .month, .day], from: expiry)
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        let date = "\(parts.day!)\(months[parts.month! - 1])\(parts.year! % 100)"
        let callName = "BTC-\(date)-\(Int((forward * 1.1 / 1000).rounded()) * 1000)-C"
        let putName = "BTC-\(date)-\(Int((forward * 0.9 / 1000).rounded()) * 1000)-P"
        let account = #"{"id":"opt-ctl","collateral":[{"asset":"USD","amount":"200000"}],"positions":["#
            + #"{"option":"\#(callName)","quantity":"-2","entry_price":"1500"},"#
            + #"{"option":"\#(putName)","quantity":"1","entry_price":"1200"},"#
            + #"{"pair":"BTC-USD","quantity":"0.5","entry_price":"\#(Int(forward))"}]}"#
        let put = try client.request("PUT", "/v1/accounts/opt-ctl", body: account)
        #expect(put.status == 200, "\(put.body)")
        let api = try #require(try client.request("GET", "/v1/accounts/opt-ctl").json)
        #expect(api["priced"] as? Bool == true, "\(api)")
        let lines = try #require((api["components"] as? [String: Any])?["positions"] as? [[String: Any]])
        let callLine = try #require(lines.first { ($0["option"] as? [String: Any])?["name"] as? String == callName })
        let sigma = try #require((callLine["volatility"] as? String).flatMap(Double.init))
        let price = try #require((callLine["option_price"] as? String).flatMap(Double.init))
        let grid = try #require((api["risk"] as? [String: Any])?["option_grid"] as? [String: Any])
        let greeks = try #require(((api["greeks"] as? [String: Any])?["by_underlying"] as? [String: Any])?["BTC-USD"] as? [String: Any])

        let sock = ["--socket", dir + "/oracled.sock"]
        let show = try await ctl(["accounts", "show", "opt-ctl"] + sock)
        #expect(show.status == 0, "\(show.output)")
        let out = show.output
        // The option line: name, quantity, σ as a percentage, price, value = quantity × price, Greeks.
        let row = try #require(out.split(separator: "\n").first { $0.hasPrefix(callName) }, "\(out)")
        let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(cells[1] == "-2")
        #expect(abs(Double(cells[2].dropLast())! - sigma * 100) <= 0.005 + 1e-9, "\(row)")
        #expect(abs(Double(cells[3])! - price) <= 1e-6)
        #expect(abs(Double(cells[4])! - -2 * price) <= 0.006, "\(row)")
        #expect(cells[5] == (callLine["greeks"] as? [String: Any])?["delta"] as? String)
        #expect(out.contains(putName) && out.contains("OPTIONS") && out.contains("POSITIONS") && out.contains("(option grid)"))
        // The account's Greeks and the grid, as the API has them.
        let greekRow = try #require(out.split(separator: "\n").first { $0.hasPrefix("BTC-USD ") && $0.contains(greeks["delta_usd"] as! String) }, "\(out)")
        #expect(greekRow.contains(greeks["delta"] as! String) && greekRow.contains(greeks["vega"] as! String))
        #expect(out.contains("GREEKS") && out.contains("OPTION GRID"))
        #expect(out.contains("requirement     \(grid["requirement"] as! String)"), "\(out)")
        let worst = try #require(grid["worst_scenario"] as? [String: Any])
        let worstLine = try #require(out.split(separator: "\n").first { $0.hasPrefix("worst scenario  BTC-USD ") }, "\(out)")
        #expect(worstLine.contains("vol \(worst["vol_shock"] as! String),") && worstLine.hasSuffix("pnl \(worst["pnl"] as! String)"), "\(out)")
        #expect(worstLine.contains("extreme") == (worst["extreme"] as? Bool == true))

        // --json is the API's answer.
        let json = try await ctl(["accounts", "show", "opt-ctl", "--json"] + sock)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(((parsed["risk"] as? [String: Any])?["option_grid"] as? [String: Any])?["requirement"] as? String == grid["requirement"] as? String)
        #expect(parsed["greeks"] != nil)

        // whatif --vol-shock: the body carries vol_shocks and the answer echoes it.
        let whatif = try await ctl(["whatif", "--vol-shock", "BTC=+0.3", "--json"] + sock)
        #expect(whatif.status == 0, "\(whatif.output)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(whatif.output.utf8)) as? [String: Any])
        #expect((answer["vol_shocks"] as? [String: Any])?["BTC"] as? String == "0.3", "\(answer)")
        let unknown = try await ctl(["whatif", "--vol-shock", "DOGE=0.3"] + sock)
        #expect(unknown.status == 1 && unknown.output.contains("vol_shocks.DOGE"), "\(unknown.output)")
        let usage = try await ctl(["whatif", "--vol-shock", "BTC=-1"] + sock)
        #expect(usage.status == 64 && usage.output.contains("--vol-shock BTC=-1"), "\(usage.output)")
    }

    func ctl(_ args: [String]) async throws -> (status: Int32, output: String) {
        try await OracleCtlTests().ctl(args, timeout: 15)
    }
}

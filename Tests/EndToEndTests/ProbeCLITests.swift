import Foundation
import Testing

/// `oracled probe --kind KIND --body FILE --status N [--header …] --json SYMBOL` on every recorded venue
/// response: the built binary's output is a contract operators and tools script against.
struct ProbeCLITests {
    static let fixtures = Binaries.repoRoot.appendingPathComponent("Tests/Fixtures/venues")

    struct Entry {
        var file: String
        var venue: String
        var status: Int
        var headers: [String: String]
        var symbol: String
        var expected: [String: Any]
    }

    static func entries() throws -> [Entry] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("_manifest.json"))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return list.map { e in
            Entry(file: e["file"] as! String, venue: e["venue"] as! String, status: e["status"] as! Int,
                  headers: e["headers"] as? [String: String] ?? [:], symbol: symbol(from: e["url_path"] as! String, venue: e["venue"] as! String),
                  expected: e["expected"] as! [String: Any])
        }
    }

    /// The venue's own symbol, recovered from the request path the fixture was captured with.
    static func symbol(from urlPath: String, venue: String) -> String {
        let comps = URLComponents(string: "http://x" + urlPath)
        let q = Dictionary((comps?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        let parts = (comps?.path ?? "").split(separator: "/").map(String.init)
        switch venue {
        case "binance", "bybit", "kucoin", "htx": return q["symbol"] ?? ""
        case "kraken": return q["pair"] ?? ""
        case "okx": return q["instId"] ?? ""
        case "cryptocom": return q["instrument_name"] ?? ""
        case "pyth": return q["ids[]"] ?? q["ids"] ?? ""
        case "coingecko": return "\(q["ids"] ?? "")/\(q["vs_currencies"] ?? "")"
        case "coinbase": return parts.count > 1 ? parts[1] : ""
        default: return parts.last ?? ""
        }
    }

    func run(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binaries.path("oracled"))
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func probeJSONMatchesEveryManifestEntry() throws {
        var checked = 0
        for e in try Self.entries() {
            var args = ["probe", "--kind", e.venue, "--body", Self.fixtures.appendingPathComponent(e.file).path,
                        "--status", "\(e.status)", "--json"]
            for (k, v) in e.headers.sorted(by: { $0.key < $1.key }) { args += ["--header", "\(k): \(v)"] }
            args.append(e.symbol)
            let (_, output) = try run(args)
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            let got = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(e.file): \(output)")
            for (key, want) in e.expected {
                let have = got[key]
                let same: Bool
                switch (want, have) {
                case (is NSNull, is NSNull), (is NSNull, nil): same = true
                case let (w as String, h as String): same = w == h
                case let (w as NSNumber, h as NSNumber): same = w == h
                default: same = false
                }
                #expect(same, "\(e.file) \(key): expected \(want), got \(String(describing: have)) — \(line)")
            }
            checked += 1
        }
        #expect(checked >= 53)
    }

    @Test func probeParsesAGenericBodyWithPaths() throws {
        let dir = makeTempDir("probe")
        let body = dir + "/ticker.json"
        try #"{"result":[{"bid":"99.5","ask":"100.5","ts":"2024-03-25T08:45:00.123Z"}]}"#.write(toFile: body, atomically: true, encoding: .utf8)
        let (status, output) = try run(["probe", "--kind", "generic", "--body", body, "--bid-path", "result.0.bid", "--ask-path", "result.0.ask",
                                        "--timestamp-path", "result.0.ts", "--timestamp-unit", "iso8601", "--json", "X"])
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""bid":"99.5","ask":"100.5""#), "\(output)")
        #expect(output.contains(#""exchange_ts_ms":1711356300123"#), "\(output)")
    }

    @Test func probeExplainsBadArguments() throws {
        let (status, output) = try run(["probe", "--kind", "nosuchvenue", "--body", "/dev/null", "X"])
        #expect(status != 0)
        #expect(output.contains("binance"), "the error should list the valid kinds: \(output)")
        let (status2, output2) = try run(["probe", "--kind", "kraken", "--body", "/nonexistent/file.json", "XBTUSD"])
        #expect(status2 != 0)
        #expect(output2.contains("/nonexistent/file.json"))
    }

    @Test func checkConfigNamesLineAndKey() throws {
        let dir = makeTempDir("checkcfg")
        let path = dir + "/bad.toml"
        try "[daemon]\npoll_interval = 5\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = try run(["check-config", path])
        #expect(status == 1)
        #expect(output.contains("bad.toml:2"), "\(output)")
        #expect(output.contains("poll_interval"), "\(output)")
        let (okStatus, okOutput) = try run(["check-config", Binaries.repoRoot.appendingPathComponent("oracles.toml").path])
        #expect(okStatus == 0, "\(okOutput)")
    }
}

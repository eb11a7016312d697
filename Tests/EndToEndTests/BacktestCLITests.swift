import Foundation
import Testing

/// `oracled backtest` as operators run it: the built binary on a small history and two accounts,
/// its report.json recomputed independently from the inputs, report.html self-contained, and the
/// output byte-identical across runs.
struct BacktestCLITests {
    static let day: Int64 = 86_400

    static let config = """
    [daemon]
    socket = "/tmp/oracled-backtest-unused.sock"
    state_dir = "/tmp/oracled-backtest-unused"
    spool_dir = "/tmp/oracled-backtest-unused/spool"

    [aggregation]
    min_sources = 1

    [[source]]
    name = "coinbase"
    kind = "coinbase"

    [[pair]]
    symbol = "BTC-USD"
    maintenance_margin = 0.05
    initial_margin = 0.10
    sources = [{ source = "coinbase", symbol = "BTC-USD" }]

    [[pair]]
    symbol = "ETH-USD"
    maintenance_margin = 0.05
    initial_margin = 0.10
    sources = [{ source = "coinbase", symbol = "ETH-USD" }]

    [margin]
    currency = "USD"
    model = "portfolio"
    price_side = "mid"
    var_confidence = 0.99
    history_interval = "24h"
    horizon = "24h"
    min_history = 20

    """

    /// 90 days; BTC and ETH with a deterministic wiggle and a crash on day 70.
    static func prices() -> [(pair: String, t: Int64, price: Double)] {
        var out: [(String, Int64, Double)] = []
        var btc = 30_000.0, eth = 2_000.0
        for d in 0..<90 {
            if d > 0 {
                let r = 0.02 * sin(Double(d) * 1.7) + 0.01 * cos(Double(d) * 0.3)
                btc *= exp(d == 70 ? -0.25 : r)
                eth *= exp(d == 70 ? -0.15 : 1.2 * r + 0.005 * sin(Double(d)))
            }
            out.append(("BTC-USD", 1_600_000_000 / day * day + Int64(d) * day, btc))
            out.append(("ETH-USD", 1_600_000_000 / day * day + Int64(d) * day, eth))
        }
        return out
    }

    static let accounts = [
        #"{"id":"long","collateral":[{"asset":"USD","amount":"6000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"30000"}]}"#,
        #"{"id":"hedge","collateral":[{"asset":"USD","amount":"5000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"30000"},{"pair":"ETH-USD","quantity":"-15","entry_price":"2000"}]}"#,
    ]

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

    func setUp() throws -> String {
        let dir = NSTemporaryDirectory() + "backtest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.config.write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        // Header, Unix seconds for BTC and RFC 3339 for ETH: both forms are accepted.
        var csv = "pair,timestamp,price\n"
        for p in Self.prices() {
            let ts = p.pair == "BTC-USD" ? "\(p.t)" : Self.rfc3339(p.t)
            csv += "\(p.pair),\(ts),\(p.price)\n"
        }
        try csv.write(toFile: dir + "/closes.csv", atomically: true, encoding: .utf8)
        try (Self.accounts.joined(separator: "\n") + "\n").write(toFile: dir + "/accounts.ndjson", atomically: true, encoding: .utf8)
        return dir
    }

    static func rfc3339(_ s: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(s)))
    }

    @Test func reportIsRecomputableSelfContainedAndDeterministic() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = ["backtest", "--config", dir + "/oracles.toml", "--history", dir + "/closes.csv",
                    "--accounts", dir + "/accounts.ndjson", "--out", dir + "/out"]
        let (status, output) = try run(args)
        #expect(status == 0, "\(output)")
        let jsonData = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/report.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: jsonData) as? [String: Any])
        let accounts = try #require(root["accounts"] as? [[String: Any]])
        #expect(accounts.map { $0["id"] as? String } == ["long", "hedge"])

        let prices = Self.prices()
        func px(_ pair: String, _ d: Int) -> Double { prices.filter { $0.pair == pair }[d].price }
        for (a, holdings) in zip(accounts, [[("BTC-USD", 1.0)], [("BTC-USD", 1.0), ("ETH-USD", -15.0)]]) {
            let series = try #require(a["series"] as? [[String: Any]])
            #expect(series.count == 90)
            var seq: [Bool] = []
            for (d, row) in series.enumerated() {
                let pnl = (row["pnl"] as? NSNumber)?.doubleValue
                // P&L from the input prices, independently of the engine.
                if d < 89 {
                    let expected = holdings.reduce(0.0) { $0 + $1.1 * (px($1.0, d + 1) - px($1.0, d)) }
                    #expect(abs((pnl ?? .nan) - expected) < 1e-3, "\(a["id"]!) day \(d)")
                } else {
                    #expect(pnl == nil)
                }
                if let pnl, let v = (row["var"] as? NSNumber)?.doubleValue {
                    seq.append(-pnl > v)
                    #expect(row["exceeded"] as? Bool == (-pnl > v))
                }
            }
            // 20 returns before the first VaR (min_history), then 89 − 20 observations.
            #expect(seq.count == 69)
            let x = seq.filter { $0 }.count
            #expect(a["observations"] as? Int == seq.count)
            #expect(a["exceedances"] as? Int == x)
            #expect(x >= 1, "the day-70 crash must beat a VaR estimated on a calm wiggle (\(a["id"]!))")
            // Kupiec, Christoffersen and the traffic light, recomputed here.
            func l(_ u: Double, _ v: Double) -> Double { u > 0 ? u * log(v) : 0 }
            let t = Double(seq.count), xd = Double(x), p = 0.01
            let pof = max(0, -2 * (l(t - xd, 1 - p) + l(xd, p)) + 2 * (l(t - xd, (t - xd) / t) + l(xd, xd / t)))
            #expect(abs((a["kupiec_p"] as? NSNumber)!.doubleValue - erfc((pof / 2).squareRoot())) < 1e-9)
            var n = [[0.0, 0.0], [0.0, 0.0]]
            for i in 1..<seq.count { n[seq[i - 1] ? 1 : 0][seq[i] ? 1 : 0] += 1 }
            let tot = n[0][0] + n[0][1] + n[1][0] + n[1][1], pi = (n[0][1] + n[1][1]) / tot
            let p01 = n[0][1] / max(1, n[0][0] + n[0][1]), p11 = n[1][1] / max(1, n[1][0] + n[1][1])
            let ind = max(0, -2 * (l(n[0][0] + n[1][0], 1 - pi) + l(n[0][1] + n[1][1], pi))
                + 2 * (l(n[0][0], 1 - p01) + l(n[0][1], p01) + l(n[1][0], 1 - p11) + l(n[1][1], p11)))
            #expect(abs((a["christoffersen_p"] as? NSNumber)!.doubleValue - erfc((ind / 2).squareRoot())) < 1e-9)
            var cdf = 0.0, pmf = pow(1 - p, t)
            for k in 0...x { cdf += pmf; pmf *= (t - Double(k)) / Double(k + 1) * p / (1 - p) }
            let zone = cdf < 0.95 ? "green" : (cdf < 0.9999 ? "yellow" : "red")
            #expect(a["traffic_light"] as? String == zone)
        }

        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 >= 2 * 3, "three pictures per account")
        for id in ["long", "hedge"] { #expect(html.contains("id=\"acct-\(id)\"")) }
        #expect(!html.contains("http://") && !html.contains("https://"), "the page must open offline")
        #expect(!html.contains("<script"))
        #expect(!html.lowercased().contains("src="))

        // Same inputs → byte-identical files.
        let (again, _) = try run(Array(args.dropLast()) + [dir + "/out2"])
        #expect(again == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out2/report.json")) == jsonData)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out2/report.html")) == Data(html.utf8))
    }

    @Test func badInputNamesFileAndLine() throws {
        let dir = try setUp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "pair,timestamp,price\nBTC-USD,1600000000,30000\nBTC-USD,yesterday,31000\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let (s1, o1) = try run(["backtest", "--config", dir + "/oracles.toml", "--history", dir + "/bad.csv",
                                "--accounts", dir + "/accounts.ndjson", "--out", dir + "/out"])
        #expect(s1 == 1)
        #expect(o1.contains("bad.csv:3") && o1.contains("yesterday"), "\(o1)")
        try (Self.accounts[0] + "\n" + #"{"id":"x","collateral":[{"asset":"DOGE","amount":"1"}],"positions":[]}"#).write(toFile: dir + "/bad.ndjson", atomically: true, encoding: .utf8)
        let (s2, o2) = try run(["backtest", "--config", dir + "/oracles.toml", "--history", dir + "/closes.csv",
                                "--accounts", dir + "/bad.ndjson", "--out", dir + "/out"])
        #expect(s2 == 1)
        #expect(o2.contains("bad.ndjson:2") && o2.contains("DOGE"), "\(o2)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/report.json"), "nothing written on bad input")
        // An option cannot be back-tested on prices alone: refused, naming the line and the option.
        try (Self.accounts[0] + "\n" + #"{"id":"opt","collateral":[{"asset":"USD","amount":"1000"}],"positions":[{"option":"BTC-25DEC26-60000-C","quantity":"-1","entry_price":"100"}]}"#)
            .write(toFile: dir + "/opt.ndjson", atomically: true, encoding: .utf8)
        let (s3, o3) = try run(["backtest", "--config", dir + "/oracles.toml", "--history", dir + "/closes.csv",
                                "--accounts", dir + "/opt.ndjson", "--out", dir + "/out"])
        #expect(s3 == 1)
        #expect(o3.contains("opt.ndjson:2") && o3.contains("BTC-25DEC26-60000-C") && o3.contains("volatility"), "\(o3)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/report.json"))
    }
}

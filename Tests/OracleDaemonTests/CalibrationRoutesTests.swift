import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// The live calibration monitor through the router: a portfolio-model desk on an in-memory
/// database, seeded history, then one mark per pair per history interval; `/v1/calibration`,
/// `/v1/health` and `/metrics` report it.
struct CalibrationRoutesTests {
    static let interval: Int64 = 60_000
    /// Unix ms of slot 0 (realistic: small numbers would read as Unix seconds in the CSV).
    static let base: Int64 = 1_764_000_000_000
    static let pairs = MarginRoutesTests.pairs

    /// ρ = 0.95 log returns, σ 1 % and 1.2 % per interval, from a fixed seed.
    static func path(count: Int, seed: UInt64) -> [(Double, Double)] {
        var state = seed
        func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
        }
        func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
        var p1 = 30_000.0, p2 = 2_000.0
        var out = [(p1, p2)]
        for _ in 1..<count {
            let z1 = normal(), z2 = 0.95 * z1 + (1 - 0.95 * 0.95).squareRoot() * normal()
            p1 *= exp(0.01 * z1)
            p2 *= exp(0.012 * z2)
            out.append((p1, p2))
        }
        return out
    }

    func mark(_ pair: String, _ price: Double, atMs: Int64, seq: UInt64) -> Mark {
        Mark(pair: pair, price: price, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: atMs, seq: seq, sources: [])
    }

    func request(_ r: APIRouter, _ method: String, _ path: String, _ body: String = "") async -> (Int, String) {
        let req = APIRequest(method: method, path: path, rawPath: path, query: [:], body: Array(body.utf8),
                             peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0))
        let resp = await r.handle(req)
        guard case .bytes(let b) = resp.body else { return (resp.status, "") }
        return (resp.status, String(decoding: b, as: UTF8.self))
    }

    @Test func hedgedBookIsObservedOncePerIntervalAndTestsGreen() async throws {
        let policy = MarginPolicy(model: .portfolio, priceSide: .mid, horizonMs: Self.interval, minHistory: 30,
                                  historyIntervalMs: Self.interval)
        let universe = MarginUniverse(policy: policy, collateral: [], pairs: Self.pairs)
        let desk = try await MarginDesk(db: try OracleDatabase.inMemory(), spoolDirectory: NSTemporaryDirectory() + "cal-\(UUID().uuidString)",
                                        syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe,
                                        logger: Logger(label: "test"))
        let state = OracleState(startedAtMs: 0)
        await state.configure(pairs: Self.pairs)
        let router = APIRouter(state: state, reloads: ReloadController(configPath: "/nonexistent.toml", state: state),
                               margin: MarginRoutes(desk: desk), ownUID: getuid())
        let prices = Self.path(count: 600, seed: 42)
        // 300 intervals of history, then 300 live intervals.
        var csv = ""
        for (t, p) in prices.prefix(300).enumerated() {
            csv += "BTC-USD,\(Self.base + Int64(t) * Self.interval),\(p.0)\nETH-USD,\(Self.base + Int64(t) * Self.interval),\(p.1)\n"
        }
        _ = try await desk.importHistory(csv: csv)
        let hedge = #"{"id":"hedge","collateral":[{"asset":"USD","amount":"10000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"30000"},{"pair":"ETH-USD","quantity":"-15","entry_price":"2000"}]}"#
        let flat = #"{"id":"cash-only","collateral":[{"asset":"USD","amount":"10000"}],"positions":[]}"#
        #expect(await request(router, "PUT", "/v1/accounts/hedge", hedge).0 == 200)
        #expect(await request(router, "PUT", "/v1/accounts/cash-only", flat).0 == 200)
        for t in 300..<600 {
            let at = Self.base + Int64(t) * Self.interval + 500
            await desk.onMarks(["BTC-USD": mark("BTC-USD", prices[t].0, atMs: at, seq: UInt64(t)),
                                "ETH-USD": mark("ETH-USD", prices[t].1, atMs: at, seq: UInt64(t))], nowMs: at)
        }
        let (status, body) = await request(router, "GET", "/v1/calibration")
        #expect(status == 200, "\(body)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let accounts = try #require(json["accounts"] as? [[String: Any]])
        // One observation per interval for the hedge (299 closed intervals), none for an account with nothing at risk.
        #expect(accounts.map { $0["id"] as? String } == ["hedge"])
        let a = accounts[0]
        print("daemon monitor ρ=0.95 hedge: \(a)")
        #expect(a["observations"] as? Int == 299)
        #expect(a["window_observations"] as? Int == 250)
        #expect(a["traffic_light"] as? String == "green")
        #expect(((a["kupiec_p"] as? NSNumber)?.doubleValue ?? 0) >= 0.05)
        let summary = try #require(json["summary"] as? [String: Any])
        #expect(summary["observations"] as? Int == 299)
        #expect((summary["accounts"] as? [String: Any])?["green"] as? Int == 1)

        let (_, health) = await request(router, "GET", "/v1/health")
        let h = try #require(try JSONSerialization.jsonObject(with: Data(health.utf8)) as? [String: Any])
        let cal = ((h["margin"] as? [String: Any])?["calibration"] as? [String: Any])
        #expect(cal?["observations"] as? Int == 299)

        let (_, metrics) = await request(router, "GET", "/metrics")
        #expect(metrics.contains("oracled_var_backtest_observations_total 299"))
        #expect(metrics.contains("oracled_var_calibration_accounts{zone=\"green\"} 1"))
        #expect(metrics.contains("oracled_var_calibration_accounts{zone=\"red\"} 0"))
        #expect(!metrics.contains("hedge"), "no per-account label in /metrics")
        #expect(await request(router, "POST", "/v1/calibration").0 == 405)
    }
}

import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// Issue 12 (render) item 3: `POST /v1/whatif` with `vol_shocks`, through the router and the desk.
/// A short 60-day BTC strangle on a flat 50 % surface: σ × 1.3 with prices unchanged raises its grid
/// requirement and takes it from no level into a call. Every figure asserted is recomputed here
/// (Black-76 and the grid's defaults written out again, docs/options.md), not read from the model.
struct WhatIfVolShockTests {
    static let day: Int64 = 86_400_000
    /// 2030-01-01T00:00:00Z: later than the wall clock the router stamps, so the desk's clock is ours.
    static let now: Int64 = 1_893_456_000_000
    static let days = 60.0
    static let forward = 100_000.0
    static let sigma = 0.5
    static let legs: [(call: Bool, strike: Double, qty: Double)] = [(true, 120_000, -3), (false, 80_000, -3)]

    static let pairs = [
        PairSpec(symbol: "BTC-USD", sources: [PairSourceSpec(source: "a", symbol: "X")], policy: AggregationPolicy(),
                 maintenanceMargin: 0.05, initialMargin: 0.10),
    ]

    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Black-76 at r = 0 (not the code under test).
    static func price(_ call: Bool, _ f: Double, _ k: Double, _ s: Double, _ t: Double) -> Double {
        let sd = s * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd, d2 = d1 - sd
        return call ? f * cdf(d1) - k * cdf(d2) : k * cdf(-d2) - f * cdf(-d1)
    }

    /// The grid requirement with docs/options.md defaults (±16 % in 8 steps, vol −30 %/+45 % × (30/days)^0.3,
    /// ±48 % at 0.33 with vol unchanged or up, short minimum 1 % of the forward per contract), by brute force.
    static func grid(sigma s: Double) -> Double {
        let t = days / 365, scale = min(2, pow(30 / days, 0.3))
        func pnl(_ move: Double, _ factor: Double) -> Double {
            legs.reduce(0) { $0 + $1.qty * (price($1.call, forward * (1 + move), $1.strike, s * factor, t) - price($1.call, forward, $1.strike, s, t)) }
        }
        var worst = 0.0
        for k in -8...8 {
            for f in [1 - 0.30 * scale, 1, 1 + 0.45 * scale] { worst = min(worst, pnl(Double(k) / 8 * 0.16, f)) }
        }
        for move in [-0.48, 0.48] {
            for f in [1, 1 + 0.45 * scale] { worst = min(worst, 0.33 * pnl(move, f)) }
        }
        return max(-worst, legs.reduce(0) { $0 + ($1.qty < 0 ? 0.01 * forward * -$1.qty : 0) })
    }

    /// A flat-σ `[[vol]]` surface for BTC: one SVI slice with b = 0 (w = a = σ² t at every strike).
    static func surface(sigma s: Double) -> VolSurface {
        let t = days / 365
        let slice = VolSlice(expiryMs: now + Int64(days) * day, forward: forward, t: t,
                             smile: .svi(SVIParameters(a: s * s * t, b: 0, rho: 0, m: 0, sigma: 0.1)), kMin: -1, kMax: 1,
                             rmseVol: 0, status: .ok, statusReason: nil, sourcesUsed: ["a", "b", "c"], points: [], repair: nil)
        return VolSurface(underlying: "BTC", status: .ok, builtAtMs: now, slices: [slice])
    }

    struct Fixture {
        let router: APIRouter
        let desk: MarginDesk
        let collateral: Double
        let entries: [Double]
    }

    func make() async throws -> Fixture {
        let spool = NSTemporaryDirectory() + "whatif-vol-\(UUID().uuidString)"
        let universe = MarginUniverse(policy: MarginPolicy(), collateral: [], pairs: Self.pairs)
        let desk = try await MarginDesk(db: try OracleDatabase.inMemory(), spoolDirectory: spool,
                                        syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe,
                                        logger: Logger(label: "test"))
        let state = OracleState(startedAtMs: 0)
        await state.configure(pairs: Self.pairs)
        let router = APIRouter(state: state, reloads: ReloadController(configPath: "/nonexistent.toml", state: state),
                               margin: MarginRoutes(desk: desk), ownUID: getuid())
        await desk.onMarks(["BTC-USD": Mark(pair: "BTC-USD", price: Self.forward, confidence: 0, status: .ok, sourcesUsed: 5,
                                            sourcesTotal: 5, updatedAtMs: Self.now, seq: 1, sources: [])], nowMs: Self.now)
        await desk.onVolatility([Self.surface(sigma: Self.sigma)], underlyingByPair: ["BTC-USD": "BTC"], nowMs: Self.now)
        // Sold at today's premium (to the cent), with collateral for a ratio of 1.5 (no level).
        let t = Self.days / 365
        let entries = Self.legs.map { (Self.price($0.call, Self.forward, $0.strike, Self.sigma, t) * 100).rounded() / 100 }
        let collateral = (1.5 * Self.grid(sigma: Self.sigma)).rounded(.up)
        let expiry = RFC3339.format(ms: Self.now + Int64(Self.days) * Self.day)
        let positions = zip(Self.legs, entries).map { leg, entry in
            #"{"option":{"underlying":"BTC-USD","right":"\#(leg.call ? "call" : "put")","strike":"\#(Int(leg.strike))","expiry":"\#(expiry)"},"#
                + #""quantity":"\#(Int(leg.qty))","entry_price":"\#(DecimalText.format(entry, maxFractionDigits: 2))"}"#
        }.joined(separator: ",")
        let body = #"{"id":"strangle","collateral":[{"asset":"USD","amount":"\#(Int(collateral))"}],"positions":[\#(positions)]}"#
        _ = try await desk.put(id: "strangle", body: Array(body.utf8), nowMs: Self.now)
        return Fixture(router: router, desk: desk, collateral: collateral, entries: entries)
    }

    func call(_ r: APIRouter, _ body: String) async -> (Int, [String: Any]) {
        let req = APIRequest(method: "POST", path: "/v1/whatif", rawPath: "/v1/whatif", query: [:], body: Array(body.utf8),
                             peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0))
        let resp = await r.handle(req)
        guard case .bytes(let b) = resp.body else { return (resp.status, [:]) }
        return (resp.status, (try? JSONSerialization.jsonObject(with: Data(b))) as? [String: Any] ?? [:])
    }

    static func number(_ any: Any?) -> Double? { (any as? String).flatMap(Double.init) }

    /// Equity at σ: collateral + Σ qty × (premium(σ) − entry).
    func equity(_ f: Fixture, sigma s: Double) -> Double {
        zip(Self.legs, f.entries).reduce(f.collateral) { $0 + $1.0.qty * (Self.price($1.0.call, Self.forward, $1.0.strike, s, Self.days / 365) - $1.1) }
    }

    @Test func aVolShockRaisesTheRequirementAndCallsAShortStrangleWithPricesUnchanged() async throws {
        let f = try await make()
        // Unshocked: priced, ratio ≈ 1.5, no level (so not listed).
        let (s0, base) = await call(f.router, #"{"shocks":{}}"#)
        #expect(s0 == 200)
        #expect((base["levels"] as? [String: Any])?["none"] as? Int == 1, "\(base)")
        #expect((base["accounts"] as? [Any])?.isEmpty == true && base["vol_shocks"] == nil)

        let r0 = Self.grid(sigma: Self.sigma), r1 = Self.grid(sigma: Self.sigma * 1.3)
        let e1 = equity(f, sigma: Self.sigma * 1.3)
        #expect(r1 > r0 * 1.05)   // the premise: this book's requirement grows with σ
        for key in ["BTC", "BTC-USD"] {
            let (status, answer) = await call(f.router, #"{"vol_shocks":{"\#(key)":"+0.3"}}"#)
            #expect(status == 200, "\(answer)")
            #expect(Self.number((answer["vol_shocks"] as? [String: Any])?[key]) == 0.3)
            let row = try #require((answer["accounts"] as? [[String: Any]])?.first, "\(answer)")
            #expect(row["account"] as? String == "strangle" && row["current_level"] as? String == "none")
            #expect(row["level"] as? String == "margin_call", "\(row)")
            #expect(abs(Self.number(row["maintenance_requirement"])! - r1) <= 0.01 + 1e-6 * r1, "\(row) vs \(r1)")
            #expect(abs(Self.number(row["equity"])! - e1) <= 0.01 + 1e-6 * e1)
            #expect(abs(Self.number(row["ratio"])! - e1 / r1) <= 1e-5)
            let grid = try #require(row["option_grid"] as? [String: Any])
            #expect(abs(Self.number(grid["requirement"])! - r1) <= 0.01 + 1e-6 * r1)
        }
        // Nothing was written: the account's level and requirement are as before.
        let stored = try #require(await f.desk.currentValuation("strangle"))
        #expect(abs(stored.maintenanceRequirement - r0) <= 1e-6 * r0)
        #expect(await f.desk.levelName("strangle") == "none")
        // A price shock and a vol shock together: both echoed.
        let (sb, both) = await call(f.router, #"{"shocks":{"BTC-USD":"-0.05"},"vol_shocks":{"BTC":0.3}}"#)
        #expect(sb == 200 && (both["shocks"] as? [String: Any])?["BTC-USD"] != nil && (both["vol_shocks"] as? [String: Any])?["BTC"] != nil)
    }

    @Test func badVolShocksAre400NamingTheKey() async throws {
        let f = try await make()
        for (body, needle) in [(#"{"vol_shocks":{"DOGE":"0.3"}}"#, "vol_shocks.DOGE"),
                               (#"{"vol_shocks":{"BTC":"-1"}}"#, "vol_shocks.BTC"),
                               (#"{"vol_shocks":{"BTC":"lots"}}"#, "vol_shocks.BTC"),
                               (#"{"vol_shocks":{"ETH-USD":"0.1"}}"#, "vol_shocks.ETH-USD"),
                               (#"{"vol_shocks":"BTC"}"#, "vol_shocks"),
                               (#"{}"#, "vol_shocks")] {
            let (status, answer) = await call(f.router, body)
            #expect(status == 400, "\(body): \(answer)")
            #expect("\(answer["error"] ?? "")".contains(needle), "\(body): \(answer)")
        }
    }
}

import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// The margin routes without a socket: the router and the desk on an in-memory database and a temp
/// spool, marks fed by hand (Hummingbird's ".router" depth; the end-to-end suites cover the socket).
struct MarginRoutesTests {
    static let pairs = [
        PairSpec(symbol: "BTC-USD", sources: [PairSourceSpec(source: "a", symbol: "X")], policy: AggregationPolicy(),
                 maintenanceMargin: 0.05, initialMargin: 0.10),
        PairSpec(symbol: "ETH-USD", sources: [PairSourceSpec(source: "a", symbol: "Y")], policy: AggregationPolicy(),
                 maintenanceMargin: 0.05, initialMargin: 0.10),
    ]

    struct Fixture {
        let router: APIRouter
        let desk: MarginDesk
        let spool: String
    }

    func make() async throws -> Fixture {
        let spool = NSTemporaryDirectory() + "routes-\(UUID().uuidString)"
        var policy = MarginPolicy()
        policy.priceSide = .mid
        let universe = MarginUniverse(policy: policy, collateral: [CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.1)], pairs: Self.pairs)
        let desk = try await MarginDesk(db: try OracleDatabase.inMemory(), spoolDirectory: spool,
                                        syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe,
                                        logger: Logger(label: "test"))
        let state = OracleState(startedAtMs: 0)
        await state.configure(pairs: Self.pairs)
        let router = APIRouter(state: state, reloads: ReloadController(configPath: "/nonexistent.toml", state: state),
                               margin: MarginRoutes(desk: desk), ownUID: getuid())
        await desk.onMarks(["BTC-USD": mark("BTC-USD", 60_000), "ETH-USD": mark("ETH-USD", 3_000)], nowMs: 1_000)
        return Fixture(router: router, desk: desk, spool: spool)
    }

    func mark(_ pair: String, _ price: Double, seq: UInt64 = 1) -> Mark {
        Mark(pair: pair, price: price, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1_000, seq: seq, sources: [])
    }

    func call(_ r: APIRouter, _ method: String, _ path: String, _ body: String = "", uid: UInt32 = getuid()) async -> (Int, [String: Any]) {
        let req = APIRequest(method: method, path: path, rawPath: path,
                             query: path.contains("?") ? ["state": String(path.split(separator: "=").last ?? "")] : [:],
                             body: Array(body.utf8), peer: PeerCredentials(pid: 1, uid: uid, gid: 0))
        let resp = await r.handle(req)
        guard case .bytes(let b) = resp.body else { return (resp.status, [:]) }
        return (resp.status, (try? JSONSerialization.jsonObject(with: Data(b))) as? [String: Any] ?? [:])
    }

    static let account = #"{"id":"a1","collateral":[{"asset":"USD","amount":"4000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"}]}"#

    @Test func importIsAllOrNothingAndNamesTheBadLine() async throws {
        let f = try await make()
        let body = Self.account + "\n" + #"{"id":"a2","collateral":[{"asset":"DOGE","amount":"1"}],"positions":[]}"# + "\n"
        let (status, json) = await call(f.router, "POST", "/v1/accounts/import", body)
        #expect(status == 400)
        let message = ((json["error"] as? [String: Any])?["message"] as? String) ?? ""
        #expect(message.contains("line 2"), "\(json)")
        #expect(message.contains("DOGE"))
        let (_, list) = await call(f.router, "GET", "/v1/accounts")
        #expect((list["accounts"] as? [Any])?.isEmpty == true, "nothing may be imported: \(list)")
    }

    @Test func putValuesTheAccountAndAPriceDropCallsIt() async throws {
        let f = try await make()
        let (status, json) = await call(f.router, "PUT", "/v1/accounts/a1", Self.account)
        #expect(status == 200, "\(json)")
        // equity 4000, maintenance 3000 → ratio 1.333…: healthy (warn below 1.30).
        #expect(json["level"] as? String == "none")
        #expect(json["ratio"] as? String == "1.333333")
        // BTC −1 %: equity 3400, maintenance 2970 → 1.1448: warning.
        await f.desk.onMarks(["BTC-USD": mark("BTC-USD", 59_400, seq: 2)], nowMs: 2_000)
        let (_, after) = await call(f.router, "GET", "/v1/accounts/a1")
        #expect(after["level"] as? String == "warning")
        let files = try FileManager.default.contentsOfDirectory(atPath: f.spool + "/new")
        #expect(files == ["a1-warning-1.json"])
        // −3 % in one tick: equity 2200, maintenance 2910 → 0.756, below liquidation_ratio on the latest
        // mark — but the slow mark (5 min EWMA) has barely moved, so one sharp tick gives urgent, not liquidation.
        await f.desk.onMarks(["BTC-USD": mark("BTC-USD", 58_200, seq: 3)], nowMs: 3_000)
        let (_, calls) = await call(f.router, "GET", "/v1/calls?state=open")
        let open = calls["calls"] as? [[String: Any]] ?? []
        #expect(open.map { $0["account"] as? String } == ["a1"])
        #expect(open.first?["level"] as? String == "urgent")
        #expect(open.first?["deadline"] as? String != nil)
    }

    /// The default ladder, written out here: escalation is strictly below each threshold.
    static func rawLevel(_ ratio: Double) -> String {
        for (threshold, name) in [(0.90, "liquidation"), (1.00, "urgent"), (1.10, "margin_call"), (1.30, "warning")] where ratio < threshold {
            return name
        }
        return "none"
    }

    @Test func whatIfWritesNothing() async throws {
        let f = try await make()
        _ = await call(f.router, "PUT", "/v1/accounts/a1", Self.account)
        let (status, json) = await call(f.router, "POST", "/v1/whatif", #"{"shocks":{"BTC-USD":"-0.02"}}"#)
        #expect(status == 200, "\(json)")
        let rows = json["accounts"] as? [[String: Any]] ?? []
        // The one right answer, recomputed here (mid prices, standard model, 5 % / 10 % on BTC-USD):
        // BTC 60,000 × 0.98 = 58,800; equity 4,000 + 1 × (58,800 − 60,000) = 2,800; maintenance
        // 0.05 × 58,800 = 2,940; ratio 0.952381 — below urgent (1.00), above liquidation (0.90): urgent.
        let btc = 60_000 * (1 - 0.02), equity = 4_000 + 1 * (btc - 60_000)
        let maintenance = 0.05 * btc, initial = 0.10 * btc, ratio = equity / maintenance
        let level = Self.rawLevel(ratio)
        #expect(level == "urgent")
        #expect(rows.count == 1, "\(json)")
        #expect(rows.first?["level"] as? String == level, "\(json)")
        #expect(Double(rows.first?["ratio"] as? String ?? "") == (ratio * 1e6).rounded() / 1e6, "\(json)")
        #expect(Double(rows.first?["equity"] as? String ?? "") == equity, "\(json)")
        // The deficit that cures: max(initial, call_exit × maintenance) − equity = max(5,880, 3,528) − 2,800.
        let deficit = max(initial, 1.20 * maintenance) - equity
        #expect(abs((Double(rows.first?["deficit"] as? String ?? "") ?? .nan) - deficit) < 0.005, "\(json)")
        let topUp = rows.first?["top_up"] as? [String: Any] ?? [:]
        #expect(abs((Double(topUp["USD"] as? String ?? "") ?? .nan) - deficit) < 0.005, "\(json)")
        // BTC counts at the shocked mark less its 10 % haircut.
        #expect(abs((Double(topUp["BTC"] as? String ?? "") ?? .nan) - deficit / (btc * 0.9)) < 2e-8, "\(json)")
        #expect(((json["levels"] as? [String: Any])?["urgent"] as? Int) == 1, "\(json)")
        // −5 %: equity 1,000 against 2,850 (ratio 0.35) is liquidation, whatever the current level.
        let (_, deep) = await call(f.router, "POST", "/v1/whatif", #"{"shocks":{"BTC-USD":"-0.05"}}"#)
        #expect((deep["accounts"] as? [[String: Any]])?.first?["level"] as? String == "liquidation", "\(deep)")
        // +1 %: equity 4,600 against 3,030 (ratio 1.518) is no level at all: no row.
        let (_, up) = await call(f.router, "POST", "/v1/whatif", #"{"shocks":{"BTC-USD":"0.01"}}"#)
        #expect((up["accounts"] as? [[String: Any]])?.isEmpty == true, "\(up)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: f.spool + "/new")) ?? []
        #expect(files.isEmpty)
        let (bad, _) = await call(f.router, "POST", "/v1/whatif", #"{"shocks":{"BTC-USD":"-2"}}"#)
        #expect(bad == 400)
    }

    @Test func mutatingRoutesRefuseOtherUsersAndUnknownRoutesAre404() async throws {
        let f = try await make()
        let stranger: UInt32 = getuid() == 0 ? 65_534 : getuid() + 1
        let (denied, json) = await call(f.router, "PUT", "/v1/accounts/a1", Self.account, uid: stranger)
        #expect(denied == 403, "\(json)")
        #expect(await call(f.router, "GET", "/v1/accounts/nope").0 == 404)
        #expect(await call(f.router, "GET", "/v1/nothing").0 == 404)
        #expect(await call(f.router, "PATCH", "/v1/prices").0 == 405)
        #expect(await call(f.router, "PUT", "/v1/accounts/a1", "{not json").0 == 400)
        #expect(await call(f.router, "PUT", "/v1/accounts/zz", Self.account).0 == 400)   // id mismatch
    }

    @Test func holdAndAcknowledgeAreRecorded() async throws {
        let f = try await make()
        _ = await call(f.router, "PUT", "/v1/accounts/a1", Self.account)
        let (held, json) = await call(f.router, "POST", "/v1/accounts/a1/hold", #"{"reason":"wire in flight"}"#)
        #expect(held == 200)
        #expect((json["hold"] as? [String: Any])?["reason"] as? String == "wire in flight")
        #expect(await call(f.router, "POST", "/v1/accounts/a1/hold", "{}").0 == 400)   // a reason is required
        // While held, a drop issues no notice; released, the next evaluation does.
        await f.desk.onMarks(["BTC-USD": mark("BTC-USD", 59_400, seq: 2)], nowMs: 2_000)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: f.spool + "/new")) ?? []).isEmpty)
        #expect(await call(f.router, "DELETE", "/v1/accounts/a1/hold").0 == 200)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: f.spool + "/new")) == ["a1-warning-1.json"])
        let (acked, ack) = await call(f.router, "POST", "/v1/calls/a1-warning-1/ack", #"{"reason":"client called"}"#)
        #expect(acked == 200, "\(ack)")
        #expect(await call(f.router, "POST", "/v1/calls/none-1/ack", #"{"reason":"x"}"#).0 == 404)
    }
}

/// The screen (flat book + quiet bands) must never change what the level path decides: two desks, one
/// screened and one valuing every affected account in full, see the same random accounts and price
/// path and must write the same notices.
struct MarginScreenTests {
    @Test func screenedAndUnscreenedDesksWriteTheSameNotices() async throws {
        var policy = MarginPolicy()
        policy.slowMarkWindowMs = 1
        policy.massCallShare = 1.0
        let universe = MarginUniverse(policy: policy, collateral: [CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.1)],
                                      pairs: MarginRoutesTests.pairs)
        func desk(screening: Bool) async throws -> (MarginDesk, String) {
            let spool = NSTemporaryDirectory() + "screen-\(UUID().uuidString)"
            let d = try await MarginDesk(db: try OracleDatabase.inMemory(), spoolDirectory: spool,
                                         syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe,
                                         logger: Logger(label: "test"))
            await d.setScreening(screening)
            return (d, spool)
        }
        let (screened, spoolA) = try await desk(screening: true)
        let (full, spoolB) = try await desk(screening: false)
        var rng = SystemRandomNumberGenerator()
        var lines: [String] = []
        for i in 0..<300 {
            let usd = Int.random(in: 1_000...40_000, using: &rng)
            let btc = Double(Int.random(in: -30...30, using: &rng)) / 10
            let eth = Int.random(in: -20...20, using: &rng)
            let btcCollateral = Double(Int.random(in: 0...5, using: &rng)) / 10
            lines.append(#"{"id":"r\#(i)","collateral":[{"asset":"USD","amount":"\#(usd)"},{"asset":"BTC","amount":"\#(btcCollateral)"}],"positions":[{"pair":"BTC-USD","quantity":"\#(btc)","entry_price":"60000"},{"pair":"ETH-USD","quantity":"\#(eth)","entry_price":"3000"}]}"#)
        }
        let body = Array(lines.joined(separator: "\n").utf8)
        func mark(_ pair: String, _ p: Double, _ seq: UInt64, _ t: Int64) -> Mark {
            Mark(pair: pair, price: p, confidence: p * 0.0002, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: t, seq: seq, sources: [])
        }
        for d in [screened, full] {
            await d.onMarks(["BTC-USD": mark("BTC-USD", 60_000, 1, 1_000), "ETH-USD": mark("ETH-USD", 3_000, 1, 1_000)], nowMs: 1_000)
            _ = try await d.importAccounts(ndjson: body, nowMs: 1_000)
        }
        var btc = 60_000.0, eth = 3_000.0
        for step in 1...120 {
            btc *= 1 + Double.random(in: -0.02...0.02, using: &rng)
            eth *= 1 + Double.random(in: -0.03...0.03, using: &rng)
            let t = Int64(1_000 + step * 1_000)
            let marks = ["BTC-USD": mark("BTC-USD", btc, UInt64(step + 1), t), "ETH-USD": mark("ETH-USD", eth, UInt64(step + 1), t)]
            for d in [screened, full] {
                await d.onMarks(marks, nowMs: t)
                if step % 30 == 0 { await d.sweep(nowMs: t) }
            }
        }
        let a = Set(try FileManager.default.contentsOfDirectory(atPath: spoolA + "/new"))
        let b = Set(try FileManager.default.contentsOfDirectory(atPath: spoolB + "/new"))
        #expect(!b.isEmpty)
        #expect(a.symmetricDifference(b).isEmpty, "screened-only: \(a.subtracting(b).sorted().prefix(5)), unscreened-only: \(b.subtracting(a).sorted().prefix(5))")
        #expect(await screened.screenedOutCount > 0, "the screen never skipped anything: it is not being exercised")
        #expect(await screened.sweepCorrectionCount == 0)
    }
}

/// The portfolio model through the daemon's own path: history seeded by `POST /v1/history/import`,
/// an account valued with VaR/ES, a hedged book needing less than the standard requirement.
struct PortfolioRoutesTests {
    @Test func seededHistoryEnablesThePortfolioModelAndHedgesNeedLess() async throws {
        var policy = MarginPolicy()
        policy.model = .portfolio
        policy.priceSide = .mid
        policy.minHistory = 30
        policy.historyIntervalMs = 60_000
        policy.horizonMs = 86_400_000
        policy.portfolioFloor = 0.2
        let universe = MarginUniverse(policy: policy, collateral: [], pairs: MarginRoutesTests.pairs)
        let spool = NSTemporaryDirectory() + "portfolio-\(UUID().uuidString)"
        let desk = try await MarginDesk(db: try OracleDatabase.inMemory(), spoolDirectory: spool,
                                        syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"), universe: universe,
                                        logger: Logger(label: "test"))
        let state = OracleState(startedAtMs: 0)
        let router = APIRouter(state: state, reloads: ReloadController(configPath: "/nonexistent.toml", state: state),
                               margin: MarginRoutes(desk: desk), ownUID: getuid())
        func call(_ method: String, _ path: String, _ body: String = "") async -> (Int, [String: Any]) {
            let resp = await router.handle(APIRequest(method: method, path: path, rawPath: path, body: Array(body.utf8),
                                                      peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0)))
            guard case .bytes(let b) = resp.body else { return (resp.status, [:]) }
            return (resp.status, (try? JSONSerialization.jsonObject(with: Data(b))) as? [String: Any] ?? [:])
        }
        let hedged = #"{"id":"h","collateral":[{"asset":"USD","amount":"20000"}],"positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"60000"},{"pair":"ETH-USD","quantity":"-20","entry_price":"3000"}]}"#

        // Before any history: the standard requirement applies and the account says why.
        await desk.onMarks(["BTC-USD": Mark(pair: "BTC-USD", price: 60_000, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1, seq: 1, sources: []),
                            "ETH-USD": Mark(pair: "ETH-USD", price: 3_000, confidence: 0, status: .ok, sourcesUsed: 5, sourcesTotal: 5, updatedAtMs: 1, seq: 1, sources: [])],
                           nowMs: 1)
        let (put, before) = await call("PUT", "/v1/accounts/h", hedged)
        #expect(put == 200, "\(before)")
        let model0 = (before["risk"] as? [String: Any])?["model"] as? String ?? ""
        #expect(model0.hasPrefix("standard (insufficient history"), "\(model0)")

        // 200 one-minute points of two strongly correlated series (ETH moves with BTC, with noise).
        var csv = "pair,timestamp,price\n"
        var btc = 60_000.0, eth = 3_000.0
        var rng = SplitMix(seed: 7)
        for i in 0..<200 {
            let common = rng.normal() * 0.002
            btc *= exp(common)
            eth *= exp(common + rng.normal() * 0.0003)
            let ts = 1_700_000_000_000 + Int64(i) * 60_000
            csv += "BTC-USD,\(ts),\(btc)\nETH-USD,\(ts),\(eth)\n"
        }
        let (imported, answer) = await call("POST", "/v1/history/import", csv)
        #expect(imported == 200, "\(answer)")
        #expect(answer["imported"] as? Int == 400)
        let (bad, badAnswer) = await call("POST", "/v1/history/import", "BTC-USD,notatime,1\n")
        #expect(bad == 400)
        #expect("\(badAnswer)".contains("line 1"))

        let (_, after) = await call("GET", "/v1/accounts/h")
        let risk = after["risk"] as? [String: Any] ?? [:]
        #expect(risk["model"] as? String == "portfolio", "\(risk)")
        let varValue = Double(risk["var"] as? String ?? "") ?? 0
        let es = Double(risk["es"] as? String ?? "") ?? 0
        let standard = Double(risk["standard_maintenance"] as? String ?? "") ?? 0
        let maintenance = Double(after["maintenance_requirement"] as? String ?? "") ?? 0
        #expect(varValue > 0 && es > 0, "\(risk)")
        #expect(maintenance < standard, "hedged book: portfolio \(maintenance) should be below standard \(standard)")
    }
}

/// Deterministic normal draws for the history above (Box–Muller over SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

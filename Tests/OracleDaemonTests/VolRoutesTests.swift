import Foundation
import OracleConfig
import OracleCore
import OracleFetch
import OracleServer
import Testing
@testable import OracleDaemon

/// `/v1/vol` through the router with no socket: listing, one surface with its evidence, the
/// configured-but-not-built case, 404 JSON for an unknown underlying, 405 for other methods; and the
/// vol sources and surfaces in `/v1/health` and `/metrics`.
struct VolRoutesTests {
    func request(_ r: APIRouter, _ method: String, _ path: String) async -> (Int, [String: Any]) {
        let req = APIRequest(method: method, path: path, rawPath: path, query: [:], body: [],
                             peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0))
        let resp = await r.handle(req)
        guard case .bytes(let b) = resp.body else { return (resp.status, [:]) }
        return (resp.status, (try? JSONSerialization.jsonObject(with: Data(b))) as? [String: Any] ?? [:])
    }

    func router(vol: VolState?) -> APIRouter {
        let state = OracleState(startedAtMs: 0)
        var r = APIRouter(state: state, reloads: ReloadController(configPath: "/nonexistent.toml", state: state), margin: nil, ownUID: getuid())
        r.vol = vol
        return r
    }

    @Test func withoutVolConfiguredTheListIsEmptyAndNamesAre404() async {
        let r = router(vol: nil)
        let (status, body) = await request(r, "GET", "/v1/vol")
        #expect(status == 200 && (body["surfaces"] as? [Any])?.isEmpty == true)
        let (s404, e) = await request(r, "GET", "/v1/vol/BTC")
        #expect(s404 == 404)
        #expect(((e["error"] as? [String: Any])?["message"] as? String)?.contains("no [[vol]] block") == true)
    }

    @Test func aSurfaceIsServedWithItsEvidence() async throws {
        let vol = VolState(underlyings: ["BTC", "ETH"])
        let now: Int64 = 1_796_522_400_000
        let p = SVIParameters(a: 0.004, b: 0.03, rho: -0.2, m: 0, sigma: 0.1)
        let slice = VolSlice(expiryMs: 1_798_185_600_000, forward: 100_000, t: 0.0527, smile: .svi(p), kMin: -0.3, kMax: 0.3,
                             rmseVol: 0.0001, status: .ok, statusReason: nil, sourcesUsed: ["a", "b"],
                             points: [VolPoint(strike: 100_000, k: 0, iv: 0.3, inputs: [
                                VolPointInput(source: "a", instruments: ["BTC-25DEC26-100000-C"], iv: 0.3, forward: 100_000, timeMs: now, verdict: .used, reason: ""),
                                VolPointInput(source: "c", instruments: ["BTC-25DEC26-100000-C"], iv: 0.5, forward: 100_000, timeMs: now, verdict: .outlier, reason: "20.00 vol pts from median 30.00 (cut 1.50)"),
                             ])], repair: nil)
        await vol.publish(VolSurface(underlying: "BTC", status: .ok, builtAtMs: now, slices: [slice]))
        let r = router(vol: vol)
        let (status, body) = await request(r, "GET", "/v1/vol/BTC")
        #expect(status == 200)
        #expect(body["status"] as? String == "ok")
        let e = try #require((body["expiries"] as? [[String: Any]])?.first)
        #expect(e["expiry"] as? String == "2026-12-25T08:00:00.000Z")
        #expect(e["method"] as? String == "svi")
        #expect(abs((e["atm_vol"] as? Double ?? 0) - (p.w(0) / 0.0527).squareRoot()) < 1e-6)
        #expect((e["params"] as? [String: Any])?["a"] as? Double == 0.004)
        let inputs = try #require(((e["points"] as? [[String: Any]])?.first?["sources"]) as? [[String: Any]])
        #expect(inputs.map { $0["verdict"] as? String } == ["used", "outlier"])
        // Configured but not built yet: unavailable, not 404.
        let (s2, eth) = await request(r, "GET", "/v1/vol/ETH")
        #expect(s2 == 200 && eth["status"] as? String == "unavailable")
        let (s3, list) = await request(r, "GET", "/v1/vol")
        #expect(s3 == 200 && (list["surfaces"] as? [[String: Any]])?.map { $0["underlying"] as? String } == ["BTC", "ETH"])
        #expect((list["surfaces"] as? [[String: Any]])?.first.flatMap { ($0["expiries"] as? [[String: Any]])?.first?["points"] } == nil,
                "the listing leaves out per-point detail")
        #expect(await request(r, "GET", "/v1/vol/DOGE").0 == 404)
        #expect(await request(r, "POST", "/v1/vol/BTC").0 == 405)
    }

    func text(_ r: APIRouter, _ path: String) async -> String {
        let req = APIRequest(method: "GET", path: path, rawPath: path, query: [:], body: [],
                             peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0))
        let resp = await r.handle(req)
        guard case .bytes(let b) = resp.body else { return "" }
        return String(decoding: b, as: UTF8.self)
    }

    /// The vol sources' statuses as `VolPollService` would publish them: one fetched fine, one backing
    /// off after a 503, one never answered; plus one `ok` surface and one not built yet.
    func populated(nowMs: Int64) async -> VolState {
        var good = SourceStatus(name: "deribit-opt", kind: "deribit_options")
        good.state = "ok"; good.lastSuccessMs = nowMs - 2_000; good.requests = 7; good.latencySumMs = 350; good.latencyCount = 7
        var bad = SourceStatus(name: "okx-opt", kind: "okx_options")
        bad.state = "backoff"; bad.lastSuccessMs = nowMs - 60_000; bad.lastError = "HTTP 503: okx: unavailable"
        bad.consecutiveErrors = 2; bad.nextAttemptMs = nowMs + 4_000; bad.requests = 9; bad.errors = 2
        bad.errorsByClass = ["unavailable": 2]
        let fresh = SourceStatus(name: "bybit-opt", kind: "bybit_options")
        let vol = VolState(underlyings: ["BTC", "ETH"], sources: [good, bad, fresh])
        let p = SVIParameters(a: 0.004, b: 0.03, rho: -0.2, m: 0, sigma: 0.1)
        let slice = VolSlice(expiryMs: nowMs + 30 * 86_400_000, forward: 100_000, t: 30 / 365, smile: .svi(p), kMin: -0.3, kMax: 0.3,
                             rmseVol: 0.0001, status: .ok, statusReason: nil, sourcesUsed: ["deribit-opt", "okx-opt"], points: [], repair: nil)
        await vol.publish(VolSurface(underlying: "BTC", status: .ok, builtAtMs: nowMs - 1_500, slices: [slice],
                                     sources: [VolSourceSummary(source: "deribit-opt", kind: .deribitOptions, verdict: .used, reason: "", quotes: 10, used: 5, timeMs: nowMs),
                                               VolSourceSummary(source: "okx-opt", kind: .okxOptions, verdict: .used, reason: "", quotes: 10, used: 5, timeMs: nowMs),
                                               VolSourceSummary(source: "bybit-opt", kind: .bybitOptions, verdict: .error, reason: "no answer", quotes: 0, used: 0, timeMs: nil)]))
        return vol
    }

    @Test func healthListsVolSourcesInThePriceSourcesShapeAndEachSurface() async throws {
        let now = WallClock.nowMs()
        let r = router(vol: await populated(nowMs: now))
        let (status, body) = await request(r, "GET", "/v1/health")
        #expect(status == 200)
        let vs = try #require(body["vol_sources"] as? [[String: Any]])
        #expect(vs.map { $0["name"] as? String } == ["deribit-opt", "okx-opt", "bybit-opt"])
        // The same keys as a price source's entry (one renderer for both).
        let priceKeys: Set<String> = ["name", "kind", "state", "last_success", "consecutive_errors", "last_error", "next_attempt_ms", "requests", "errors"]
        for v in vs { #expect(Set(v.keys) == priceKeys, "\(v.keys)") }
        let okx = try #require(vs.first { $0["name"] as? String == "okx-opt" })
        #expect(okx["kind"] as? String == "okx_options")
        #expect(okx["state"] as? String == "backoff")
        #expect(okx["consecutive_errors"] as? Int == 2 && okx["errors"] as? Int == 2 && okx["requests"] as? Int == 9)
        #expect(okx["last_error"] as? String == "HTTP 503: okx: unavailable")
        // Backoff left, in ms from now (≤ 4000: the handler reads the clock a moment later).
        let wait = try #require(okx["next_attempt_ms"] as? Int)
        #expect(wait > 3_000 && wait <= 4_000, "\(wait)")
        #expect(vs.last?["state"] as? String == "unknown" && vs.last?["last_success"] is NSNull)
        let surfaces = try #require(body["vol"] as? [[String: Any]])
        #expect(surfaces.map { $0["underlying"] as? String } == ["BTC", "ETH"])
        #expect(surfaces[0]["status"] as? String == "ok" && surfaces[0]["expiries"] as? Int == 1 && surfaces[0]["sources_used"] as? Int == 2)
        #expect((surfaces[0]["age_ms"] as? Int).map { $0 >= 1_500 && $0 < 10_000 } == true)
        #expect(surfaces[1]["status"] as? String == "unavailable" && surfaces[1]["age_ms"] is NSNull)
        // Without [[vol]] the keys are absent, not empty lists that look like a misconfiguration.
        let (_, plain) = await request(router(vol: nil), "GET", "/v1/health")
        #expect(plain["vol_sources"] == nil && plain["vol"] == nil)
    }

    @Test func metricsCarryVolSourcesAndSurfaceStatus() async throws {
        let now = WallClock.nowMs()
        let r = router(vol: await populated(nowMs: now))
        let m = await text(r, "/metrics")
        let lines = Set(m.split(separator: "\n").map(String.init))
        for want in ["oracled_source_requests_total{source=\"deribit-opt\"} 7",
                     "oracled_source_requests_total{source=\"okx-opt\"} 9",
                     "oracled_source_errors_total{source=\"okx-opt\",class=\"unavailable\"} 2",
                     "oracled_source_latency_seconds_sum{source=\"deribit-opt\"} 0.35",
                     "oracled_source_latency_seconds_count{source=\"deribit-opt\"} 7",
                     "oracled_source_up{source=\"deribit-opt\",state=\"ok\"} 1",
                     "oracled_source_up{source=\"okx-opt\",state=\"backoff\"} 0",
                     "oracled_source_up{source=\"bybit-opt\",state=\"unknown\"} 0",
                     "oracled_vol_surface_status{underlying=\"BTC\",status=\"ok\"} 1",
                     "oracled_vol_surface_status{underlying=\"BTC\",status=\"degraded\"} 0",
                     "oracled_vol_surface_status{underlying=\"ETH\",status=\"unavailable\"} 1",
                     "oracled_vol_surface_status{underlying=\"ETH\",status=\"ok\"} 0",
                     "oracled_vol_surface_age_seconds{underlying=\"ETH\"} +Inf",
                     "oracled_vol_surface_sources_used{underlying=\"BTC\"} 2",
                     "oracled_vol_surface_expiries{underlying=\"BTC\"} 1"] {
            #expect(lines.contains(want), "missing: \(want)")
        }
        let age = try #require(lines.first { $0.hasPrefix("oracled_vol_surface_age_seconds{underlying=\"BTC\"} ") })
        let seconds = try #require(Double(age.split(separator: " ").last.map(String.init) ?? ""))
        #expect(seconds >= 1.5 && seconds < 10, "\(age)")
        // Each family is declared once (vol sources join the price sources' families, not a second copy).
        let types = m.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(types.count == Set(types).count)
    }

    /// `VolPollService.ingest`: the schedule and counters a finished request updates, as the price loop does.
    @Test func ingestCountsRequestsErrorsByClassAndBacksOff() throws {
        let spec = VolSourceSpec(name: "okx-opt", kind: .okxOptions, baseURL: "http://127.0.0.1:1")
        var schedules = ["okx-opt": SourceSchedule(spec: spec.scheduleSpec)]
        var statuses = ["okx-opt": SourceStatus(name: "okx-opt", kind: "okx_options")]
        func done(_ answer: VolAnswer, http: Int?, latency: Double?, transport: String?) -> VolPollService.Completion {
            VolPollService.Completion(underlying: "BTC", source: "okx-opt", answer: answer, receivedAtMs: 0,
                                      httpStatus: http, latencyMs: latency, transportError: transport)
        }
        VolPollService.ingest(done(VolAnswer(), http: 200, latency: 40, transport: nil), statuses: &statuses, schedules: &schedules, schedMs: 1_000)
        #expect(schedules["okx-opt"]!.health(nowMs: 1_000).state.rawValue == "ok")
        VolPollService.ingest(done(VolAnswer(bodyError: VenueError(.unavailable, "okx: HTTP 503")), http: 503, latency: 10, transport: nil),
                              statuses: &statuses, schedules: &schedules, schedMs: 2_000)
        VolPollService.ingest(done(VolAnswer(bodyError: VenueError(.unavailable, "okx: timed out")), http: nil, latency: nil, transport: "timeout"),
                              statuses: &statuses, schedules: &schedules, schedMs: 3_000)
        // A non-finite latency is not summed (and does not trap).
        VolPollService.ingest(done(VolAnswer(), http: 200, latency: .nan, transport: nil), statuses: &statuses, schedules: &schedules, schedMs: 90_000)
        let s = try #require(statuses["okx-opt"])
        #expect(s.requests == 4 && s.errors == 2)
        #expect(s.errorsByClass == ["unavailable": 1, "timeout": 1])
        #expect(s.latencySumMs == 50 && s.latencyCount == 2)
        // After the two failures (before the success at 90 s) the schedule was backing off.
        var replay = [String: SourceSchedule](), st = ["okx-opt": SourceStatus(name: "okx-opt", kind: "okx_options")]
        replay["okx-opt"] = SourceSchedule(spec: spec.scheduleSpec)
        VolPollService.ingest(done(VolAnswer(bodyError: VenueError(.unavailable, "x")), http: 503, latency: 1, transport: nil), statuses: &st, schedules: &replay, schedMs: 1_000)
        let h = replay["okx-opt"]!.health(nowMs: 1_000)
        #expect(h.state.rawValue == "backoff" && h.consecutiveErrors == 1 && h.nextAttemptMs > 1_000)
        // Unknown sources are ignored, not counted against another.
        VolPollService.ingest(VolPollService.Completion(underlying: "BTC", source: "nope", answer: VolAnswer(), receivedAtMs: 0, httpStatus: 200,
                                                        latencyMs: 1, transportError: nil), statuses: &statuses, schedules: &schedules, schedMs: 91_000)
        #expect(statuses["okx-opt"]?.requests == 4 && statuses["nope"] == nil)
    }
}

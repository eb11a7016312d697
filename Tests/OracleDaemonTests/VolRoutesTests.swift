import Foundation
import OracleCore
import OracleServer
import Testing
@testable import OracleDaemon

/// `/v1/vol` through the router with no socket: listing, one surface with its evidence, the
/// configured-but-not-built case, 404 JSON for an unknown underlying, 405 for other methods.
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
}

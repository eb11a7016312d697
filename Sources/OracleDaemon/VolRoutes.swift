import OracleCore
import OracleServer

/// `GET /v1/vol` (every configured underlying, without per-point detail) and
/// `GET /v1/vol/{underlying}` (one surface with its points and source verdicts).
enum VolRoutes {
    /// nil when the path is not under /v1/vol.
    static func handle(_ request: APIRequest, parts: [String], vol: VolState?, nowMs: Int64) async -> APIResponse? {
        guard parts.count >= 2, parts[0] == "v1", parts[1] == "vol", parts.count <= 3 else { return nil }
        guard request.method == "GET" else { return APIRouter.notAllowed(request, "GET") }
        if parts.count == 2 {
            let all = await vol?.all(nowMs: nowMs) ?? []
            return .json(200, JSON.object([("surfaces", .array(all.map { VolJSON.render($0, nowMs: nowMs, detail: false) }))]).rendered)
        }
        guard let vol, let surface = await vol.surface(parts[2], nowMs: nowMs) else {
            let known = await vol?.underlyings ?? []
            return APIRouter.error(404, "unknown underlying \"\(parts[2])\"; "
                + (known.isEmpty ? "no [[vol]] block is configured" : "configured: \(known.joined(separator: ", "))"))
        }
        return .json(200, VolJSON.render(surface, nowMs: nowMs).rendered)
    }
}

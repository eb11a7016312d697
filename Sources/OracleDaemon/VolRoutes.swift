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

    /// `/v1/health`'s volatility part: `vol_sources` (each `[[vol]]` source in the price sources'
    /// shape: state, last success, errors, backoff) and `vol` (each surface's status and age).
    /// Not folded into the top-level `status`, which stays about marks: no account values options yet.
    static func healthFields(_ vol: VolState, nowMs: Int64) async -> [(String, JSON)] {
        let sources = await vol.sources
        let surfaces = await vol.all(nowMs: nowMs)
        return [
            ("vol_sources", .array(sources.map { $0.healthJSON(nowMs: nowMs) })),
            ("vol", .array(surfaces.map { s in
                .object([
                    ("underlying", .string(s.underlying)),
                    ("status", .string(s.status.rawValue)),
                    ("expiries", .int(s.slices.count)),
                    ("sources_used", .int(s.sourcesUsed)),
                    ("sources_total", .int(s.sourcesTotal)),
                    ("age_ms", VolMetrics.ageMs(s, nowMs: nowMs).map { .int($0) } ?? .null),
                    ("reason", .optional(s.statusReason)),
                ])
            })),
        ]
    }
}

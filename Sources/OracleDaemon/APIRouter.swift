import Foundation
import OracleCore
import OracleServer

/// The socket API of DESIGN.md: one place maps routes to answers and errors to statuses.
public struct APIRouter: APIHandler {
    let state: OracleState
    let reloads: ReloadController
    let margin: (any MarginAPI)?
    /// The daemon's own uid: besides root, the only peer allowed to change anything.
    let ownUID: UInt32
    /// Implied-volatility surfaces (`/v1/vol`); nil when no `[[vol]]` is configured.
    public var vol: VolState? = nil

    public init(state: OracleState, reloads: ReloadController, margin: (any MarginAPI)?, ownUID: UInt32) {
        self.state = state
        self.reloads = reloads
        self.margin = margin
        self.ownUID = ownUID
    }

    /// A request from the Unix socket: mutating routes need an `SO_PEERCRED` peer that is root or the daemon's user.
    public func handle(_ request: APIRequest) async -> APIResponse {
        await handle(request, access: .unixSocket)
    }

    /// A request from `access` (the Unix socket, or the `[daemon] http` listener through `LoopbackRouter`).
    func handle(_ request: APIRequest, access: APIAccess) async -> APIResponse {
        // Split the raw path, then decode each segment: an account id may contain an encoded "/".
        let parts = request.rawPath.split(separator: "?", maxSplits: 1).first.map(String.init).map { raw in
            raw.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        } ?? []
        let nowMs = WallClock.nowMs()
        let method = request.method
        if parts.isEmpty {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            return DeskPage.response
        }
        if parts == ["v1", "session"] {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            return .json(200, session(request, access: access).rendered)
        }
        if parts == ["v1", "prices"] {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            let marks = await state.orderedMarks()
            return .json(200, JSON.object([("prices", .array(marks.map { MarkJSON.render($0, nowMs: nowMs) }))]).rendered)
        }
        if parts == ["v1", "prices", "stream"] {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            let pair = request.query["pair"]
            if let pair, await state.mark(pair) == nil {
                return Self.error(404, "unknown pair \"\(pair)\"; GET /v1/prices lists the configured pairs")
            }
            return .ndjsonStream(await state.subscribe(pair: pair, nowMs: nowMs))
        }
        if parts.count == 3, parts[0] == "v1", parts[1] == "prices" {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            guard let mark = await state.mark(parts[2]) else {
                let known = await state.pairOrder.joined(separator: ", ")
                return Self.error(404, "unknown pair \"\(parts[2])\"; configured pairs: \(known)")
            }
            return .json(200, MarkJSON.render(mark, nowMs: nowMs).rendered)
        }
        if parts == ["v1", "health"] {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            return .json(200, await health(nowMs: nowMs).rendered)
        }
        if parts == ["metrics"] {
            guard method == "GET" else { return Self.notAllowed(request, "GET") }
            let marks = await state.orderedMarks()
            var extra = await state.watchdogMetricFamilies(nowMs: nowMs) + (margin?.metrics() ?? [])
            var sources = await state.sources
            if let vol {
                // `[[vol]]` sources share the price sources' families (one name space: no label clash).
                sources += await vol.sources
                extra += await VolMetrics.families(vol, nowMs: nowMs)
            }
            let text = await MetricsText.render(marks: marks, sources: sources, cycles: state.cycles, lastCycleMs: state.lastCycleMs,
                                                cycleSumMs: state.cycleSumMs, reloadsOK: state.reloadsOK, reloadsFailed: state.reloadsFailed,
                                                nowMs: nowMs, extra: extra)
            return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        if parts == ["v1", "reload"] {
            guard method == "POST" else { return Self.notAllowed(request, "POST") }
            if let denied = authorize(request, access: access) { return denied }
            if let error = await reloads.reload() { return Self.error(422, error) }
            return .json(200, #"{"reloaded":true}"#)
        }
        if let answer = await VolRoutes.handle(request, parts: parts, vol: vol, nowMs: nowMs) { return answer }
        if parts.first == "v1", let margin {
            if method != "GET", let denied = authorize(request, access: access) { return denied }
            if let answer = await margin.handle(request, parts: Array(parts.dropFirst()), nowMs: WallClock.steadyNowMs()) { return answer }
        }
        return Self.error(404, "no route for \(method) \(request.path); see README.md \"Socket API\"")
    }

    static func notAllowed(_ request: APIRequest, _ allowed: String) -> APIResponse {
        error(405, "\(request.method) is not allowed on \(request.path); use \(allowed)")
    }

    /// Mutating routes: only root or the daemon's own user (SO_PEERCRED, not a header anyone could set).
    /// On the `[daemon] http` listener: only with `http_write = true` (a TCP peer has no verified identity).
    func authorize(_ request: APIRequest, access: APIAccess = .unixSocket) -> APIResponse? {
        if case .loopback(let writeAllowed) = access {
            return writeAllowed ? nil : Self.error(403, LoopbackRouter.readOnlyMessage)
        }
        guard let peer = request.peer else {
            return Self.error(403, "peer credentials unavailable; mutating routes need a Unix-socket peer that is root or uid \(ownUID)")
        }
        if peer.uid == 0 || peer.uid == ownUID { return nil }
        return Self.error(403, "uid \(peer.uid) may not change oracled state; run as root or as the daemon's user (uid \(ownUID))")
    }

    func health(nowMs: Int64) async -> JSON {
        let marks = await state.orderedMarks()
        let sources = await state.sources
        let lastCycle = await state.lastCycleAtMs
        let reloadError = await state.lastReloadError
        let worst: String
        if marks.contains(where: { $0.status == .unavailable || $0.status == .stale }) { worst = "failing" }
        else if marks.contains(where: { $0.status == .degraded }) { worst = "degraded" }
        else { worst = "ok" }
        var fields: [(String, JSON)] = [
            ("status", .string(worst)),
            ("now", .string(RFC3339.format(ms: nowMs))),
            ("last_cycle", lastCycle.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("last_reload_error", .optional(reloadError)),
            ("sources", .array(sources.map { $0.healthJSON(nowMs: nowMs) })),
            ("pairs", .array(marks.map { m in
                .object([
                    ("pair", .string(m.pair)),
                    ("status", .string(m.status.rawValue)),
                    ("sources_used", .int(m.sourcesUsed)),
                    ("sources_total", .int(m.sourcesTotal)),
                    ("age_ms", m.updatedAtMs.map { .int(max(0, nowMs - $0)) } ?? .null),
                    ("reason", .optional(m.statusReason)),
                ])
            })),
        ]
        if let vol { fields += await VolRoutes.healthFields(vol, nowMs: nowMs) }
        if let margin { fields.append(("margin", await margin.health())) }
        return .object(fields)
    }

    static func error(_ status: Int, _ message: String) -> APIResponse {
        APIResponse.error(status, message)
    }
}

/// The margin trigger's routes (accounts, calls, whatif, history), mounted under /v1.
public protocol MarginAPI: Sendable {
    /// nil when no route matches (the router answers 404).
    func handle(_ request: APIRequest, parts: [String], nowMs: Int64) async -> APIResponse?
    func health() async -> JSON
    func metrics() async -> [MetricFamily]
}

import Foundation
import OracleCore
import OracleServer

/// Accounts, calls, what-if and history under /v1 (the router has already checked mutating peers).
public struct MarginRoutes: MarginAPI {
    let desk: MarginDesk
    /// The lease loop's view of the cluster; nil on a single node.
    let cluster: ClusterStatus?

    public init(desk: MarginDesk, cluster: ClusterStatus? = nil) {
        self.desk = desk
        self.cluster = cluster
    }

    public func handle(_ request: APIRequest, parts: [String], nowMs: Int64) async -> APIResponse? {
        let m = request.method
        do {
            switch parts.count {
            case 1 where parts[0] == "accounts":
                guard m == "GET" else { return APIRouter.notAllowed(request, "GET") }
                return ok(await desk.list(nowMs: nowMs))
            case 2 where parts[0] == "accounts" && parts[1] == "import":
                guard m == "POST" else { return APIRouter.notAllowed(request, "POST") }
                return ok(try await desk.importAccounts(ndjson: request.body, nowMs: nowMs))
            case 2 where parts[0] == "accounts":
                switch m {
                case "GET": return ok(try await desk.account(id: parts[1], nowMs: nowMs))
                case "PUT": return ok(try await desk.put(id: parts[1], body: request.body, nowMs: nowMs))
                case "DELETE": return ok(try await desk.delete(id: parts[1]))
                default: return APIRouter.notAllowed(request, "GET, PUT or DELETE")
                }
            case 3 where parts[0] == "accounts" && parts[2] == "hold":
                let uid = request.peer?.uid ?? 0
                switch m {
                case "POST":
                    let reason = try Self.reason(request.body)
                    return ok(try await desk.hold(id: parts[1], reason: reason, by: uid, nowMs: nowMs))
                case "DELETE":
                    return ok(try await desk.hold(id: parts[1], reason: nil, by: uid, nowMs: nowMs))
                default: return APIRouter.notAllowed(request, "POST or DELETE")
                }
            case 1 where parts[0] == "calls":
                guard m == "GET" else { return APIRouter.notAllowed(request, "GET") }
                return ok(try await desk.calls(CallsQuery(query: request.query), nowMs: nowMs))
            case 3 where parts[0] == "calls" && parts[2] == "ack":
                guard m == "POST" else { return APIRouter.notAllowed(request, "POST") }
                let reason = try Self.reason(request.body)
                return ok(try await desk.acknowledge(noticeID: parts[1], reason: reason, by: request.peer?.uid ?? 0, nowMs: nowMs))
            case 1 where parts[0] == "cluster":
                guard m == "GET" else { return APIRouter.notAllowed(request, "GET") }
                guard let cluster else {
                    throw APIProblem(404, "this node is not in a cluster: add a [cluster] table (and [store] backend = \"postgresql\") to its configuration")
                }
                return ok(ClusterJSON.render(cluster.snapshot(), desk: await desk.clusterDeskJSON(), nowMs: nowMs))
            case 1 where parts[0] == "calibration":
                guard m == "GET" else { return APIRouter.notAllowed(request, "GET") }
                return ok(await desk.calibrationJSON())
            case 1 where parts[0] == "whatif":
                guard m == "POST" else { return APIRouter.notAllowed(request, "POST") }
                return ok(try await desk.whatIf(body: request.body))
            case 2 where parts[0] == "history" && parts[1] == "import":
                guard m == "POST" else { return APIRouter.notAllowed(request, "POST") }
                do {
                    let n = try await desk.importHistory(csv: String(decoding: request.body, as: UTF8.self))
                    return ok(.object([("imported", .int(n))]))
                } catch {
                    throw APIProblem(400, "history import: \(error); nothing imported")
                }
            default:
                return nil
            }
        } catch let p as APIProblem {
            return APIResponse.error(p.status, p.message)
        } catch {
            return APIResponse.error(500, "\(error)")
        }
    }

    public func health() async -> JSON { await desk.healthJSON() }
    public func metrics() async -> [MetricFamily] {
        var families = await desk.metricFamilies()
        if let cluster { families += ClusterJSON.metrics(cluster.snapshot(), fencingRejections: await desk.clusterStats.fencingRejections) }
        return families
    }

    func ok(_ j: JSON) -> APIResponse { .json(200, j.rendered) }

    /// `{"reason": "…"}`, required and non-empty: holds and acknowledgements are audit records.
    static func reason(_ body: [UInt8]) throws(APIProblem) -> String {
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let r = obj["reason"] as? String, !r.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIProblem(400, #"expected {"reason": "why"}: a non-empty reason is recorded with who and when"#)
        }
        return r
    }
}

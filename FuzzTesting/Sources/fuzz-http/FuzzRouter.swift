import Foundation
import FuzzSupport
import OracleCore
import OracleServer

/// A stand-in for the daemon's `APIRouter` with the same route split and the same kinds of
/// answers, without the daemon's state, database and fetch loop behind it.
///
/// It splits the raw path and percent-decodes each segment as `APIRouter.handle` does, answers
/// JSON, text, errors and a short NDJSON stream, and runs account bodies through the real
/// `AccountJSON` import, so the whole transport (decoder, limits, framing, streaming) is driven by
/// fuzzed requests.
struct FuzzRouter: APIHandler {
    func handle(_ request: APIRequest) async -> APIResponse {
        let parts = request.rawPath.split(separator: "?", maxSplits: 1).first.map(String.init).map { raw in
            raw.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        } ?? []
        let method = request.method
        _ = request.header("content-type")
        if parts == ["v1", "prices"] {
            guard method == "GET" else { return notAllowed(request, "GET") }
            return .json(200, #"{"prices":[{"pair":"BTC-USD","price":"67000.5","status":"ok"}]}"#)
        }
        if parts == ["v1", "prices", "stream"] {
            guard method == "GET" else { return notAllowed(request, "GET") }
            let pair = request.query["pair"] ?? "BTC-USD"
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            continuation.yield(Array(#"{"pair":"\#(pair.count)","price":"1"}"#.utf8) + [10])
            continuation.yield([])
            continuation.finish()
            return .ndjsonStream(stream)
        }
        if parts.count == 3, parts[0] == "v1", parts[1] == "prices" {
            guard method == "GET" else { return notAllowed(request, "GET") }
            return .error(404, "unknown pair \"\(parts[2])\"; configured pairs: BTC-USD")
        }
        if parts == ["metrics"] {
            return .text(200, "oracled_up 1\n", contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        if parts == ["v1", "accounts", "import"] {
            guard method == "POST" else { return notAllowed(request, "POST") }
            switch AccountImportFuzz.run(request.body) {
            case .success(let n): return .json(200, #"{"imported":\#(n)}"#)
            case .failure(let e): return .error(400, "\(e); nothing imported")
            }
        }
        if parts.count == 3, parts[0] == "v1", parts[1] == "accounts" {
            switch method {
            case "PUT":
                do throws(AccountError) {
                    let a = try AccountJSON.decode(Data(request.body), universe: AccountImportFuzz.universe)
                    return .json(200, AccountJSON.encode(a))
                } catch {
                    return .error(400, error.description)
                }
            case "GET", "DELETE": return .error(404, "no account \"\(parts[2])\"")
            default: return notAllowed(request, "GET, PUT or DELETE")
            }
        }
        return .error(404, "no route for \(method) \(request.path); see README.md \"Socket API\"")
    }

    private func notAllowed(_ request: APIRequest, _ allowed: String) -> APIResponse {
        .error(405, "\(request.method) is not allowed on \(request.path); use \(allowed)")
    }
}

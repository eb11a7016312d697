import Foundation
import OracleCore

/// The recorded venue bodies in Tests/Fixtures/venues and their `_manifest.json` entries.
struct VenueFixture: Sendable, CustomStringConvertible {
    var file: String
    var venue: VenueKind
    var urlPath: String
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// `expected` re-serialised as a dictionary of plain values (String, Int, or nil for null).
    var expected: [String: ExpectedValue]

    enum ExpectedValue: Sendable, Equatable {
        case string(String), int(Int64), null
    }

    var description: String { file }

    var response: VenueResponse {
        VenueResponse(status: status, headers: headers, body: body, receivedAtMs: 1_700_000_000_000)
    }

    /// The venue's own symbol spelling, recovered from the request path.
    var symbol: String { VenueFixtures.symbol(fromURLPath: urlPath, venue: venue) }
}

enum VenueFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Venues
        .deletingLastPathComponent()   // OracleCoreTests
        .deletingLastPathComponent()   // Tests
        .appendingPathComponent("Fixtures/venues")

    static let all: [VenueFixture] = load()

    static func load() -> [VenueFixture] {
        let manifestURL = directory.appendingPathComponent("_manifest.json")
        guard let data = try? Data(contentsOf: manifestURL),
              let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            return []
        }
        return entries.compactMap { e -> VenueFixture? in
            guard let file = e["file"] as? String, let venueName = e["venue"] as? String,
                  let venue = VenueKind(rawValue: venueName), let urlPath = e["url_path"] as? String,
                  let status = e["status"] as? Int, let expected = e["expected"] as? [String: Any],
                  let body = try? Data(contentsOf: directory.appendingPathComponent(file)) else { return nil }
            let headers = ((e["headers"] as? [String: String]) ?? [:]).sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
            var exp: [String: VenueFixture.ExpectedValue] = [:]
            for (k, v) in expected {
                if v is NSNull { exp[k] = .null }
                else if let s = v as? String { exp[k] = .string(s) }
                else if let n = v as? NSNumber { exp[k] = .int(n.int64Value) }
            }
            return VenueFixture(file: file, venue: venue, urlPath: urlPath, status: status, headers: headers,
                                body: Array(body), expected: exp)
        }
    }

    static func fixture(_ file: String) -> VenueFixture? {
        all.first { $0.file == file }
    }

    /// Parses `probeJSON` output into the same plain values as `expected`.
    static func plain(_ json: String) -> [String: VenueFixture.ExpectedValue]? {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        var out: [String: VenueFixture.ExpectedValue] = [:]
        for (k, v) in obj {
            if v is NSNull { out[k] = .null }
            else if let s = v as? String { out[k] = .string(s) }
            else if let n = v as? NSNumber { out[k] = .int(n.int64Value) }
        }
        return out
    }

    static func symbol(fromURLPath path: String, venue: VenueKind) -> String {
        let parts = path.split(separator: "?", maxSplits: 1)
        let pathPart = String(parts[0])
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                query[key] = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            }
        }
        let segments = pathPart.split(separator: "/").map(String.init)
        switch venue {
        case .binance, .bybit, .kucoin, .htx: return query["symbol"] ?? ""
        case .kraken: return query["pair"] ?? ""
        case .okx: return query["instId"] ?? ""
        case .cryptocom: return query["instrument_name"] ?? ""
        case .pyth: return query["ids[]"] ?? ""
        case .coingecko: return (query["ids"] ?? "") + "/" + (query["vs_currencies"] ?? "")
        case .coinbase: return segments.count >= 2 ? segments[1] : ""
        case .bitstamp, .gemini, .bitfinex: return segments.last ?? ""
        case .generic: return ""
        }
    }
}

/// Runs the parser and renders the outcome the way `oracled probe --json` does.
func venueProbe(_ kind: VenueKind, _ symbol: String, _ response: VenueResponse, generic: GenericAdapterSpec? = nil) -> String {
    do throws(VenueError) {
        return VenueAdapters.probeJSON(.success(try VenueAdapters.parse(kind, symbol: symbol, response: response, generic: generic)))
    } catch {
        return VenueAdapters.probeJSON(.failure(error))
    }
}

/// The result of one parse, for `#expect` comparisons.
func venueOutcome(_ kind: VenueKind, _ symbol: String, _ response: VenueResponse, generic: GenericAdapterSpec? = nil) -> Result<Quote, VenueError> {
    do throws(VenueError) {
        return .success(try VenueAdapters.parse(kind, symbol: symbol, response: response, generic: generic))
    } catch {
        return .failure(error)
    }
}

extension Result where Failure == VenueError {
    var errorClass: VenueError.Class? {
        if case .failure(let e) = self { return e.errorClass }
        return nil
    }
    var error: VenueError? {
        if case .failure(let e) = self { return e }
        return nil
    }
    var quote: Success? {
        if case .success(let q) = self { return q }
        return nil
    }
}

/// A JSON body response with status 200 unless told otherwise.
func venueResponse(_ body: String, status: Int = 200, headers: [(name: String, value: String)] = [],
              receivedAtMs: Int64 = 1_700_000_000_000) -> VenueResponse {
    VenueResponse(status: status, headers: headers, body: Array(body.utf8), receivedAtMs: receivedAtMs)
}

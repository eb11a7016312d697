import OracleCore
import TOMLKit

/// `[[vol]]`: which underlyings get an implied-volatility surface, from which sources.
///
/// ```toml
/// [[vol]]
/// underlying = "BTC"
/// forward_pair = "BTC-USD"
/// sources = [
///   { name = "deribit-opt", kind = "deribit_options" },
///   { name = "okx-opt", kind = "okx_options" },
///   { name = "bybit-opt", kind = "bybit_options", base_url = "http://127.0.0.1:18080/bybit" },
///   { name = "deribit-dvol", kind = "deribit_dvol" },
/// ]
/// ```
extension ConfigDecoder {
    func decodeVol(_ top: TableReader, pairs: DecodedPairs, sources: DecodedSources) -> [VolSettings] {
        var out: [VolSettings] = []
        var underlyings: [String: Int] = [:]
        var sourceNames = Set(sources.names)
        for (index, table) in arrayOfTables(top, "vol") {
            let label = table["underlying"]?.string.map { "[[vol]] \($0)" } ?? "[[vol]] #\(index + 1)"
            let r = TableReader(table: table, path: "vol[\(index)]", section: label, diagnostics: diagnostics)
            defer { r.finish(known: ConfigKeys.vol) }
            let underlying = r.string("underlying", example: "\"BTC\"")
            if !r.has("underlying") { r.reportTable(.missingKey, "underlying is missing; add underlying = \"BTC\" (the base asset as the venues name it)") }
            var validUnderlying: String?
            if let u = underlying {
                if u.isEmpty || u.count > 20 || !u.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) {
                    r.report(.invalidValue, "underlying", "\"\(u)\" is not an underlying; write the venues' upper-case base asset, e.g. \"BTC\"")
                } else if let previous = underlyings[u] {
                    r.report(.duplicate, "underlying", "\"\(u)\" already has a [[vol]] block (#\(previous + 1)); list all its sources in one block")
                } else {
                    underlyings[u] = index
                    validUnderlying = u
                }
            }
            var forwardPair: String?
            if let p = r.string("forward_pair", example: "\"BTC-USD\"") {
                if pairs.declared.contains(p) { forwardPair = p } else {
                    r.report(.invalidValue, "forward_pair", "\"\(p)\" is not a [[pair]] in this file; name the pair whose mark is the forward, e.g. \"BTC-USD\"")
                }
            }
            let quote = r.string("quote", example: "\"USD\"") ?? "USD"
            var policy = VolPolicy()
            policy.minSources = r.integer("min_sources", default: policy.minSources, .closed(1, 10))
            policy.maxAgeMs = r.duration("max_age", default: policy.maxAgeMs)
            policy.frozenAfterMs = r.duration("frozen_after", default: policy.frozenAfterMs)
            policy.madK = r.double("mad_k", default: policy.madK, .closed(1, 20))
            policy.madFloorBps = r.double("mad_floor_bps", default: policy.madFloorBps, .closed(0, 5_000))
            policy.holdMs = r.duration("hold", default: policy.holdMs, allowZero: true)
            policy.minTimeToExpiryMs = r.duration("min_time_to_expiry", default: policy.minTimeToExpiryMs, allowZero: true)
            policy.maxFitRMSE = r.double("max_fit_rmse", default: policy.maxFitRMSE, .leftOpen(0, 1))
            let poll = r.duration("poll_interval", default: 5_000)
            if policy.frozenAfterMs <= policy.maxAgeMs {
                r.report(.invalidValue, r.has("frozen_after") ? "frozen_after" : "max_age",
                         "frozen_after (\(policy.frozenAfterMs)ms) must be longer than max_age (\(policy.maxAgeMs)ms); otherwise every quiet quote is called frozen before it is even stale")
            }
            let specs = readVolSources(r, taken: &sourceNames)
            guard let validUnderlying, let specs else { continue }
            out.append(VolSettings(underlying: validUnderlying, forwardPair: forwardPair, quote: quote,
                                   pollIntervalMs: poll, policy: policy, sources: specs))
        }
        return out
    }

    private func readVolSources(_ r: TableReader, taken: inout Set<String>) -> [VolSourceSpec]? {
        let known = VolSourceKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard r.has("sources") else {
            r.reportTable(.missingKey, "sources is missing; add sources = [ { name = \"deribit-opt\", kind = \"deribit_options\" }, ... ] (kinds: \(known))")
            return nil
        }
        guard let array = r.array("sources", example: "[ { name = \"deribit-opt\", kind = \"deribit_options\" } ]") else { return nil }
        guard array.count > 0 else {
            r.report(.invalidValue, "sources", "is empty; list at least one { name = ..., kind = ... } (kinds: \(known))")
            return nil
        }
        var specs: [VolSourceSpec] = []
        var ok = true
        for n in 0..<array.count {
            let key = "sources[\(n)]"
            guard array[n].type == .table, let table = array[n].table else {
                diagnostics.report(.wrongType, path: r.keyPath(key), section: r.section, key: key,
                                   "must be an inline table { name = \"...\", kind = \"deribit_options\" }")
                ok = false
                continue
            }
            let e = r.nested(table, pathSuffix: ".sources[\(n)]", keyPrefix: "\(key).")
            defer { e.finish(known: ConfigKeys.volSource) }
            let name = e.string("name", example: "\"deribit-opt\"")
            if !e.has("name") { e.reportTable(.missingKey, "name is missing; add name = \"...\" (unique across [[source]] and [[vol]])") }
            if let name {
                if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                    e.report(.invalidValue, "name", "\"\(name)\" is not a usable name; use letters, digits, '-', '_' or '.'")
                    ok = false
                } else if !taken.insert(name).inserted {
                    e.report(.duplicate, "name", "duplicate source name \"\(name)\"; every [[source]] and [[vol]] source needs its own name")
                    ok = false
                }
            } else { ok = false }
            var kind: VolSourceKind?
            if let text = e.string("kind", example: "\"deribit_options\"") {
                kind = VolSourceKind(rawValue: text)
                if kind == nil {
                    let hint = KeySuggestion.closest(to: text, in: VolSourceKind.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"? " } ?? ""
                    e.report(.invalidValue, "kind", "unknown volatility source kind \"\(text)\"; \(hint)known kinds are \(known)")
                }
            } else if !e.has("kind") {
                e.reportTable(.missingKey, "kind is missing; add kind = one of \(known)")
            }
            var baseURL: String?
            if let text = e.string("base_url", example: "\"https://www.deribit.com\"") {
                var url = Substring(text)
                while url.hasSuffix("/") { url = url.dropLast() }
                let scheme = url.hasPrefix("https://") ? 8 : (url.hasPrefix("http://") ? 7 : 0)
                if scheme == 0 || url.dropFirst(scheme).prefix(while: { $0 != "/" }).isEmpty
                    || url.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) {
                    e.report(.invalidValue, "base_url", "\"\(text)\" must be an http(s) URL with a host and no query, e.g. \"http://127.0.0.1:18080/deribit\"")
                    ok = false
                } else { baseURL = String(url) }
            }
            let rate = e.double("rate_limit", default: 1, .leftOpen(0, 100))
            let burst = e.integer("burst", default: 2, .closed(1, 100))
            let timeout = e.duration("timeout", default: 5_000)
            guard let name, let kind else { ok = false; continue }
            specs.append(VolSourceSpec(name: name, kind: kind, baseURL: baseURL, rateLimitPerSecond: rate, rateLimitBurst: burst,
                                       connectTimeoutMs: Int(min(2_000, timeout)), totalTimeoutMs: Int(timeout)))
        }
        return ok ? specs : nil
    }
}

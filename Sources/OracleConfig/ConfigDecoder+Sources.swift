import OracleCore
import TOMLKit

/// `[[source]]`.
extension ConfigDecoder {
    /// Decoded sources plus every declared name (valid or not), for reference checks in pairs.
    struct DecodedSources {
        var specs: [SourceSpec] = []
        /// Name → kind (nil when the kind itself was invalid) for every `[[source]]` that had a name.
        var declared: [String: VenueKind?] = [:]
        var names: [String] = []
    }

    func decodeSources(_ top: TableReader) -> DecodedSources {
        var result = DecodedSources()
        let tables = arrayOfTables(top, "source")
        if tables.isEmpty && !top.has("source") {
            diagnostics.report(.missingKey, path: "", section: "", key: "source",
                               "no [[source]] defined; add one [[source]] block per venue (name, kind, base_url)")
        }
        var firstLine: [String: Int] = [:]
        for (index, table) in tables {
            let rawName = table["name"]?.string
            let section = rawName.map { "[[source]] \($0)" } ?? "[[source]] #\(index + 1)"
            let r = TableReader(table: table, path: "source[\(index)]", section: section, diagnostics: diagnostics)

            let name = r.string("name", example: "\"coinbase\"")
            if !r.has("name") {
                r.reportTable(.missingKey, "name is missing; add name = \"...\" (unique; pairs refer to it)")
            }
            var validName: String?
            if let name {
                if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                    r.report(.invalidValue, "name", "\"\(name)\" is not a usable name; use letters, digits, '-', '_' or '.'")
                } else if let line = firstLine[name] {
                    r.report(.duplicate, "name", "duplicate source name \"\(name)\" (first defined on line \(line)); give each [[source]] a unique name")
                } else {
                    firstLine[name] = diagnostics.lines.line(for: r.keyPath("name")) ?? 0
                    validName = name
                }
            }

            let kind = readKind(r, name: name)
            if let name, !name.isEmpty, result.declared[name] == nil {
                // Declared even when invalid, so pairs using it do not also report "unknown source".
                result.declared[name] = .some(kind)
                result.names.append(name)
            }
            guard let spec = readSource(r, name: validName, kind: kind) else {
                r.finish(known: ConfigKeys.source)
                continue
            }
            r.finish(known: ConfigKeys.source)
            result.specs.append(spec)
        }
        return result
    }

    private func readKind(_ r: TableReader, name: String?) -> VenueKind? {
        let known = VenueKind.allCases.map(\.rawValue)
        guard r.has("kind") else {
            // `kind` may be left out when the name is itself an adapter name (name = "kraken").
            if let name, let kind = VenueKind(rawValue: name) { return kind }
            r.reportTable(.missingKey, "kind is missing; add kind = \"...\", one of \(known.joined(separator: ", "))")
            return nil
        }
        guard let text = r.string("kind", example: "\"coinbase\"") else { return nil }
        guard let kind = VenueKind(rawValue: text) else {
            let hint = KeySuggestion.closest(to: text, in: known).map { "did you mean \"\($0)\"? " } ?? ""
            r.report(.invalidValue, "kind", "unknown kind \"\(text)\"; \(hint)known kinds are \(known.joined(separator: ", "))")
            return nil
        }
        return kind
    }

    private func readSource(_ r: TableReader, name: String?, kind: VenueKind?) -> SourceSpec? {
        let defaults = kind.map(VenueDefaults.rateLimit(for:)) ?? (perSecond: 1, burst: 2)
        let baseURL = readBaseURL(r, kind: kind)
        let base = SourceSpec(name: "", kind: .generic, baseURL: "")

        // Rate limits above 1000/s are certainly a typo (and would be a ban at any venue).
        let rate = r.double("rate_limit", default: defaults.perSecond, .leftOpen(0, 1_000))
        let burst = r.integer("burst", default: defaults.burst, .closed(1, 1_000))
        let connect = r.duration("connect_timeout", default: Int64(base.connectTimeoutMs))
        let total = r.duration("timeout", default: Int64(base.totalTimeoutMs))
        if connect > total {
            r.report(.invalidValue, r.has("connect_timeout") ? "connect_timeout" : "timeout",
                     "connect_timeout (\(connect)ms) is longer than timeout (\(total)ms), which covers the whole request; "
                     + "make connect_timeout shorter or timeout longer")
        }
        var maxBody = base.maxBodyBytes
        if let bytes = r.byteCount("max_body") {
            // A ticker body is well under 1 KiB; more than 64 MiB is a typo that would let a
            // broken venue eat the daemon's memory.
            if bytes < 1_024 || bytes > 64 * 1_048_576 {
                r.report(.invalidValue, "max_body", "\(bytes) bytes is out of range; it must be between 1KiB and 64MiB, e.g. \"256KiB\"")
            } else {
                maxBody = bytes
            }
        }
        let quarantine = r.duration("quarantine", default: base.quarantineMs)
        let backoffBase = r.duration("backoff_base", default: base.backoffBaseMs)
        let backoffMax = r.duration("backoff_max", default: base.backoffMaxMs)
        if backoffMax < backoffBase {
            r.report(.invalidValue, r.has("backoff_max") ? "backoff_max" : "backoff_base",
                     "backoff_max (\(backoffMax)ms) is shorter than backoff_base (\(backoffBase)ms); the cap must be at least the first delay")
        }
        let generic = readGeneric(r, kind: kind)

        guard let name, let kind, let baseURL else { return nil }
        if kind == .generic && generic == nil { return nil }
        return SourceSpec(name: name, kind: kind, baseURL: baseURL, rateLimitPerSecond: rate, rateLimitBurst: burst,
                          connectTimeoutMs: Int(connect), totalTimeoutMs: Int(total), maxBodyBytes: maxBody,
                          quarantineMs: quarantine, backoffBaseMs: backoffBase, backoffMaxMs: backoffMax,
                          generic: generic)
    }

    /// `base_url`: http(s), a host, no query or fragment; trailing slashes dropped. Defaults per kind.
    private func readBaseURL(_ r: TableReader, kind: VenueKind?) -> String? {
        guard r.has("base_url") else {
            if let kind, let url = VenueDefaults.baseURL(for: kind) { return url }
            if kind == .generic {
                r.reportTable(.missingKey, "base_url is missing; a generic source must name its server, e.g. base_url = \"https://api.example.com\"")
            }
            return nil
        }
        guard let text = r.string("base_url", example: "\"https://api.exchange.coinbase.com\"") else { return nil }
        var url = Substring(text)
        while url.hasSuffix("/") { url = url.dropLast() }
        let scheme = url.hasPrefix("https://") ? "https://" : (url.hasPrefix("http://") ? "http://" : nil)
        guard let scheme else {
            r.report(.invalidValue, "base_url", "\"\(text)\" is not an http(s) URL; write e.g. base_url = \"https://api.exchange.coinbase.com\"")
            return nil
        }
        let rest = url.dropFirst(scheme.count)
        let host = rest.prefix { $0 != "/" }
        if host.isEmpty || url.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) {
            r.report(.invalidValue, "base_url", "\"\(text)\" must be scheme, host and optional path prefix only "
                     + "(no spaces, query or fragment), e.g. \"http://127.0.0.1:18080/coinbase\"")
            return nil
        }
        return String(url)
    }

    private func readGeneric(_ r: TableReader, kind: VenueKind?) -> GenericAdapterSpec? {
        guard kind == .generic else {
            for key in ConfigKeys.genericSource where r.has(key) {
                _ = r.value(key)
                if let kind {
                    r.report(.invalidValue, key, "only applies to kind = \"generic\"; remove it (the \(kind.rawValue) adapter knows its own endpoint and fields)")
                }
            }
            return nil
        }
        var ok = true
        var template: String?
        if let url = r.string("url", example: "\"/api/ticker?market={symbol}\"") {
            if !url.hasPrefix("/") || !url.contains("{symbol}") {
                r.report(.invalidValue, "url", "\"\(url)\" must be a path starting with '/' that contains {symbol}, e.g. url = \"/api/ticker?market={symbol}\"")
                ok = false
            } else {
                template = url
            }
        } else {
            if !r.has("url") {
                r.reportTable(.missingKey, "url is missing; a generic source needs url = \"/path?market={symbol}\" (appended to base_url)")
            }
            ok = false
        }
        func path(_ key: String) -> String? {
            guard let p = r.string(key, example: "\"data.0.last\"") else { return nil }
            let segments = p.split(separator: ".", omittingEmptySubsequences: false)
            if p.isEmpty || segments.contains(where: \.isEmpty) {
                r.report(.invalidValue, key, "\"\(p)\" is not a JSON path; write dot-separated keys and array indexes, e.g. \"data.0.last\"")
                ok = false
                return nil
            }
            return p
        }
        let price = path("price_path"), bid = path("bid_path"), ask = path("ask_path")
        let timestamp = path("timestamp_path"), error = path("error_path")
        let unit = r.choice("timestamp_unit", default: GenericAdapterSpec.TimestampUnit.ms)
        if (bid == nil) != (ask == nil) && (r.has("bid_path") != r.has("ask_path")) {
            r.report(.missingKey, bid == nil ? "ask_path" : "bid_path", "bid_path and ask_path go together; add the other one or remove this one")
            ok = false
        }
        if price == nil && (bid == nil || ask == nil) && !r.has("price_path") && !(r.has("bid_path") && r.has("ask_path")) {
            r.reportTable(.missingKey, "a generic source needs price_path, or bid_path and ask_path, to find a price in the body")
            ok = false
        }
        guard ok, let template else { return nil }
        return GenericAdapterSpec(urlTemplate: template, pricePath: price, bidPath: bid, askPath: ask,
                                  timestampPath: timestamp, timestampUnit: unit, errorPath: error)
    }
}

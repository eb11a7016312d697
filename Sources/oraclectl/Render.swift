/// Readable renderings of the daemon's JSON answers. Each falls back to the generic rendering when
/// a field is missing, so a newer daemon never makes the CLI fail.
enum Render {
    /// `price PAIR`: the mark's summary, then one row per source with its verdict and reason.
    static func mark(_ mark: JSONValue) -> String {
        var summary: [(String, String)] = [
            ("pair", mark["pair"]?.cell ?? "-"),
            ("price", mark["price"]?.cell ?? "-"),
            ("confidence", mark["confidence"]?.cell ?? "-"),
            ("status", mark["status"]?.cell ?? "-"),
            ("sources", "\(mark["sources_used"]?.cell ?? "?")/\(mark["sources_total"]?.cell ?? "?") used"),
            ("age", age(mark["age_ms"])),
            ("updated", mark["updated_at"]?.cell ?? "-"),
        ]
        if let reason = mark["status_reason"], reason != .null { summary.append(("reason", reason.cell)) }
        var out = Table.keyValue(summary)
        if case .array(let sources)? = mark["sources"], !sources.isEmpty {
            var table = Table(["SOURCE", "VALUE", "VERDICT", "REASON"])
            for source in sources {
                table.add([
                    source["source"]?.cell ?? "-",
                    source["value"]?.cell ?? "-",
                    source["verdict"]?.cell ?? "-",
                    source["reason"].map { $0 == .null ? "" : $0.cell } ?? "",
                ])
            }
            out += "\n\n" + table.rendered
        }
        return out
    }

    /// `prices`: one row per pair.
    static func marks(_ answer: JSONValue) -> String {
        guard case .array(let marks)? = answer["prices"] else { return generic(answer) }
        var table = Table(["PAIR", "PRICE", "CONFIDENCE", "STATUS", "SOURCES", "AGE"])
        for mark in marks {
            table.add([
                mark["pair"]?.cell ?? "-",
                mark["price"]?.cell ?? "-",
                mark["confidence"]?.cell ?? "-",
                mark["status"]?.cell ?? "-",
                "\(mark["sources_used"]?.cell ?? "?")/\(mark["sources_total"]?.cell ?? "?")",
                age(mark["age_ms"]),
            ])
        }
        return table.rendered
    }

    /// `health`: overall status, then per-source and per-pair rows; with `[[vol]]`, the vol sources
    /// (same columns, first column VOL SOURCE) and per underlying its surface's status and age.
    static func health(_ answer: JSONValue) -> String {
        var out = "status  " + (answer["status"]?.cell ?? "-")
        if let table = sourceTable(answer["sources"], heading: "SOURCE") { out += "\n\n" + table }
        if case .array(let pairs)? = answer["pairs"], !pairs.isEmpty {
            var table = Table(["PAIR", "STATUS", "AGE"])
            for p in pairs {
                table.add([p["pair"]?.cell ?? "-", p["status"]?.cell ?? "-", age(p["age_ms"])])
            }
            out += "\n\n" + table.rendered
        }
        if let table = sourceTable(answer["vol_sources"], heading: "VOL SOURCE") { out += "\n\n" + table }
        if case .array(let surfaces)? = answer["vol"], !surfaces.isEmpty {
            // AGE is since the surface was fitted; "-" when unavailable (nothing served, as a mark without a price).
            var table = Table(["UNDERLYING", "VOL STATUS", "AGE", "EXPIRIES", "SOURCES", "REASON"])
            for v in surfaces {
                table.add([
                    v["underlying"]?.cell ?? "-",
                    v["status"]?.cell ?? "-",
                    v["age_ms"].map { $0 == .null ? "-" : age($0) } ?? "-",
                    v["expiries"]?.cell ?? "-",
                    "\(v["sources_used"]?.cell ?? "?")/\(v["sources_total"]?.cell ?? "?")",
                    v["reason"].map { $0 == .null ? "" : $0.cell } ?? "",
                ])
            }
            out += "\n\n" + table.rendered
        }
        return out
    }

    /// One row per source (price `sources` or `vol_sources`: the daemon gives both the same shape).
    private static func sourceTable(_ value: JSONValue?, heading: String) -> String? {
        guard case .array(let sources)? = value, !sources.isEmpty else { return nil }
        var table = Table([heading, "STATE", "LAST SUCCESS", "ERRORS", "REQUESTS", "TOTAL ERRORS", "NEXT ATTEMPT", "LAST ERROR"])
        for s in sources {
            table.add([
                s["name"]?.cell ?? "-",
                s["state"]?.cell ?? "-",
                s["last_success"]?.cell ?? "-",
                s["consecutive_errors"]?.cell ?? "-",
                s["requests"]?.cell ?? "-",
                s["errors"]?.cell ?? "-",
                age(s["next_attempt_ms"]),
                s["last_error"].map { $0 == .null ? "" : $0.cell } ?? "",
            ])
        }
        return table.rendered
    }

    /// `calibration`: the book summary, then per account its observations, exceedances, p-values and zone.
    static func calibration(_ answer: JSONValue) -> String {
        let s = answer["summary"]
        let zones = s?["accounts"]
        var out = Table.keyValue([
            ("observations", s?["observations"]?.cell ?? "-"),
            ("exceedances", s?["exceedances"]?.cell ?? "-"),
            ("expected rate", s?["expected_rate"]?.cell ?? "-"),
            ("accounts", "green \(zones?["green"]?.cell ?? "0"), yellow \(zones?["yellow"]?.cell ?? "0"), red \(zones?["red"]?.cell ?? "0")"),
        ])
        if case .array(let accounts)? = answer["accounts"], !accounts.isEmpty {
            var table = Table(["ACCOUNT", "OBS", "EXC", "KUPIEC P", "CHRISTOFFERSEN P", "LAST 250", "LIGHT"])
            for a in accounts {
                table.add([
                    a["id"]?.cell ?? "-",
                    a["observations"]?.cell ?? "-",
                    a["exceedances"]?.cell ?? "-",
                    a["kupiec_p"]?.cell ?? "-",
                    a["christoffersen_p"]?.cell ?? "-",
                    "\(a["window_exceedances"]?.cell ?? "-")/\(a["window_observations"]?.cell ?? "-")",
                    a["traffic_light"]?.cell ?? "-",
                ])
            }
            out += "\n\n" + table.rendered
        }
        return out
    }

    /// One `watch` update on one line: time, pair, price ± confidence, status, sources.
    /// `calls --state all/--since/--follow`: one notice per line, columns in a fixed order so the
    /// lines of successive pages line up and `grep`/`awk` can pick fields.
    static func noticeLine(_ n: JSONValue) -> String {
        func cell(_ key: String) -> String {
            guard let v = n[key], v != .null else { return "-" }
            return v.cell
        }
        return [
            cell("created_at"), cell("level").padding(to: 11), cell("account"),
            "ratio=" + cell("ratio"), "deficit=" + cell("deficit"), "deadline=" + cell("deadline"), "id=" + cell("id"),
        ].joined(separator: "  ")
    }

    static func update(_ mark: JSONValue) -> String {
        [
            mark["updated_at"]?.cell ?? "-",
            mark["pair"]?.cell ?? "-",
            (mark["price"]?.cell ?? "-") + " ± " + (mark["confidence"]?.cell ?? "-"),
            mark["status"]?.cell ?? "-",
            "\(mark["sources_used"]?.cell ?? "?")/\(mark["sources_total"]?.cell ?? "?") sources",
        ].joined(separator: "  ")
    }

    /// Anything else (accounts, calls, results): scalar fields as key/value lines, each array of
    /// objects as a table whose columns are the union of their keys, nested objects as JSON.
    static func generic(_ value: JSONValue) -> String {
        switch value {
        case .object(let fields):
            var scalars: [(String, String)] = []
            var sections: [String] = []
            for (key, field) in fields {
                if case .array(let items) = field, !items.isEmpty {
                    sections.append(key.uppercased() + "\n" + rows(items))
                } else {
                    scalars.append((key, field.cell))
                }
            }
            return ([scalars.isEmpty ? nil : Table.keyValue(scalars)].compactMap { $0 } + sections).joined(separator: "\n\n")
        case .array(let items):
            return items.isEmpty ? "(none)" : rows(items)
        default:
            return value.cell
        }
    }

    private static func rows(_ items: [JSONValue]) -> String {
        var columns: [String] = []
        for item in items {
            if case .object(let fields) = item {
                for (key, _) in fields where !columns.contains(key) { columns.append(key) }
            }
        }
        guard !columns.isEmpty else { return items.map(\.cell).joined(separator: "\n") }
        var table = Table(columns.map { $0.uppercased() })
        for item in items {
            table.add(columns.map { item[$0]?.cell ?? "" })
        }
        return table.rendered
    }

    /// Milliseconds as a short human age (`850ms`, `12.3s`, `4m05s`).
    static func age(_ value: JSONValue?) -> String {
        guard let value, case .number(let text) = value, let ms = Double(text) else { return value?.cell ?? "-" }
        if ms < 1000 { return "\(Int(ms))ms" }
        if ms < 60_000 { return String(Int(ms / 100) / 10) + "." + String(Int(ms / 100) % 10) + "s" }
        let seconds = Int(ms / 1000)
        let s = seconds % 60
        return "\(seconds / 60)m" + (s < 10 ? "0" : "") + "\(s)s"
    }
}

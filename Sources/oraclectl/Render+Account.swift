/// `accounts show ID`: the figures an operator reads first, the linear positions, and for an
/// account holding options one line per option (name, quantity, σ, value, Greeks), its Greeks per
/// underlying and the scenario grid's requirement with the scenario that set it. Any field missing
/// (an older daemon) shows as "-"; `--json` prints the API's answer unchanged.
extension Render {
    static func account(_ a: JSONValue) -> String {
        guard case .object = a, a["id"] != nil else { return generic(a) }
        func cell(_ v: JSONValue?) -> String { v.map { $0 == .null ? "-" : $0.cell } ?? "-" }
        var summary: [(String, String)] = [
            ("id", cell(a["id"])), ("level", cell(a["level"])), ("ratio", cell(a["ratio"])),
            ("equity", cell(a["equity"]) + " " + cell(a["currency"])),
            ("maintenance", cell(a["maintenance_requirement"])), ("initial", cell(a["initial_requirement"])),
            ("deficit", cell(a["deficit"])), ("since", cell(a["since"])), ("deadline", cell(a["deadline"])),
        ]
        if let reason = a["unpriced_reason"], reason != .null { summary.append(("unpriced", reason.cell)) }
        if let risk = a["risk"] { summary.append(("model", cell(risk["model"]))) }
        if let hold = a["hold"], hold != .null { summary.append(("hold", cell(hold["reason"]))) }
        if let top = a["top_up"], case .object(let assets) = top, !assets.isEmpty {
            summary.append(("top up", assets.map { "\($0.1.cell) \($0.0)" }.joined(separator: " or ")))
        }
        var out = Table.keyValue(summary)

        guard case .array(let positions)? = a["components"]?["positions"] else { return out }
        var linear = Table(["PAIR", "QTY", "ENTRY", "MARK", "PNL", "MAINTENANCE", "INITIAL"])
        var options = Table(["OPTION", "QTY", "σ", "PRICE", "VALUE", "DELTA", "GAMMA", "VEGA", "THETA"])
        var hasLinear = false, hasOptions = false
        for p in positions {
            if let o = p["option"], o != .null {
                hasOptions = true
                let g = p["greeks"]
                options.add([cell(o["name"]), cell(p["quantity"]), percent(p["volatility"]), cell(p["option_price"]),
                             product(p["quantity"], p["option_price"]),
                             cell(g?["delta"]), cell(g?["gamma"]), cell(g?["vega"]), cell(g?["theta"])])
            } else {
                hasLinear = true
                let grid = p["in_option_grid"] == .bool(true)
                linear.add([cell(p["pair"]), cell(p["quantity"]), cell(p["entry_price"]), cell(p["mark"]), cell(p["unrealised_pnl"]),
                            grid ? "(option grid)" : cell(p["maintenance"]), grid ? "(option grid)" : cell(p["initial"])])
            }
        }
        if hasLinear { out += "\n\nPOSITIONS\n" + linear.rendered }
        if hasOptions { out += "\n\nOPTIONS (Greeks × quantity: vega USD per vol point, theta USD per day)\n" + options.rendered }

        if let greeks = a["greeks"], case .object(let byUnderlying)? = greeks["by_underlying"], !byUnderlying.isEmpty {
            var table = Table(["UNDERLYING", "DELTA", "DELTA USD", "GAMMA", "VEGA", "THETA", "OPTION VALUE"])
            for (name, g) in byUnderlying {
                table.add([name, cell(g["delta"]), cell(g["delta_usd"]), cell(g["gamma"]), cell(g["vega"]), cell(g["theta"]), cell(g["option_value"])])
            }
            out += "\n\nGREEKS\n" + table.rendered + "\naccount vega \(cell(greeks["vega"]))  theta \(cell(greeks["theta"]))"
        }
        if let grid = a["risk"]?["option_grid"], grid != .null {
            var lines: [(String, String)] = [
                ("requirement", cell(grid["requirement"])), ("initial", cell(grid["initial"])),
                ("worst loss", cell(grid["worst_loss"])), ("short minimum", cell(grid["short_option_minimum"])),
            ]
            if let w = grid["worst_scenario"], w != .null { lines.append(("worst scenario", scenario(w))) }
            out += "\n\nOPTION GRID\n" + Table.keyValue(lines)
        }
        return out
    }

    /// `BTC-USD -16% (driver BTC-USD), vol up, pnl -1234.56` (extreme moves say so with their weight).
    static func scenario(_ w: JSONValue) -> String {
        var moves: [String] = []
        if case .object(let m)? = w["moves"] {
            for (pair, move) in m { moves.append(pair + " " + signedPercent(move)) }
        }
        var s = moves.joined(separator: ", ") + " (driver \(w["driver"]?.cell ?? "-")), vol \(w["vol_shock"]?.cell ?? "-")"
        if w["extreme"] == .bool(true) { s += ", extreme × \(w["weight"]?.cell ?? "-")" }
        return s + ", pnl \(w["pnl"]?.cell ?? "-")"
    }

    /// A fraction as a percentage with 2 decimals ("0.6" → "60.00%"), "-" when absent.
    static func percent(_ v: JSONValue?) -> String {
        guard let x = number(v) else { return "-" }
        return fixed(x * 100, 2) + "%"
    }

    static func signedPercent(_ v: JSONValue?) -> String {
        guard let x = number(v) else { return "-" }
        return (x >= 0 ? "+" : "") + fixed(x * 100, 2) + "%"
    }

    /// quantity × price to the cent: an option position's value.
    static func product(_ a: JSONValue?, _ b: JSONValue?) -> String {
        guard let x = number(a), let y = number(b) else { return "-" }
        return fixed(x * y, 2)
    }

    static func number(_ v: JSONValue?) -> Double? {
        switch v {
        case .string(let s)?, .number(let s)?: Double(s).flatMap { $0.isFinite ? $0 : nil }
        default: nil
        }
    }

    /// Fixed-point text without Foundation's formatter (oraclectl links no Foundation).
    static func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9e18 else { return String(x) }
        let n = Int64(scaled), unit = Int64(scale)
        var frac = String(n % unit)
        while frac.count < digits { frac = "0" + frac }
        return (x < 0 && n != 0 ? "-" : "") + String(n / unit) + (digits > 0 ? "." + frac : "")
    }
}

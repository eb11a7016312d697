import OracleCore

extension BacktestReport {
    /// `report.html`: one self-contained page (inline CSS and SVG, no script, no external
    /// reference), so it opens offline and can be mailed or archived with the run. Per account: the
    /// P&L against −VaR with exceedances marked, the requirement against equity, and the level
    /// timeline; above them the calibration table.
    public func html() -> String {
        var o = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>oracled backtest</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
        table{border-collapse:collapse;margin:8px 0 16px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        th{background:#f4f4f4}td.l,th.l{text-align:left}
        .green{background:#c8efc8}.yellow{background:#fff1a8}.red{background:#f8b8b8}
        svg{background:#fcfcfc;border:1px solid #ddd;margin:4px 0 12px;display:block}
        .legend span{display:inline-block;margin-right:14px}
        .sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}
        </style></head><body>

        """
        let b = boundaries
        o += "<h1>oracled backtest</h1>\n<p>Model <b>\(esc(policy.model.rawValue))</b>, VaR \(pct(policy.varConfidence)), "
        o += "history interval \(Self.duration(policy.historyIntervalMs)), horizon \(Self.duration(policy.horizonMs)); "
        o += "prices \(RFC3339.format(ms: fromMs).prefix(10)) to \(RFC3339.format(ms: toMs).prefix(10)) (\(pricePoints) points). "
        o += "An observation is one account over one interval: its realised P&L against the VaR published at the start "
        o += "(scaled to one interval). Traffic light over the last \(TrafficLight.window) observations: green below \(b.yellow) "
        o += "exceedances, yellow \(b.yellow)–\(b.red - 1), red from \(b.red).</p>\n"
        o += "<h2>Calibration</h2>\n<table><tr><th class=l>account</th><th>observations</th><th>exceedances</th><th>rate</th>"
        o += "<th>expected</th><th>Kupiec p</th><th>Christoffersen p</th><th>cond. coverage p</th><th>last \(TrafficLight.window)</th><th>traffic light</th></tr>\n"
        for r in results {
            let rate = r.observations > 0 ? Double(r.exceedances) / Double(r.observations) : 0
            o += "<tr><td class=l><a href=\"#\(anchor(r.id))\">\(esc(r.id))</a></td><td>\(r.observations)</td><td>\(r.exceedances)</td>"
            o += "<td>\(pct(rate))</td><td>\(pct(1 - policy.varConfidence))</td><td>\(p(r.kupiecP))</td><td>\(p(r.christoffersenP))</td>"
            o += "<td>\(p(r.conditionalCoverageP))</td><td>\(r.windowExceedances)/\(r.windowObservations)</td>"
            o += "<td class=\(r.trafficLight.rawValue)>\(r.trafficLight.rawValue)</td></tr>\n"
        }
        o += "</table>\n<p>p-values below 0.05 reject the model: Kupiec for the wrong number of exceedances (too few as much as too many), "
        o += "Christoffersen for exceedances that cluster.</p>\n"
        for r in results { o += section(r) }
        o += "</body></html>\n"
        return o
    }

    func section(_ r: BacktestResult) -> String {
        var o = "<h2 id=\"\(anchor(r.id))\">\(esc(r.id)) <small class=\(r.trafficLight.rawValue)>&nbsp;\(r.trafficLight.rawValue)&nbsp;</small></h2>\n"
        guard !r.rows.isEmpty else { return o + "<p>Never priced: the history has no price of a pair this account needs.</p>\n" }
        let t0 = r.rows.first!.timeMs, t1 = max(r.rows.last!.timeMs, t0 + 1)
        let w = 1040.0, h = 220.0, left = 70.0, right = 10.0, top = 10.0, bottom = 24.0
        func x(_ t: Int64) -> Double { left + (w - left - right) * Double(t - t0) / Double(t1 - t0) }

        // 1. P&L against −VaR.
        let obs = r.rows.filter { $0.pnl != nil }
        var lo = 0.0, hi = 0.0
        for row in obs {
            if let v = row.pnl { lo = min(lo, v); hi = max(hi, v) }
            if let v = row.valueAtRisk { lo = min(lo, -v) }
        }
        o += "<p class=legend><span><i class=sw style=\"background:#7a9cc6\"></i>P&amp;L over the next interval</span>"
        o += "<span><i class=sw style=\"background:#d9822b\"></i>−VaR (one interval)</span><span><i class=sw style=\"background:#c00\"></i>exceedance</span></p>\n"
        o += svgOpen(w, h)
        let yPnl = scale(lo, hi, top, h - bottom)
        o += axes(w: w, h: h, left: left, bottom: bottom, top: top, lo: lo, hi: hi, y: yPnl, t0: t0, t1: t1)
        o += polyline(obs.compactMap { row in row.pnl.map { (x(row.timeMs), yPnl($0)) } }, color: "#7a9cc6", width: 0.8)
        o += polyline(r.rows.compactMap { row in row.valueAtRisk.map { (x(row.timeMs), yPnl(-$0)) } }, color: "#d9822b", width: 1.2)
        for row in r.rows where row.exceeded {
            o += "<circle cx=\"\(f(x(row.timeMs)))\" cy=\"\(f(yPnl(row.pnl ?? 0)))\" r=\"2.5\" fill=\"#c00\"><title>\(RFC3339.format(ms: row.timeMs).prefix(10)): loss \(f(-(row.pnl ?? 0))) &gt; VaR \(f(row.valueAtRisk ?? 0))</title></circle>\n"
        }
        o += "</svg>\n"

        // 2. Requirement against equity.
        var lo2 = 0.0, hi2 = 0.0
        for row in r.rows { lo2 = min(lo2, row.equity, row.maintenanceRequirement); hi2 = max(hi2, row.equity, row.maintenanceRequirement) }
        o += "<p class=legend><span><i class=sw style=\"background:#2a7\"></i>equity</span><span><i class=sw style=\"background:#a3a\"></i>maintenance requirement</span></p>\n"
        o += svgOpen(w, h)
        let yReq = scale(lo2, hi2, top, h - bottom)
        o += axes(w: w, h: h, left: left, bottom: bottom, top: top, lo: lo2, hi: hi2, y: yReq, t0: t0, t1: t1)
        o += polyline(r.rows.map { (x($0.timeMs), yReq($0.equity)) }, color: "#2a7", width: 1)
        o += polyline(r.rows.map { (x($0.timeMs), yReq($0.maintenanceRequirement)) }, color: "#a3a", width: 1)
        o += "</svg>\n"

        // 3. Level timeline: one band, a rectangle per run of the same level.
        let colors: [MarginLevel: String] = [.none: "#c8efc8", .warning: "#fff1a8", .marginCall: "#f7c77e", .urgent: "#f08a5d", .liquidation: "#b00"]
        o += "<p class=legend>" + [MarginLevel.none, .warning, .marginCall, .urgent, .liquidation].map {
            "<span><i class=sw style=\"background:\(colors[$0]!)\"></i>\($0.rawValue)</span>"
        }.joined() + "</p>\n"
        o += svgOpen(w, 40)
        var start = 0
        for i in 1...r.rows.count where i == r.rows.count || r.rows[i].level != r.rows[start].level {
            let x0 = x(r.rows[start].timeMs), x1 = i < r.rows.count ? x(r.rows[i].timeMs) : w - right
            let level = r.rows[start].level
            o += "<rect x=\"\(f(x0))\" y=\"8\" width=\"\(f(max(0.5, x1 - x0)))\" height=\"24\" fill=\"\(colors[level] ?? "#999")\"><title>\(level.rawValue) from \(RFC3339.format(ms: r.rows[start].timeMs).prefix(10))</title></rect>\n"
            start = i
        }
        o += "</svg>\n"
        return o
    }

    // The drawing helpers are shared with the replay report (ReportSVG).
    func svgOpen(_ w: Double, _ h: Double) -> String { ReportSVG.open(w, h) }

    func axes(w: Double, h: Double, left: Double, bottom: Double, top: Double, lo: Double, hi: Double,
              y: (Double) -> Double, t0: Int64, t1: Int64) -> String {
        ReportSVG.axes(w: w, h: h, left: left, bottom: bottom, top: top, lo: lo, hi: hi, y: y, t0: t0, t1: t1)
    }

    func polyline(_ pts: [(Double, Double)], color: String, width: Double) -> String { ReportSVG.polyline(pts, color: color, width: width) }

    func scale(_ lo: Double, _ hi: Double, _ top: Double, _ bottom: Double) -> (Double) -> Double { ReportSVG.scale(lo, hi, top, bottom) }

    func f(_ v: Double) -> String { ReportSVG.f(v) }
    func p(_ v: Double) -> String { v >= 0.001 || v == 0 ? DecimalText.format(v, maxFractionDigits: 4) : "\(v)" }
    func pct(_ v: Double) -> String { DecimalText.format(v * 100, maxFractionDigits: 2) + " %" }
    func anchor(_ id: String) -> String { "acct-" + String(id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }) }
    func esc(_ s: String) -> String { ReportSVG.esc(s) }
}

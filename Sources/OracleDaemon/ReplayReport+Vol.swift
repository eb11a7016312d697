import OracleCore

extension ReplayReport {
    /// One `[[vol]]` underlying in `report.html`: the ATM vol of each served expiry over the tape (one
    /// line per expiry, its colour by expiry order), the DVOL level when it was served flat (dashed),
    /// and the surface's non-`ok` stretches shaded with the status and reason in their tooltip.
    func volSection(_ underlying: String, summary: ReplayStats) -> String {
        let points = vol[underlying] ?? []
        var o = "<h2>\(esc(underlying)) volatility surface</h2>\n"
        let statuses = summary.vol[underlying]?.statuses ?? [:]
        o += "<p>\(points.count) surface builds: " + statuses.keys.sorted().map { "\(esc($0)) \(statuses[$0]!)" }.joined(separator: ", ")
        o += ". ATM vol (the fitted smile at the forward) per expiry, as a fraction; every build is in vol.jsonl.</p>\n"
        let expiries = Array(Set(points.flatMap { $0.atm.keys })).sorted()
        var lo = Double.infinity, hi = -Double.infinity
        for p in points {
            for v in p.atm.values { lo = min(lo, v); hi = max(hi, v) }
            if let v = p.fallback, v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        }
        guard lo.isFinite, hi.isFinite else { return o + "<p>No surface was served on this tape.</p>\n" }
        let pad = max((hi - lo) * 0.08, 0.005)
        lo = max(0, lo - pad); hi += pad
        let (t0, t1) = (summary.firstMs ?? 0, max(summary.lastMs ?? 0, (summary.firstMs ?? 0) + 1))
        let w = 1100.0, h = 240.0, left = 70.0, right = 10.0, top = 10.0, bottom = 24.0
        func x(_ t: Int64) -> Double { left + (w - left - right) * Double(t - t0) / Double(t1 - t0) }
        let y = ReportSVG.scale(lo, hi, top, h - bottom)
        o += "<p class=legend>" + expiries.enumerated().map { i, e in
            "<span><i class=sw style=\"background:\(Self.palette[i % Self.palette.count])\"></i>\(esc(String(RFC3339.format(ms: e).prefix(10))))</span>"
        }.joined() + "<span>○ DVOL served flat</span><span><i class=sw style=\"background:#fbe3e3\"></i>surface not ok</span></p>\n"
        o += ReportSVG.open(w, h)
        var i = 0
        while i < points.count {
            guard points[i].status != .ok else { i += 1; continue }
            var j = i
            while j + 1 < points.count && points[j + 1].status == points[i].status { j += 1 }
            let x0 = x(points[i].atMs), x1 = j + 1 < points.count ? x(points[j + 1].atMs) : w - right
            o += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(1, x1 - x0)))\" height=\"\(f(h - top - bottom))\" fill=\"#fbe3e3\">"
            o += "<title>\(esc(points[i].status.rawValue)) from \(esc(Self.clock(points[i].atMs)))\(points[i].reason.map { ": " + esc($0) } ?? "")</title></rect>\n"
            i = j + 1
        }
        o += ReportSVG.axes(w: w, h: h, left: left, bottom: bottom, top: top, lo: lo, hi: hi, y: y, t0: t0, t1: t1,
                            labelDigits: 3, zeroLine: false, time: Self.clock)
        let stride = max(1, points.count / Self.maxDrawnCycles)
        for (k, e) in expiries.enumerated() {
            // A gap where the expiry was not served breaks the line rather than bridging it.
            var run: [(Double, Double)] = []
            for (n, p) in points.enumerated() {
                if let v = p.atm[e] {
                    if n % stride == 0 || n == points.count - 1 { run.append((x(p.atMs), y(v))) }
                } else if !run.isEmpty {
                    o += ReportSVG.polyline(run, color: Self.palette[k % Self.palette.count], width: 1.5)
                    run = []
                }
            }
            o += ReportSVG.polyline(run, color: Self.palette[k % Self.palette.count], width: 1.5)
        }
        for p in points { if let v = p.fallback, v.isFinite {
            o += "<circle cx=\"\(f(x(p.atMs)))\" cy=\"\(f(y(v)))\" r=\"2\" fill=\"none\" stroke=\"#555\" stroke-dasharray=\"2 1\"><title>\(esc(Self.clock(p.atMs))) DVOL \(esc(DecimalText.format(v, maxFractionDigits: 4)))</title></circle>\n"
        } }
        return o + "</svg>\n"
    }
}

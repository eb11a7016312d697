import OracleCore

extension ReplayReport {
    /// Source colours, assigned in order of first appearance (stable for a tape).
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                          "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94"]
    static let levelColors: [MarginLevel: String] = [.none: "#2a7", .warning: "#d4b000", .marginCall: "#f08a00", .urgent: "#e0452b", .liquidation: "#900"]
    /// At most this many cycles are drawn per chart (evenly thinned); every point that is not
    /// `used` is drawn whatever the thinning, since those are what the report is read for.
    static let maxDrawnCycles = 1_500

    /// `report.html`: self-contained (inline CSS and SVG, no script, nothing fetched), so it
    /// opens offline and can be attached to an incident. Per pair: the mark line against every
    /// source's values, outliers as red crosses, stale values as hollow grey rings, frozen ones as
    /// blue squares, the mark's non-`ok` stretches shaded, and the notices as vertical lines; above
    /// them a timeline of all notices.
    func html(title: String, summary: ReplayStats, accounts: Int?) -> String {
        var o = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>oracled replay</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1140px}
        table{border-collapse:collapse;margin:8px 0 16px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
        th{background:#f4f4f4}td.l,th.l{text-align:left}
        svg{background:#fcfcfc;border:1px solid #ddd;margin:4px 0 12px;display:block}
        .legend span{display:inline-block;margin-right:14px}
        .sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}
        </style></head><body>

        """
        o += "<h1>oracled replay</h1>\n<p>Tape <b>\(esc(title))</b>: \(summary.responses) venue responses over \(summary.cycles) cycles"
        if let a = summary.firstMs, let b = summary.lastMs { o += ", \(esc(RFC3339.format(ms: a))) to \(esc(RFC3339.format(ms: b)))" }
        o += ". Replayed through the daemon's parsers, aggregation"
        o += accounts.map { " and margin trigger (\($0) accounts)" } ?? " (no accounts given: no trigger)"
        o += " on the tape's clock.</p>\n"
        o += noticeTimeline(summary: summary)
        for pair in sectionOrder() { if let s = pairs[pair] { o += section(s, summary: summary) } }
        for u in volOrder { o += volSection(u, summary: summary) }
        o += "</body></html>\n"
        return o
    }

    /// Pairs a notice used first, then those with the most values not `used`, then the engine's
    /// order: what went wrong is at the top of the page. Deterministic (ties keep engine order).
    func sectionOrder() -> [String] {
        let noticed = Set(notices.flatMap { $0.marks.map(\.pair) })
        func trouble(_ p: String) -> Int { pairs[p]?.sources.values.reduce(0) { $0 + $1.filter { $0.verdict != .used }.count } ?? 0 }
        return pairOrder.enumerated().sorted { a, b in
            let ka = (noticed.contains(a.element) ? 0 : 1, -trouble(a.element), a.offset)
            let kb = (noticed.contains(b.element) ? 0 : 1, -trouble(b.element), b.offset)
            return ka < kb
        }.map(\.element)
    }

    private func timeRange(_ summary: ReplayStats) -> (Int64, Int64) {
        let t0 = summary.firstMs ?? 0
        return (t0, max(summary.lastMs ?? t0, t0 + 1))
    }

    static func clock(_ ms: Int64) -> String { String(RFC3339.format(ms: ms).dropFirst(11).prefix(8)) }

    func noticeTimeline(summary: ReplayStats) -> String {
        var o = "<h2>Notices</h2>\n"
        guard !notices.isEmpty else { return o + "<p>None: no account changed level on this tape.</p>\n" }
        let (t0, t1) = timeRange(summary)
        let w = 1100.0, left = 70.0, right = 10.0
        func x(_ t: Int64) -> Double { left + (w - left - right) * Double(t - t0) / Double(t1 - t0) }
        let levels: [MarginLevel] = [.none, .warning, .marginCall, .urgent, .liquidation]
        o += "<p class=legend>" + levels.map { "<span><i class=sw style=\"background:\(Self.levelColors[$0]!)\"></i>\($0 == MarginLevel.none ? "cured" : $0.rawValue)</span>" }.joined() + "</p>\n"
        let accounts = Array(Set(notices.map(\.account))).sorted()
        let rowH = 18.0, h = Double(accounts.count) * rowH + 34
        o += ReportSVG.open(w, h)
        for (i, a) in accounts.enumerated() {
            let y = 8 + Double(i) * rowH
            o += "<text x=\"\(f(left - 4))\" y=\"\(f(y + 12))\" font-size=\"10\" text-anchor=\"end\">\(esc(a))</text>\n"
            o += "<line x1=\"\(f(left))\" y1=\"\(f(y + 8))\" x2=\"\(f(w - right))\" y2=\"\(f(y + 8))\" stroke=\"#eee\"/>\n"
            for n in notices where n.account == a {
                o += "<rect x=\"\(f(x(n.createdAtMs) - 4))\" y=\"\(f(y + 2))\" width=\"8\" height=\"12\" fill=\"\(Self.levelColors[n.level] ?? "#999")\">"
                o += "<title>\(esc(Self.clock(n.createdAtMs))) \(esc(n.id)): \(esc(n.level.rawValue)), ratio \(esc(DecimalText.format(n.ratio, maxFractionDigits: 4)))</title></rect>\n"
            }
        }
        o += "<text x=\"\(f(left))\" y=\"\(f(h - 6))\" font-size=\"10\">\(esc(Self.clock(t0)))</text>\n"
        o += "<text x=\"\(f(w - right))\" y=\"\(f(h - 6))\" font-size=\"10\" text-anchor=\"end\">\(esc(Self.clock(t1)))</text>\n</svg>\n"
        o += "<table><tr><th class=l>time</th><th class=l>notice</th><th class=l>level</th><th>ratio</th><th>deficit</th><th class=l>marks</th></tr>\n"
        for n in notices.prefix(200) {
            o += "<tr><td class=l>\(esc(RFC3339.format(ms: n.createdAtMs)))</td><td class=l>\(esc(n.id))</td><td class=l>\(esc(n.level.rawValue))</td>"
            o += "<td>\(esc(DecimalText.format(n.ratio, maxFractionDigits: 4)))</td><td>\(esc(DecimalText.format(n.deficit, maxFractionDigits: 2)))</td>"
            o += "<td class=l>\(esc(n.marks.map { "\($0.pair) \(DecimalText.format($0.price, maxFractionDigits: 2))" }.joined(separator: ", ")))</td></tr>\n"
        }
        if notices.count > 200 { o += "<tr><td class=l colspan=6>… \(notices.count - 200) more in notices.jsonl</td></tr>\n" }
        return o + "</table>\n"
    }

    func section(_ s: PairSeries, summary: ReplayStats) -> String {
        var o = "<h2>\(esc(s.pair))</h2>\n"
        let statuses = summary.pairs[s.pair]?.statuses ?? [:]
        o += "<p>Mark status by cycle: " + statuses.keys.sorted().map { "\(esc($0)) \(statuses[$0]!)" }.joined(separator: ", ") + ".</p>\n"
        let (t0, t1) = timeRange(summary)
        let w = 1100.0, h = 300.0, left = 70.0, right = 10.0, top = 10.0, bottom = 24.0
        func x(_ t: Int64) -> Double { left + (w - left - right) * Double(t - t0) / Double(t1 - t0) }
        // The scale follows the mark and the used values: an outlier 80 % away would flatten
        // everything else, so points off the scale are pinned to the edge (their title has the value).
        var lo = Double.infinity, hi = -Double.infinity
        for m in s.marks { if let p = m.price { lo = min(lo, p); hi = max(hi, p) } }
        for pts in s.sources.values { for p in pts where p.verdict == .used { lo = min(lo, p.value); hi = max(hi, p.value) } }
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        let pad = max((hi - lo) * 0.08, abs(hi) * 0.0005)
        lo -= pad; hi += pad
        let y = ReportSVG.scale(lo, hi, top, h - bottom)
        func yc(_ v: Double) -> Double { min(max(y(v), top), h - bottom) }
        let stride = max(1, s.marks.count / Self.maxDrawnCycles)
        let drawn = Set(s.marks.enumerated().compactMap { $0.offset % stride == 0 ? $0.element.atMs : nil })

        o += "<p class=legend><span><i class=sw style=\"background:#000\"></i>mark</span>"
        for (i, src) in s.sourceOrder.enumerated() {
            o += "<span><i class=sw style=\"background:\(Self.palette[i % Self.palette.count])\"></i>\(esc(src))</span>"
        }
        o += "<span>✕ outlier</span><span>○ stale</span><span>□ frozen</span><span><i class=sw style=\"background:#fbe3e3\"></i>mark not ok</span></p>\n"
        o += ReportSVG.open(w, h)
        // Non-ok stretches of the mark, shaded.
        var i = 0
        while i < s.marks.count {
            guard s.marks[i].status != .ok else { i += 1; continue }
            var j = i
            while j + 1 < s.marks.count && s.marks[j + 1].status == s.marks[i].status { j += 1 }
            let x0 = x(s.marks[i].atMs), x1 = j + 1 < s.marks.count ? x(s.marks[j + 1].atMs) : w - right
            o += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(1, x1 - x0)))\" height=\"\(f(h - top - bottom))\" fill=\"#fbe3e3\">"
            o += "<title>\(esc(s.marks[i].status.rawValue)) from \(esc(Self.clock(s.marks[i].atMs)))</title></rect>\n"
            i = j + 1
        }
        o += ReportSVG.axes(w: w, h: h, left: left, bottom: bottom, top: top, lo: lo, hi: hi, y: y, t0: t0, t1: t1,
                            labelDigits: hi < 10 ? 4 : 2, zeroLine: false, time: Self.clock)
        for n in notices where n.marks.contains(where: { $0.pair == s.pair }) {
            o += "<line x1=\"\(f(x(n.createdAtMs)))\" y1=\"\(f(top))\" x2=\"\(f(x(n.createdAtMs)))\" y2=\"\(f(h - bottom))\" stroke=\"\(Self.levelColors[n.level] ?? "#999")\" stroke-dasharray=\"4 3\"><title>\(esc(n.id))</title></line>\n"
        }
        for (k, src) in s.sourceOrder.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            for p in s.sources[src] ?? [] where p.verdict != .used || drawn.contains(p.atMs) {
                let px = f(x(p.atMs)), py = f(yc(p.value)), cx = x(p.atMs), cy = yc(p.value)
                let tip = "<title>\(esc(Self.clock(p.atMs))) \(esc(src)) \(esc(DecimalText.format(p.value, maxFractionDigits: 8))): \(esc(p.verdict.rawValue))\(p.reason.isEmpty ? "" : " — " + esc(p.reason))</title>"
                switch p.verdict {
                case .used:
                    o += "<circle cx=\"\(px)\" cy=\"\(py)\" r=\"1.8\" fill=\"\(color)\">\(tip)</circle>\n"
                case .outlier:
                    o += "<path d=\"M\(f(cx - 4)) \(f(cy - 4))L\(f(cx + 4)) \(f(cy + 4))M\(f(cx - 4)) \(f(cy + 4))L\(f(cx + 4)) \(f(cy - 4))\" stroke=\"#d00\" stroke-width=\"1.6\">\(tip)</path>\n"
                case .stale:
                    o += "<circle cx=\"\(px)\" cy=\"\(py)\" r=\"4\" fill=\"none\" stroke=\"#888\" stroke-width=\"1.2\">\(tip)</circle>\n"
                case .frozen:
                    o += "<rect x=\"\(f(cx - 3.5))\" y=\"\(f(cy - 3.5))\" width=\"7\" height=\"7\" fill=\"none\" stroke=\"#1f4fd0\" stroke-width=\"1.4\">\(tip)</rect>\n"
                case .error:
                    o += "<circle cx=\"\(px)\" cy=\"\(py)\" r=\"2.5\" fill=\"#000\">\(tip)</circle>\n"
                }
            }
        }
        o += ReportSVG.polyline(s.marks.enumerated().compactMap { i, m in
            (i % stride == 0 || i == s.marks.count - 1) ? m.price.map { (x(m.atMs), yc($0)) } : nil
        }, color: "#000", width: 1.5)
        o += "</svg>\n"
        return o
    }

    func f(_ v: Double) -> String { ReportSVG.f(v) }
    func esc(_ s: String) -> String { ReportSVG.esc(s) }
}

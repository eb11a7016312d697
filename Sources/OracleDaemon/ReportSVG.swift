import OracleCore

/// The drawing helpers of the offline HTML reports (`oracled backtest`, `oracled replay`): inline
/// SVG text built from values alone, so the same inputs give byte-identical pages. Numbers are
/// printed with one decimal (pixels); a non-finite coordinate becomes 0 rather than breaking the page.
enum ReportSVG {
    static func open(_ w: Double, _ h: Double) -> String {
        "<svg width=\"\(f(w))\" height=\"\(f(h))\" viewBox=\"0 0 \(f(w)) \(f(h))\">\n"
    }

    /// The y axis with lo, 0 (when `zeroLine`) and hi labelled, and the first and last time below.
    static func axes(w: Double, h: Double, left: Double, bottom: Double, top: Double, lo: Double, hi: Double,
                     y: (Double) -> Double, t0: Int64, t1: Int64, labelDigits: Int = 0, zeroLine: Bool = true,
                     time: (Int64) -> String = { String(RFC3339.format(ms: $0).prefix(10)) }) -> String {
        var o = "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(h - bottom))\" stroke=\"#999\"/>\n"
        if zeroLine { o += "<line x1=\"\(f(left))\" y1=\"\(f(y(0)))\" x2=\"\(f(w - 10))\" y2=\"\(f(y(0)))\" stroke=\"#bbb\"/>\n" }
        for v in zeroLine ? [lo, 0, hi] : [lo, hi] {
            o += "<text x=\"\(f(left - 4))\" y=\"\(f(y(v) + 4))\" font-size=\"10\" text-anchor=\"end\">\(esc(DecimalText.format(v, maxFractionDigits: labelDigits)))</text>\n"
        }
        o += "<text x=\"\(f(left))\" y=\"\(f(h - 6))\" font-size=\"10\">\(esc(time(t0)))</text>\n"
        o += "<text x=\"\(f(w - 10))\" y=\"\(f(h - 6))\" font-size=\"10\" text-anchor=\"end\">\(esc(time(t1)))</text>\n"
        return o
    }

    static func polyline(_ pts: [(Double, Double)], color: String, width: Double) -> String {
        guard !pts.isEmpty else { return "" }
        var o = "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(f(width))\" points=\""
        for (i, p) in pts.enumerated() {
            if i > 0 { o += " " }
            o += f(p.0) + "," + f(p.1)
        }
        return o + "\"/>\n"
    }

    /// Maps [lo, hi] onto [bottomY, topY] (SVG y grows downwards); a flat range maps to the middle.
    static func scale(_ lo: Double, _ hi: Double, _ top: Double, _ bottom: Double) -> (Double) -> Double {
        let span = hi - lo
        guard span > 0, span.isFinite else { return { _ in (top + bottom) / 2 } }
        return { v in bottom - (bottom - top) * (v - lo) / span }
    }

    static func f(_ v: Double) -> String { v.isFinite ? DecimalText.format(v, maxFractionDigits: 1) : "0" }

    static func esc(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(c)
            }
        }
        return o
    }
}

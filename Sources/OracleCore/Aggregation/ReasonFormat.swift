/// Number formatting for verdict and status reasons, without Foundation.
///
/// Reasons are read by operators (`oraclectl prices`), so integers print without ".0", basis
/// points with at most one decimal, and non-finite values by name. Only non-`used` verdicts and
/// non-`ok` statuses build reasons, so none of this runs in a healthy cycle.
enum ReasonFormat {
    /// A value as short as it can be read back: `67210`, `0.9998`, `1e+308`, `NaN`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// Basis points rounded to one decimal.
    static func bps(_ v: Double) -> String {
        guard v.isFinite else { return number(v) }
        return number((v * 10).rounded() / 10)
    }
}

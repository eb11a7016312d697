import OracleCore

/// `/metrics` for the implied-volatility surfaces, mirroring the marks' families: a one-hot status,
/// the age and the sources used per `[[vol]]` underlying. (The vol sources themselves are in the
/// `oracled_source_*` families with the price sources.)
enum VolMetrics {
    static func families(_ vol: VolState, nowMs: Int64) async -> [MetricFamily] {
        families(await vol.all(nowMs: nowMs), nowMs: nowMs)
    }

    static func families(_ surfaces: [VolSurface], nowMs: Int64) -> [MetricFamily] {
        func label(_ s: VolSurface) -> String { "{underlying=\"\(MetricsText.esc(s.underlying))\"}" }
        var status: [(labels: String, value: String)] = []
        for s in surfaces {
            for st in Mark.Status.allCases {
                status.append(("{underlying=\"\(MetricsText.esc(s.underlying))\",status=\"\(st.rawValue)\"}", s.status == st ? "1" : "0"))
            }
        }
        return [
            MetricFamily(name: "oracled_vol_surface_status", type: "gauge",
                         help: "Current status of each underlying's volatility surface (one-hot).", samples: status),
            MetricFamily(name: "oracled_vol_surface_age_seconds", type: "gauge",
                         help: "Seconds since the surface was fitted from fresh quotes (+Inf when unavailable).",
                         samples: surfaces.map { s in
                             (label(s), ageMs(s, nowMs: nowMs).map { DecimalText.format(Double($0) / 1000, maxFractionDigits: 6) } ?? "+Inf")
                         }),
            MetricFamily(name: "oracled_vol_surface_sources_used", type: "gauge",
                         help: "Sources used in at least one served expiry of the surface.",
                         samples: surfaces.map { (label($0), "\($0.sourcesUsed)") }),
            MetricFamily(name: "oracled_vol_surface_expiries", type: "gauge",
                         help: "Expiries served by the surface.",
                         samples: surfaces.map { (label($0), "\($0.slices.count)") }),
        ]
    }

    /// Age of what the surface serves; nil when it serves nothing (`unavailable`), like a mark without a price.
    static func ageMs(_ s: VolSurface, nowMs: Int64) -> Int64? {
        s.status == .unavailable ? nil : max(0, nowMs - s.builtAtMs)
    }
}

import OracleCore

/// `GET /v1/vol/{underlying}` and `GET /v1/vol` bodies. Volatilities are fractions (0.4543 =
/// 45.43 %), strikes and forwards in the quote currency, times RFC 3339.
enum VolJSON {
    /// Ten decimals for fit parameters, T and k: a one-week slice has a ≈ 0.003, which six
    /// decimals would cut to three significant digits.
    static func fine(_ v: Double) -> JSON { v.isFinite ? .raw(DecimalText.format(v, maxFractionDigits: 10)) : .null }

    static func render(_ s: VolSurface, nowMs: Int64, detail: Bool = true) -> JSON {
        var fields: [(String, JSON)] = [
            ("underlying", .string(s.underlying)),
            ("status", .string(s.status.rawValue)),
            ("reason", .optional(s.statusReason)),
            ("updated_at", .string(RFC3339.format(ms: s.builtAtMs))),
            ("age_ms", .int(max(0, nowMs - s.builtAtMs))),
            ("sources_used", .int(s.sourcesUsed)),
            ("sources_total", .int(s.sourcesTotal)),
            ("fallback", s.fallbackLevel.map { l in .object([("kind", .string("dvol")), ("vol", .number(l.value)),
                                                            ("time", .string(RFC3339.format(ms: l.timestampMs)))]) } ?? .null),
            ("expiries", .array(s.slices.map { slice($0, detail: detail) })),
            ("dropped", .array(s.dropped.map { .object([("expiry", .string(RFC3339.format(ms: $0.expiryMs))), ("reason", .string($0.reason))]) })),
        ]
        if detail {
            fields.append(("sources", .array(s.sources.map { src in
                .object([
                    ("source", .string(src.source)),
                    ("kind", .string(src.kind.rawValue)),
                    ("verdict", .string(src.verdict.rawValue)),
                    ("reason", .string(src.reason)),
                    ("quotes", .int(src.quotes)),
                    ("used", .int(src.used)),
                    ("time", src.timeMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                ])
            })))
        }
        return .object(fields)
    }

    static func slice(_ s: VolSlice, detail: Bool) -> JSON {
        var params: JSON = .null
        switch s.smile {
        case .svi(let p):
            params = .object([("a", fine(p.a)), ("b", fine(p.b)), ("rho", fine(p.rho)), ("m", fine(p.m)), ("sigma", fine(p.sigma))])
        case .convex(let c):
            params = .object([("knots", .array(c.knots.map { .array([fine($0.k), fine($0.w)]) }))])
        }
        var fields: [(String, JSON)] = [
            ("expiry", .string(RFC3339.format(ms: s.expiryMs))),
            ("t_years", fine(s.t)),
            ("forward", .number(s.forward)),
            ("atm_vol", .number(s.atmVol)),
            ("status", .string(s.status.rawValue)),
            ("reason", .optional(s.statusReason)),
            ("sources_used", .array(s.sourcesUsed.map(JSON.string))),
            ("method", .string(s.smile.method)),
            ("params", params),
            ("k_range", .array([fine(s.kMin), fine(s.kMax)])),
            ("rmse_vol", .number(s.rmseVol)),
            ("repair", .optional(s.repair)),
        ]
        if detail {
            fields.append(("points", .array(s.points.map { p in
                .object([
                    ("strike", .number(p.strike)),
                    ("k", fine(p.k)),
                    ("iv", p.iv.map(JSON.number) ?? .null),
                    ("fitted_iv", .number(s.vol(atK: p.k))),
                    ("sources", .array(p.inputs.map { i in
                        .object([
                            ("source", .string(i.source)),
                            ("iv", .number(i.iv)),
                            ("forward", .number(i.forward)),
                            ("time", .string(RFC3339.format(ms: i.timeMs))),
                            ("verdict", .string(i.verdict.rawValue)),
                            ("reason", .string(i.reason)),
                        ])
                    })),
                ])
            })))
        }
        return .object(fields)
    }
}

import OracleCore
import OracleTape

/// The counts behind `summary.json`: what the tape held and what the replay made of it.
/// Keys are written sorted, so the file is byte-identical for the same tape.
struct ReplayStats {
    struct SourceTally {
        var responses = 0
        var bodyBytes = 0
        /// HTTP status → responses; transport error class → requests without an answer.
        var statuses: [Int: Int] = [:]
        var transportErrors: [String: Int] = [:]
        /// Verdict → (pair, cycle) slots that got it.
        var verdicts: [String: Int] = [:]
    }

    struct PairTally {
        var statuses: [String: Int] = [:]
        var minPrice: Double?
        var maxPrice: Double?
        var lastPrice: Double?
    }

    /// One underlying's surface builds.
    struct VolTally {
        var builds = 0
        var statuses: [String: Int] = [:]
        var lastStatus: String?
        /// ATM vol of the nearest served expiry at each build (nil when nothing was served).
        var minFrontATM: Double?
        var maxFrontATM: Double?
        var lastFrontATM: Double?
        var lastExpiries = 0
    }

    var responses = 0
    var cycles = 0
    /// Responses from a source the replay's configuration does not have.
    var skippedResponses = 0
    /// Responses of `[[vol]]` sources (they rebuild the surfaces).
    var volResponses = 0
    var vol: [String: VolTally] = [:]
    var firstMs: Int64?
    var lastMs: Int64?
    var sources: [String: SourceTally] = [:]
    var pairs: [String: PairTally] = [:]
    var noticesByLevel: [String: Int] = [:]

    mutating func count(_ r: TapeResponse) {
        responses += 1
        seen(r.wallMs)
        var t = sources[r.source] ?? SourceTally()
        t.responses += 1
        t.bodyBytes += r.body.count
        if let e = r.transportError { t.transportErrors[e, default: 0] += 1 } else { t.statuses[r.status, default: 0] += 1 }
        sources[r.source] = t
    }

    mutating func count(cycle c: TapeCycle, marks: [Mark]) {
        cycles += 1
        seen(c.wallMs)
        for m in marks {
            var p = pairs[m.pair] ?? PairTally()
            p.statuses[m.status.rawValue, default: 0] += 1
            if let v = m.price, v.isFinite {
                p.minPrice = min(p.minPrice ?? v, v)
                p.maxPrice = max(p.maxPrice ?? v, v)
                p.lastPrice = v
            }
            pairs[m.pair] = p
            for s in m.sources { sources[s.source, default: SourceTally()].verdicts[s.verdict.rawValue, default: 0] += 1 }
        }
    }

    mutating func count(vol surfaces: [VolSurface]) {
        for s in surfaces {
            var t = vol[s.underlying] ?? VolTally()
            t.builds += 1
            t.statuses[s.status.rawValue, default: 0] += 1
            t.lastStatus = s.status.rawValue
            t.lastExpiries = s.slices.count
            if let atm = s.slices.first?.atmVol, atm.isFinite {
                t.minFrontATM = min(t.minFrontATM ?? atm, atm)
                t.maxFrontATM = max(t.maxFrontATM ?? atm, atm)
                t.lastFrontATM = atm
            }
            vol[s.underlying] = t
        }
    }

    mutating func count(_ notices: [Notice]) {
        for n in notices { noticesByLevel[n.level.rawValue, default: 0] += 1 }
    }

    private mutating func seen(_ ms: Int64) {
        firstMs = min(firstMs ?? ms, ms)
        lastMs = max(lastMs ?? ms, ms)
    }

    /// `summary.json`.
    func json(accounts: Int?, tornTail: (offset: Int, reason: String)?) -> JSON {
        func counts<K: Comparable & Hashable>(_ d: [K: Int], _ key: (K) -> String) -> JSON {
            .object(d.keys.sorted().map { (key($0), .int(d[$0]!)) })
        }
        // Volatilities as numbers (fractions), as /v1/vol writes them.
        let fraction: (Double?) -> JSON = { $0.map(JSON.number) ?? .null }
        let time: (Int64?) -> JSON = { ms in ms.map { JSON.string(RFC3339.format(ms: $0)) } ?? JSON.null }
        return .object([
            ("from", time(firstMs)),
            ("to", time(lastMs)),
            ("responses", .int(responses)),
            ("cycles", .int(cycles)),
            ("skipped_responses", .int(skippedResponses)),
            ("vol_responses", .int(volResponses)),
            ("vol_builds", .int(vol.values.reduce(0) { $0 + $1.builds })),
            ("torn_tail", tornTail.map { JSON.object([("offset", JSON.int($0.offset)), ("reason", JSON.string($0.reason))]) } ?? JSON.null),
            ("accounts", accounts.map { JSON.int($0) } ?? JSON.null),
            ("notices", counts(noticesByLevel) { $0 }),
            ("pairs", .object(pairs.keys.sorted().map { k in
                let p = pairs[k]!
                return (k, .object([("statuses", counts(p.statuses) { $0 }), ("min_price", .decimal(p.minPrice)),
                                    ("max_price", .decimal(p.maxPrice)), ("last_price", .decimal(p.lastPrice))]))
            })),
            ("vol", .object(vol.keys.sorted().map { k in
                let t = vol[k]!
                return (k, .object([("builds", .int(t.builds)), ("statuses", counts(t.statuses) { $0 }),
                                    ("last_status", .optional(t.lastStatus)), ("last_expiries", .int(t.lastExpiries)),
                                    ("front_atm_vol", .object([("min", fraction(t.minFrontATM)), ("max", fraction(t.maxFrontATM)),
                                                               ("last", fraction(t.lastFrontATM))]))]))
            })),
            ("sources", .object(sources.keys.sorted().map { k in
                let s = sources[k]!
                return (k, .object([("responses", .int(s.responses)), ("body_bytes", .int(s.bodyBytes)),
                                    ("http_status", counts(s.statuses) { String($0) }),
                                    ("transport_errors", counts(s.transportErrors) { $0 }),
                                    ("verdicts", counts(s.verdicts) { $0 })]))
            })),
        ])
    }
}

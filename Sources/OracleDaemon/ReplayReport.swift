import OracleCore

/// What `report.html` draws, gathered cycle by cycle: per pair the mark and every source's offered
/// value with its verdict, and every notice. Values only, so the page is byte-identical for a tape.
struct ReplayReport {
    struct MarkPoint {
        var atMs: Int64
        var price: Double?
        var status: Mark.Status
    }

    struct SourcePoint {
        var atMs: Int64
        var value: Double
        var verdict: SourceReport.Verdict
        var reason: String
    }

    struct PairSeries {
        var pair: String
        var marks: [MarkPoint] = []
        /// Source → its points, sources in the order the pair lists them.
        var sourceOrder: [String] = []
        var sources: [String: [SourcePoint]] = [:]
    }

    /// One underlying's surface builds: status and ATM vol per served expiry.
    struct VolPoint {
        var atMs: Int64
        var status: Mark.Status
        var reason: String?
        /// Expiry (Unix ms) → ATM vol of the fitted smile; empty when nothing was served.
        var atm: [Int64: Double]
        var fallback: Double?
    }

    var pairOrder: [String] = []
    /// `[[vol]]` order.
    var volOrder: [String] = []
    var vol: [String: [VolPoint]] = [:]
    var pairs: [String: PairSeries] = [:]
    var notices: [Notice] = []

    mutating func add(_ c: TapeReplay.Cycle) {
        for m in c.marks {
            if pairs[m.pair] == nil {
                pairOrder.append(m.pair)
                pairs[m.pair] = PairSeries(pair: m.pair)
            }
            pairs[m.pair]!.marks.append(MarkPoint(atMs: c.atMs, price: m.price, status: m.status))
            for s in m.sources {
                if pairs[m.pair]!.sources[s.source] == nil {
                    pairs[m.pair]!.sourceOrder.append(s.source)
                    pairs[m.pair]!.sources[s.source] = []
                }
                guard let v = s.value, v.isFinite else { continue }
                pairs[m.pair]!.sources[s.source]!.append(SourcePoint(atMs: c.atMs, value: v, verdict: s.verdict, reason: s.reason))
            }
        }
        notices += c.notices
        for v in c.vol {
            if vol[v.underlying] == nil { volOrder.append(v.underlying); vol[v.underlying] = [] }
            var atm: [Int64: Double] = [:]
            for slice in v.slices where slice.atmVol.isFinite { atm[slice.expiryMs] = slice.atmVol }
            vol[v.underlying]!.append(VolPoint(atMs: c.atMs, status: v.status, reason: v.statusReason, atm: atm, fallback: v.fallbackLevel?.value))
        }
    }
}

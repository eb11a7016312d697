import OracleConfig
import OracleCore
import OracleTape

/// `oracled replay`'s volatility half: rebuilds each `[[vol]]` underlying's surface from the vol
/// answers on the tape, by the live loop's own steps (`VolPollService.answer`/`transportFailure`,
/// `rebuildDue`, `build` → `VolSurfaceBuilder`) under the `[[vol]]` blocks of `--config`.
///
/// Time: an answer becomes its source's latest reading when the tape reaches it (stamped with its
/// recorded receive time); surfaces are rebuilt at the next cycle record, at the cycle's wall time,
/// for every underlying with news or whose last build is `poll_interval` old — the live rule. The
/// live loop rebuilds on its own tick (≤ 250 ms after an answer), so a replayed surface is built up
/// to one `[daemon] poll_interval` later than the live one was; age-based verdicts (`max_age`,
/// `frozen_after`, `hold`) move by at most that.
struct VolReplay {
    /// `[[vol]]` blocks in file order: builds and outputs follow it.
    let settings: [VolSettings]
    /// Vol source name → (its `[[vol]]` underlying, kind). Names are unique across all sources.
    private let sourceIndex: [String: (underlying: String, kind: VolSourceKind)]
    private var readings: [String: [String: VolSourceReading]] = [:]
    private var freshness: [String: VolFreshness] = [:]
    private var changed = Set<String>()
    /// The latest surface per underlying (what `/v1/vol` would have served after the last cycle).
    private(set) var surfaces: [String: VolSurface] = [:]
    /// Position pair ("BTC-USD") → underlying ("BTC"), as `SurfaceVolatility.pairKey` maps them.
    let underlyingByPair: [String: String]

    init(settings: [VolSettings]) {
        self.settings = settings
        var index: [String: (underlying: String, kind: VolSourceKind)] = [:]
        for s in settings {
            for src in s.sources { index[src.name] = (s.underlying, src.kind) }
        }
        sourceIndex = index
        underlyingByPair = MarginDesk.volatilityPairs(settings)
    }

    func handles(_ source: String) -> Bool { sourceIndex[source] != nil }

    /// Takes one vol answer from the tape as its source's latest reading (an answer without HTTP,
    /// a timeout say, is a reading too: the source's error, as live).
    mutating func take(_ r: TapeResponse) {
        guard let (underlying, kind) = sourceIndex[r.source] else { return }
        let answer: VolAnswer
        if let code = r.transportError {
            answer = VolPollService.transportFailure(kind: kind, code: code, message: r.transportMessage ?? code)
        } else {
            let vr = VenueResponse(status: r.status, headers: r.headers, body: r.body, receivedAtMs: r.wallMs)
            answer = VolPollService.answer(kind: kind, underlying: underlying, response: vr)
        }
        readings[underlying, default: [:]][r.source] = VolSourceReading(source: r.source, kind: kind, answer: answer, receivedAtMs: r.wallMs)
        changed.insert(underlying)
    }

    /// The surfaces rebuilt at a cycle's time, in `[[vol]]` order (empty when none is due).
    mutating func cycle(nowMs: Int64) -> [VolSurface] {
        let built = VolPollService.rebuildAllDue(settings, changed: changed, readings: readings, freshness: &freshness,
                                                 surfaces: &surfaces, nowMs: nowMs).map(\.surface)
        changed.removeAll()
        return built
    }

    /// The latest surfaces as option valuation's σ, mapped from pairs as the live desk maps them.
    var volatility: SurfaceVolatility {
        var lookup = SurfaceVolatility(surfaces: settings.compactMap { surfaces[$0.underlying] }, underlyingByPair: underlyingByPair)
        lookup.maxAgeMs = MarginDesk.volatilityMaxAge(settings)
        return lookup
    }
}

import OracleConfig
import OracleCore

/// The pure steps of the vol loop, shared by `VolPollService` (live) and `oracled replay`
/// (`VolReplay`, from the tape) so that a replayed surface is built by exactly the code that
/// built the live one: answer → `VolSourceReading`, when a rebuild is due, and the build itself.
extension VolPollService {
    /// One HTTP answer of a vol source, parsed for `underlying` (DVOL answers carry no instrument
    /// names, so they are not filtered by underlying).
    static func answer(kind: VolSourceKind, underlying: String, response: VenueResponse) -> VolAnswer {
        VolAdapters.parse(kind, response: response, underlying: kind == .deribitDVOL ? nil : underlying)
    }

    /// A request that got no HTTP answer: `code` is the `FetchError.Code` raw value, `message` the
    /// error as logged (and as the tape keeps it). A timeout is `unavailable`, as for prices.
    static func transportFailure(kind: VolSourceKind, code: String, message: String) -> VolAnswer {
        VolAnswer(bodyError: VenueError(code == "timeout" ? .unavailable : .other, "\(kind.venueLabel): \(message)"))
    }

    /// Rebuild on news, and at least once per poll interval so age-based verdicts move on. A held
    /// (stale) surface keeps its build time, so it is rebuilt at every opportunity until it recovers
    /// or its `hold` runs out.
    static func rebuildDue(changed: Bool, previous: VolSurface?, pollIntervalMs: Int64, nowMs: Int64) -> Bool {
        changed || nowMs - (previous?.builtAtMs ?? 0) >= pollIntervalMs
    }

    /// One underlying's surface from its sources' latest readings (`readings` by source name; a
    /// source without one yet counts as "no answer yet"), in the `[[vol]]` block's source order.
    static func build(_ s: VolSettings, readings: [String: VolSourceReading], freshness: inout VolFreshness,
                      previous: VolSurface?, nowMs: Int64) -> VolSurface {
        let r = s.sources.map { src in
            readings[src.name] ?? VolSourceReading(source: src.name, kind: src.kind, answer: nil, receivedAtMs: 0)
        }
        return VolSurfaceBuilder.build(underlying: s.underlying, readings: r, policy: s.policy,
                                       freshness: &freshness, previous: previous, nowMs: nowMs)
    }

    /// Every `[[vol]]` underlying whose rebuild is due, rebuilt in file order, with the surface it
    /// replaces: `surfaces` (the latest per underlying) and `freshness` are updated in place.
    static func rebuildAllDue(_ settings: [VolSettings], changed: Set<String>, readings: [String: [String: VolSourceReading]],
                              freshness: inout [String: VolFreshness], surfaces: inout [String: VolSurface],
                              nowMs: Int64) -> [(surface: VolSurface, before: VolSurface?)] {
        var out: [(surface: VolSurface, before: VolSurface?)] = []
        for s in settings where rebuildDue(changed: changed.contains(s.underlying), previous: surfaces[s.underlying],
                                           pollIntervalMs: s.pollIntervalMs, nowMs: nowMs) {
            var f = freshness[s.underlying] ?? VolFreshness()
            let before = surfaces[s.underlying]
            let surface = build(s, readings: readings[s.underlying] ?? [:], freshness: &f, previous: before, nowMs: nowMs)
            freshness[s.underlying] = f
            // A held (stale) surface keeps its build time; the next one is judged against it.
            surfaces[s.underlying] = surface
            out.append((surface, before))
        }
        return out
    }
}

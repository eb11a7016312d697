import Foundation

/// Builds an underlying's `VolSurface` from its sources' latest answers. Pure: the time is a
/// parameter, and the only state (`VolFreshness`, for frozen detection) is passed in.
///
/// Order of the rules (docs/volatility.md has the formulas and defaults):
/// 1. every quote of the underlying whose expiry is at least `minTimeToExpiryMs` away is
///    `stale` when older than `maxAgeMs`, `frozen` when its IV has not changed for
///    `frozenAfterMs`, otherwise a candidate;
/// 2. per (expiry, strike) each source contributes one IV (median of its call and put);
///    across sources the median/MAD filter of `RobustFilter` marks outliers and the kept
///    median is the point's IV;
/// 3. per expiry: forward = median of the kept sources' forwards, k = ln(K/F), w = IV²·T;
///    raw SVI by least squares when there are enough strikes and it converges, else the
///    convex piecewise-linear smile; a smile failing the butterfly check is replaced by the
///    fallback, and dropped if that fails too;
/// 4. across expiries, a calendar violation drops the slice with fewer venues (then fewer
///    points, then the later one) until none remain;
/// 5. status: `ok` when every served expiry has `minSources` venues and nothing was dropped;
///    `degraded` otherwise, or when only DVOL is left (a flat level); `stale` when the
///    previous surface is held; `unavailable` when there is nothing.
public enum VolSurfaceBuilder {
    public static func build(underlying: String, readings: [VolSourceReading], policy: VolPolicy,
                             freshness: inout VolFreshness, previous: VolSurface?, nowMs: Int64) -> VolSurface {
        var summaries: [VolSourceSummary] = []
        // expiry → strike → source → contributions
        var byExpiry: [Int64: [Double: [String: [VolQuote]]]] = [:]
        var rejected: [Int64: [Double: [VolPointInput]]] = [:]
        var dvol: (source: String, kind: VolSourceKind, level: VolIndexLevel)?

        for r in readings {
            guard let answer = r.answer else {
                summaries.append(VolSourceSummary(source: r.source, kind: r.kind, verdict: .error, reason: "no answer yet", quotes: 0, used: 0, timeMs: nil))
                continue
            }
            if let e = answer.bodyError {
                summaries.append(VolSourceSummary(source: r.source, kind: r.kind, verdict: .error, reason: e.description, quotes: 0, used: 0, timeMs: nil))
                continue
            }
            if r.kind == .deribitDVOL {
                if let level = answer.indexLevel {
                    let fresh = nowMs - level.timestampMs <= policy.maxAgeMs
                    summaries.append(VolSourceSummary(source: r.source, kind: r.kind, verdict: fresh ? .used : .stale,
                                                      reason: fresh ? "" : "DVOL candle \(ageText(nowMs - level.timestampMs)) old > max_age \(ageText(policy.maxAgeMs))",
                                                      quotes: 1, used: 0, timeMs: level.timestampMs))
                    if fresh, dvol.map({ level.timestampMs > $0.level.timestampMs }) ?? true { dvol = (r.source, r.kind, level) }
                } else {
                    summaries.append(VolSourceSummary(source: r.source, kind: r.kind, verdict: .error, reason: "no DVOL level in the answer", quotes: 0, used: 0, timeMs: nil))
                }
                continue
            }
            var offered = 0, stale = 0, frozen = 0
            var newest: Int64?
            for q in answer.quotes where q.option.underlying == underlying && q.option.expiryMs - nowMs >= policy.minTimeToExpiryMs {
                offered += 1
                newest = max(newest ?? q.timestampMs, q.timestampMs)
                let since = freshness.observe(source: r.source, instrument: q.instrument, iv: q.markIV, nowMs: nowMs)
                let age = nowMs - q.timestampMs
                var verdict: SourceReport.Verdict?
                var reason = ""
                if age > policy.maxAgeMs {
                    verdict = .stale; stale += 1
                    reason = "quote \(ageText(age)) old > max_age \(ageText(policy.maxAgeMs))"
                } else if nowMs - since >= policy.frozenAfterMs {
                    verdict = .frozen; frozen += 1
                    reason = "mark IV unchanged for \(ageText(nowMs - since)) ≥ \(ageText(policy.frozenAfterMs))"
                }
                if let verdict {
                    rejected[q.option.expiryMs, default: [:]][q.option.strike, default: []].append(
                        VolPointInput(source: r.source, instruments: [q.instrument], iv: q.markIV, forward: q.forward,
                                      timeMs: q.timestampMs, verdict: verdict, reason: reason))
                } else {
                    byExpiry[q.option.expiryMs, default: [:]][q.option.strike, default: [:]][r.source, default: []].append(q)
                }
            }
            let reason: String
            let verdict: SourceReport.Verdict
            if offered == 0 {
                verdict = .error
                reason = answer.quotes.isEmpty ? "no option quotes in the answer (\(answer.rejects.count) unreadable)" : "no live \(underlying) options in the answer"
            } else if stale == offered {
                verdict = .stale; reason = "all \(offered) quotes older than max_age"
            } else if frozen + stale == offered {
                verdict = .frozen; reason = "all \(offered) quotes frozen or stale"
            } else {
                verdict = .used; reason = ""
            }
            summaries.append(VolSourceSummary(source: r.source, kind: r.kind, verdict: verdict, reason: reason,
                                              quotes: offered, used: 0, timeMs: newest))
        }
        freshness.prune(nowMs: nowMs)

        var slices: [VolSlice] = []
        var dropped: [VolDroppedSlice] = []
        for expiry in Set(byExpiry.keys).union(rejected.keys).sorted() {
            let strikes = byExpiry[expiry] ?? [:]
            let t = Double(expiry - nowMs) / VolSurface.yearMs
            switch slice(expiry: expiry, t: t, strikes: strikes, rejected: rejected[expiry] ?? [:], policy: policy) {
            case .success(let s): slices.append(s)
            case .failure(let d): dropped.append(d)
            }
        }
        removeCalendarArbitrage(&slices, &dropped)
        dropped.sort { $0.expiryMs < $1.expiryMs }

        // Which sources ended up in a served expiry.
        var usedCount: [String: Int] = [:]
        for s in slices { for p in s.points { for i in p.inputs where i.verdict == .used { usedCount[i.source, default: 0] += 1 } } }
        for i in summaries.indices where summaries[i].kind != .deribitDVOL {
            summaries[i].used = usedCount[summaries[i].source] ?? 0
            if summaries[i].verdict == .used, summaries[i].used == 0 {
                summaries[i].verdict = .outlier
                summaries[i].reason = "none of its quotes is in a served expiry (outliers or dropped expiries)"
            }
        }

        if !slices.isEmpty {
            if let d = dvol, let i = summaries.firstIndex(where: { $0.source == d.source }) {
                // Fresh but not used: of the contract's verdicts, `outlier` ("not in the value") is the
                // closest; the reason says it is standing by, not that it disagreed.
                summaries[i].verdict = .outlier
                summaries[i].reason = "standby: the fallback level, not needed while option quotes make the surface"
            }
            var reasons: [String] = []
            let thin = slices.filter { $0.status != .ok }
            if !thin.isEmpty { reasons.append("\(thin.count) of \(slices.count) expiries below quorum \(policy.minSources)") }
            if !dropped.isEmpty { reasons.append("\(dropped.count) expiries dropped") }
            return VolSurface(underlying: underlying, status: reasons.isEmpty ? .ok : .degraded,
                              statusReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                              builtAtMs: nowMs, slices: slices, dropped: dropped, sources: summaries)
        }
        if let d = dvol {
            return VolSurface(underlying: underlying, status: .degraded,
                              statusReason: "no usable option quotes; DVOL \(pct(d.level.value)) served as a flat level",
                              builtAtMs: nowMs, dropped: dropped, fallbackLevel: d.level, sources: summaries)
        }
        if var held = previous, held.status != .unavailable, nowMs - held.builtAtMs <= policy.holdMs {
            held.status = .stale
            held.statusReason = "no usable quotes; holding the surface built \(ageText(nowMs - held.builtAtMs)) ago"
            held.sources = summaries
            return held
        }
        return VolSurface(underlying: underlying, status: .unavailable,
                          statusReason: dropped.isEmpty ? "no usable option quotes and no DVOL level" : "every expiry dropped",
                          builtAtMs: nowMs, dropped: dropped, sources: summaries)
    }

    /// Filters, fits and checks one expiry.
    static func slice(expiry: Int64, t: Double, strikes: [Double: [String: [VolQuote]]],
                      rejected: [Double: [VolPointInput]], policy: VolPolicy) -> Result<VolSlice, VolDroppedSlice> {
        guard t > 0, t.isFinite else { return .failure(VolDroppedSlice(expiryMs: expiry, reason: "expired")) }
        struct Row { var strike: Double; var inputs: [VolPointInput]; var iv: Double? }
        var rows: [Row] = []
        for strike in Set(strikes.keys).union(rejected.keys).sorted() {
            var inputs: [VolPointInput] = []
            for (source, qs) in (strikes[strike] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let iv = RobustFilter.median(qs.map(\.markIV)) ?? qs[0].markIV
                let fwd = RobustFilter.median(qs.map(\.forward)) ?? qs[0].forward
                inputs.append(VolPointInput(source: source, instruments: qs.map(\.instrument).sorted(), iv: iv, forward: fwd,
                                            timeMs: qs.map(\.timestampMs).max() ?? 0, verdict: .used, reason: ""))
            }
            var iv: Double?
            if !inputs.isEmpty, let f = RobustFilter.filter(inputs.map(\.iv), madK: policy.madK, madFloorBps: policy.madFloorBps) {
                iv = f.price
                for (i, kept) in f.kept.enumerated() where !kept {
                    inputs[i].verdict = .outlier
                    inputs[i].reason = String(format: "%.2f vol pts from median %.2f (cut %.2f)",
                                              abs(inputs[i].iv - f.median) * 100, f.median * 100, f.cut * 100)
                }
            }
            rows.append(Row(strike: strike, inputs: inputs + (rejected[strike] ?? []), iv: iv))
        }
        let forwards = rows.flatMap { $0.inputs.filter { $0.verdict == .used }.map(\.forward) }
        guard let forward = RobustFilter.median(forwards) else {
            return .failure(VolDroppedSlice(expiryMs: expiry, reason: "no fresh quotes (all stale or frozen)"))
        }
        let points = rows.map { VolPoint(strike: $0.strike, k: log($0.strike / forward), iv: $0.iv, inputs: $0.inputs) }
        let usable = points.filter { $0.iv != nil }
        guard usable.count >= policy.minStrikes else {
            return .failure(VolDroppedSlice(expiryMs: expiry, reason: "\(usable.count) usable strikes < \(policy.minStrikes)"))
        }
        let ks = usable.map(\.k)
        let ws = usable.map { $0.iv! * $0.iv! * t }
        let weights = usable.map { Double($0.inputs.filter { $0.verdict == .used }.count) }
        let kMin = ks.min()!, kMax = ks.max()!
        // Judged strictly inside the quoted range: the flat-in-strike extrapolation joins the smile
        // with a kink at kMin/kMax (the documented serving rule), which is not the smile's shape.
        let inset = min(1e-3, (kMax - kMin) / 4)
        let grid = ArbitrageCheck.grid(from: kMin + inset, to: kMax - inset)
        var repair: String?
        var chosen: (VolSmile, Double)?

        if usable.count >= policy.minStrikesForSVI, let fit = SVIFit.fit(k: ks, w: ws, weights: weights, t: t) {
            if !fit.converged {
                repair = "svi did not converge"
            } else if fit.rmseVol > policy.maxFitRMSE {
                repair = String(format: "svi fit error %.2f vol pts > %.2f", fit.rmseVol * 100, policy.maxFitRMSE * 100)
            } else if let v = ArbitrageCheck.butterfly({ fit.parameters.w($0) }, grid: grid) {
                repair = String(format: "svi butterfly g=%.4f at k=%.3f", v.value, v.k)
            } else {
                chosen = (.svi(fit.parameters), fit.rmseVol)
            }
        }
        if chosen == nil {
            guard let convex = ConvexSmile(k: ks, w: ws) else {
                return .failure(VolDroppedSlice(expiryMs: expiry, reason: "no smile could be built"))
            }
            if let v = ArbitrageCheck.butterfly({ convex.w($0) }, grid: grid) {
                return .failure(VolDroppedSlice(expiryMs: expiry, reason: [repair, String(format: "convex fallback butterfly g=%.4f at k=%.3f", v.value, v.k)].compactMap { $0 }.joined(separator: "; ")))
            }
            var sq = 0.0
            for (k, w) in zip(ks, ws) { let d = (convex.w(k) / t).squareRoot() - (w / t).squareRoot(); sq += d * d }
            chosen = (.convex(convex), (sq / Double(ks.count)).squareRoot())
            if let r = repair { repair = r + "; convex fallback" }
        }
        let (smile, rmse) = chosen!
        let used = Set(usable.flatMap { $0.inputs.filter { $0.verdict == .used }.map(\.source) }).sorted()
        let ok = used.count >= policy.minSources
        return .success(VolSlice(expiryMs: expiry, forward: forward, t: t, smile: smile, kMin: kMin, kMax: kMax,
                                 rmseVol: rmse, status: ok ? .ok : .degraded,
                                 statusReason: ok ? nil : "quorum \(used.count)/\(policy.minSources)",
                                 sourcesUsed: used, points: points, repair: repair))
    }

    /// Drops slices until total variance is non-decreasing in T at every k of a common grid.
    static func removeCalendarArbitrage(_ slices: inout [VolSlice], _ dropped: inout [VolDroppedSlice]) {
        var changed = true
        while changed, slices.count >= 2 {
            changed = false
            for i in 1..<slices.count {
                let a = slices[i - 1], b = slices[i]
                let grid = ArbitrageCheck.grid(from: min(a.kMin, b.kMin), to: max(a.kMax, b.kMax))
                guard let v = ArbitrageCheck.calendar(earlier: { a.totalVariance(atK: $0) }, later: { b.totalVariance(atK: $0) }, grid: grid) else { continue }
                func weight(_ s: VolSlice) -> (Int, Int) { (s.sourcesUsed.count, s.points.filter { $0.iv != nil }.count) }
                let dropIndex = weight(a) > weight(b) ? i : (weight(a) < weight(b) ? i - 1 : i)
                let other = dropIndex == i ? a : b
                dropped.append(VolDroppedSlice(expiryMs: slices[dropIndex].expiryMs, reason:
                    "calendar arbitrage against expiry \(RFC3339.format(ms: other.expiryMs)): total variance falls by "
                    + String(format: "%.5f at k=%.3f", -v.value, v.k)))
                slices.remove(at: dropIndex)
                changed = true
                break
            }
        }
    }

    static func ageText(_ ms: Int64) -> String {
        ms >= 120_000 ? "\(ms / 60_000)m" : (ms >= 1000 ? "\(ms / 1000)s" : "\(ms)ms")
    }

    static func pct(_ v: Double) -> String { String(format: "%.2f %%", v * 100) }
}

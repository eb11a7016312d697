import Foundation
import OracleCore
import Testing

/// Surface construction: SVI recovery, cross-venue filtering, staleness, arbitrage checks,
/// interpolation and status, each checked against an independent computation in the test.
@Suite struct VolSurfaceTests {
    static let now: Int64 = 1_796_522_400_000            // 2026-12-06T02:00Z
    static let exp1: Int64 = 1_798_185_600_000           // 2026-12-25T08:00Z
    static let exp2: Int64 = 1_801_209_600_000           // 2027-01-29T08:00Z
    static let year = 365.0 * 86_400_000

    /// Straightforward SVI total variance (not the code under test).
    static func sviW(_ p: (a: Double, b: Double, rho: Double, m: Double, s: Double), _ k: Double) -> Double {
        p.a + p.b * (p.rho * (k - p.m) + ((k - p.m) * (k - p.m) + p.s * p.s).squareRoot())
    }

    static let p1 = (a: 0.0060, b: 0.040, rho: -0.30, m: 0.00, s: 0.10)
    static let p2 = (a: 0.0150, b: 0.060, rho: -0.28, m: 0.02, s: 0.15)
    static let strikes: [Double] = [70_000, 80_000, 90_000, 95_000, 100_000, 105_000, 110_000, 120_000, 140_000]

    /// A venue's answer quoting both expiries off the SVI smiles, with `bump` added to its IVs.
    static func answer(prefix: String = "BTC", bump: Double = 0, forward: Double = 100_000, timeMs: Int64 = now,
                       ivOverride: ((Int64, Double) -> Double?)? = nil) -> VolAnswer {
        var quotes: [VolQuote] = []
        for (expiry, p) in [(exp1, p1), (exp2, p2)] {
            let t = Double(expiry - now) / year
            for k in strikes {
                let iv = ivOverride?(expiry, k) ?? ((sviW(p, log(k / forward)) / t).squareRoot() + bump)
                quotes.append(VolQuote(instrument: "\(prefix)-\(expiry)-\(Int(k))-C",
                                       option: VolInstrument(underlying: "BTC", expiryMs: expiry, strike: k, isCall: true),
                                       markIV: iv, forward: forward, timestampMs: timeMs))
            }
        }
        return VolAnswer(quotes: quotes)
    }

    static func readings(_ answers: [(String, VolSourceKind, VolAnswer?)]) -> [VolSourceReading] {
        answers.map { VolSourceReading(source: $0.0, kind: $0.1, answer: $0.2, receivedAtMs: now) }
    }

    static func build(_ r: [VolSourceReading], policy: VolPolicy = VolPolicy(), previous: VolSurface? = nil,
                      now: Int64 = now) -> VolSurface {
        var f = VolFreshness()
        return VolSurfaceBuilder.build(underlying: "BTC", readings: r, policy: policy, freshness: &f, previous: previous, nowMs: now)
    }

    @Test func sviFitRecoversKnownParameters() throws {
        let t = 0.25
        let truth = (a: 0.02, b: 0.12, rho: -0.35, m: 0.05, s: 0.18)
        let ks = stride(from: -0.6, through: 0.5, by: 0.1).map { $0 }
        let ws = ks.map { Self.sviW(truth, $0) }
        let fit = try #require(SVIFit.fit(k: ks, w: ws, t: t))
        #expect(fit.converged)
        let p = fit.parameters
        #expect(abs(p.a - truth.a) < 1e-4 && abs(p.b - truth.b) < 1e-4 && abs(p.rho - truth.rho) < 1e-3
                && abs(p.m - truth.m) < 1e-3 && abs(p.sigma - truth.s) < 1e-3, "\(p)")
        #expect(fit.rmseVol < 1e-5)
        // Through implied vols rounded to 0.01 vol point (as Deribit publishes), still close.
        let rounded = ks.map { k -> Double in let v = (Self.sviW(truth, k) / t).squareRoot(); return pow((v * 10_000).rounded() / 10_000, 2) * t }
        let noisy = try #require(SVIFit.fit(k: ks, w: rounded, t: t))
        #expect(noisy.converged && noisy.rmseVol < 1e-4)
        for k in ks { #expect(abs(noisy.parameters.w(k) - Self.sviW(truth, k)) < 1e-4) }
    }

    @Test func threeAgreeingVenuesGiveAnOkSurfaceMatchingTheSmile() throws {
        let s = Self.build(Self.readings([("deribit", .deribitOptions, Self.answer(bump: 0.001)),
                                          ("okx", .okxOptions, Self.answer(bump: -0.001)),
                                          ("bybit", .bybitOptions, Self.answer())]))
        #expect(s.status == .ok, "\(s.statusReason ?? "")")
        #expect(s.slices.count == 2)
        #expect(s.sourcesUsed == 3)
        for slice in s.slices {
            guard case .svi = slice.smile else { Issue.record("expected an SVI slice, got \(slice.smile.method)"); continue }
            #expect(slice.sourcesUsed == ["bybit", "deribit", "okx"])
            let p = slice.expiryMs == Self.exp1 ? Self.p1 : Self.p2
            let atm = (Self.sviW(p, 0) / slice.t).squareRoot()
            #expect(abs(slice.atmVol - atm) < 2e-4, "\(slice.atmVol) vs \(atm)")
        }
        // The lookup at a quoted expiry and strike returns the smile's vol there.
        let t1 = Double(Self.exp1 - Self.now) / Self.year
        let want = (Self.sviW(Self.p1, log(90_000.0 / 100_000)) / t1).squareRoot()
        let got = try #require(s.volatility(strike: 90_000, expiryMs: Self.exp1, forward: 100_000, nowMs: Self.now))
        #expect(abs(got - want) < 3e-4)
    }

    @Test func anOutlierVenueIsExcluded() throws {
        let s = Self.build(Self.readings([("deribit", .deribitOptions, Self.answer()),
                                          ("okx", .okxOptions, Self.answer(bump: 0.002)),
                                          ("bybit", .bybitOptions, Self.answer(bump: 0.15))]))   // +15 vol points
        #expect(s.status == .ok)
        let point = try #require(s.slices.first?.points.first { $0.strike == 100_000 })
        let bybit = try #require(point.inputs.first { $0.source == "bybit" })
        #expect(bybit.verdict == .outlier)
        #expect(bybit.reason.contains("vol pts from median"), "\(bybit.reason)")
        #expect(s.sources.first { $0.source == "bybit" }?.verdict == .outlier)
        #expect(s.slices.allSatisfy { $0.sourcesUsed == ["deribit", "okx"] })
        // The served ATM vol is the honest venues' (median of 2 = their mean), not pulled up.
        let t1 = Double(Self.exp1 - Self.now) / Self.year
        let honest = (Self.sviW(Self.p1, 0) / t1).squareRoot() + 0.001
        #expect(abs(try #require(s.slices.first).atmVol - honest) < 3e-4)
    }

    @Test func staleAndFrozenQuotesAreExcluded() throws {
        var policy = VolPolicy()
        policy.minSources = 1
        // okx's quotes are 2 minutes old (max_age 60 s).
        let stale = Self.readings([("deribit", .deribitOptions, Self.answer()),
                                   ("okx", .okxOptions, Self.answer(bump: 0.05, timeMs: Self.now - 120_000))])
        let s = Self.build(stale, policy: policy)
        #expect(s.sources.first { $0.source == "okx" }?.verdict == .stale)
        #expect(s.slices.allSatisfy { $0.sourcesUsed == ["deribit"] })
        // Frozen: the same IVs observed for 10 minutes while the venue keeps stamping new times.
        var f = VolFreshness()
        var last: VolSurface?
        for minute in 0...10 {
            let t = Self.now + Int64(minute) * 60_000
            let r = [VolSourceReading(source: "bybit", kind: .bybitOptions, answer: Self.answer(timeMs: t), receivedAtMs: t),
                     VolSourceReading(source: "okx", kind: .okxOptions, answer: Self.answer(bump: Double(minute) * 1e-4, timeMs: t), receivedAtMs: t)]
            last = VolSurfaceBuilder.build(underlying: "BTC", readings: r, policy: policy, freshness: &f, previous: last, nowMs: t)
            let bybit = last?.sources.first { $0.source == "bybit" }?.verdict
            #expect(bybit == (minute < 10 ? .used : .frozen), "minute \(minute)")
        }
    }

    @Test func quorumBelowMinSourcesIsDegraded() {
        let s = Self.build(Self.readings([("deribit", .deribitOptions, Self.answer()),
                                          ("okx", .okxOptions, VolAnswer(bodyError: VenueError(.rateLimited, "okx: HTTP 429")))]))
        #expect(s.status == .degraded)
        #expect(s.slices.allSatisfy { $0.status == .degraded && $0.statusReason == "quorum 1/2" })
        #expect(s.sources.first { $0.source == "okx" }?.verdict == .error)
    }

    @Test func dvolIsTheFallbackLevelAndAHeldSurfaceGoesStale() throws {
        let dvol = VolAnswer(indexLevel: VolIndexLevel(value: 0.4838, timestampMs: Self.now - 30_000))
        let s = Self.build(Self.readings([("deribit", .deribitOptions, VolAnswer(bodyError: VenueError(.unavailable, "deribit: HTTP 503"))),
                                          ("dvol", .deribitDVOL, dvol)]))
        #expect(s.status == .degraded)
        #expect(s.statusReason?.contains("DVOL") == true)
        #expect(s.volatility(strike: 150_000, expiryMs: Self.exp2, forward: 100_000, nowMs: Self.now) == 0.4838)
        // With no DVOL either, the previous surface is held as stale for hold_ms, then unavailable.
        let good = Self.build(Self.readings([("a", .okxOptions, Self.answer()), ("b", .bybitOptions, Self.answer())]))
        let none = Self.readings([("a", .okxOptions, nil), ("b", .bybitOptions, nil)])
        let held = Self.build(none, previous: good, now: Self.now + 60_000)
        #expect(held.status == .stale && held.slices == good.slices && held.builtAtMs == Self.now)
        #expect(held.volatility(strike: 100_000, expiryMs: Self.exp1, forward: 100_000, nowMs: Self.now + 60_000) != nil)
        let gone = Self.build(none, previous: good, now: Self.now + 301_000)
        #expect(gone.status == .unavailable)
        #expect(gone.volatility(strike: 100_000, expiryMs: Self.exp1, forward: 100_000, nowMs: Self.now) == nil)
    }

    @Test func butterflyCheckCatchesAConstructedViolation() throws {
        // Axel Vogt's SVI (Gatheral & Jacquier 2014, §2.3): admissible parameters whose density is negative.
        let vogt = SVIParameters(a: -0.0410, b: 0.1331, rho: 0.3060, m: 0.3586, sigma: 0.4153)
        #expect(vogt.isAdmissible)
        let grid = ArbitrageCheck.grid(from: -1.5, to: 1.5, points: 301)
        let v = try #require(ArbitrageCheck.butterfly({ vogt.w($0) }, grid: grid))
        // Independent analytic g(k) at the reported point.
        func gExact(_ k: Double) -> Double {
            let x = k - vogt.m, r = (x * x + vogt.sigma * vogt.sigma).squareRoot()
            let w = vogt.w(k), w1 = vogt.b * (vogt.rho + x / r), w2 = vogt.b * vogt.sigma * vogt.sigma / (r * r * r)
            return pow(1 - k * w1 / (2 * w), 2) - w1 * w1 / 4 * (1 / w + 0.25) + w2 / 2
        }
        #expect(abs(v.value - gExact(v.k)) < 1e-5)
        #expect(v.value < -0.01, "\(v)")
        #expect(grid.map(gExact).min()! < 0)
        // A well-behaved smile passes.
        let fine = SVIParameters(a: 0.02, b: 0.1, rho: -0.3, m: 0, sigma: 0.2)
        #expect(ArbitrageCheck.butterfly({ fine.w($0) }, grid: grid) == nil)
    }

    @Test func calendarCheckCatchesCrossingSlicesAndTheBuilderDropsOne() throws {
        let early = SVIParameters(a: 0.04, b: 0.1, rho: -0.3, m: 0, sigma: 0.2)
        let late = SVIParameters(a: 0.03, b: 0.1, rho: -0.3, m: 0, sigma: 0.2)    // less variance at a later T
        let v = try #require(ArbitrageCheck.calendar(earlier: { early.w($0) }, later: { late.w($0) }, grid: ArbitrageCheck.grid(from: -1, to: 1)))
        #expect(abs(v.value - (-0.01)) < 1e-12)
        #expect(ArbitrageCheck.calendar(earlier: { late.w($0) }, later: { early.w($0) }, grid: ArbitrageCheck.grid(from: -1, to: 1)) == nil)
        // Venues quote the second expiry with far less variance than the first: the thinner slice goes.
        let t1 = Double(Self.exp1 - Self.now) / Self.year
        let crossed: (Int64, Double) -> Double? = { expiry, k in
            expiry == Self.exp2 ? (Self.sviW(Self.p1, log(k / 100_000)) / t1).squareRoot() * 0.5 : nil
        }
        let s = Self.build(Self.readings([("deribit", .deribitOptions, Self.answer()),
                                          ("okx", .okxOptions, Self.answer(ivOverride: crossed)),
                                          ("bybit", .bybitOptions, Self.answer(ivOverride: crossed))]))
        #expect(s.slices.count == 1)
        #expect(s.dropped.count == 1)
        #expect(s.dropped.first?.reason.contains("calendar arbitrage") == true, "\(s.dropped)")
        #expect(s.status == .degraded)
    }

    @Test func interpolationIsLinearInTotalVarianceWithFlatEnds() throws {
        // Two hand-made slices fitted at `now`; checked at a later instant so T moves.
        let sA = SVIParameters(a: 0.004, b: 0.03, rho: -0.2, m: 0, sigma: 0.1)
        let sB = SVIParameters(a: 0.012, b: 0.05, rho: -0.2, m: 0, sigma: 0.15)
        let tA = Double(Self.exp1 - Self.now) / Self.year, tB = Double(Self.exp2 - Self.now) / Self.year
        func slice(_ e: Int64, _ t: Double, _ p: SVIParameters) -> VolSlice {
            VolSlice(expiryMs: e, forward: 100_000, t: t, smile: .svi(p), kMin: -0.4, kMax: 0.3, rmseVol: 0,
                     status: .ok, statusReason: nil, sourcesUsed: ["x", "y"], points: [], repair: nil)
        }
        let surface = VolSurface(underlying: "BTC", status: .ok, builtAtMs: Self.now,
                                 slices: [slice(Self.exp1, tA, sA), slice(Self.exp2, tB, sB)])
        let at = Self.now + 86_400_000
        let expiry: Int64 = 1_799_971_200_000               // 2027-01-15T08:00Z, between the two
        let strike = 92_000.0, forward = 101_000.0
        // By hand: k, each slice's vol at k (from its fit-time T), total variance at the new T's, linear in T.
        let k = log(strike / forward)
        let volA = (sA.w(k) / tA).squareRoot(), volB = (sB.w(k) / tB).squareRoot()
        let ta = Double(Self.exp1 - at) / Self.year, tb = Double(Self.exp2 - at) / Self.year, t = Double(expiry - at) / Self.year
        let wa = volA * volA * ta, wb = volB * volB * tb
        let w = wa + (wb - wa) * (t - ta) / (tb - ta)
        let got = try #require(surface.volatility(strike: strike, expiryMs: expiry, forward: forward, nowMs: at))
        #expect(abs(got - (w / t).squareRoot()) < 1e-12)
        // Before the first expiry: the first slice's vol (flat in vol).
        #expect(abs(try #require(surface.volatility(strike: strike, expiryMs: at + 3_600_000, forward: forward, nowMs: at)) - volA) < 1e-12)
        // Beyond the last: the last slice's vol (flat total-variance rate).
        #expect(abs(try #require(surface.volatility(strike: strike, expiryMs: Self.exp2 + 90 * 86_400_000, forward: forward, nowMs: at)) - volB) < 1e-12)
        // Beyond the quoted wings: flat in strike (vol at kMax = 0.3).
        let far = try #require(surface.volatility(strike: 1_000_000, expiryMs: Self.exp1, forward: 100_000, nowMs: Self.now))
        #expect(abs(far - (sA.w(0.3) / tA).squareRoot()) < 1e-12)
        // Nonsense asks get nil, never a number.
        #expect(surface.volatility(strike: -1, expiryMs: expiry, forward: forward, nowMs: at) == nil)
        #expect(surface.volatility(strike: 1, expiryMs: at - 1, forward: forward, nowMs: at) == nil)
        #expect(surface.volatility(strike: .nan, expiryMs: expiry, forward: forward, nowMs: at) == nil)
    }

    @Test func fixturesFromThreeVenuesBuildAnOkSurface() throws {
        let r = [VolSourceReading(source: "deribit", kind: .deribitOptions,
                                  answer: VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_book_summary_BTC.json")), receivedAtMs: VolFixtures.nowMs),
                 VolSourceReading(source: "okx", kind: .okxOptions,
                                  answer: VolAdapters.parse(.okxOptions, response: try VolFixtures.response("okx_opt_summary_BTC-USD.json")), receivedAtMs: VolFixtures.nowMs),
                 VolSourceReading(source: "bybit", kind: .bybitOptions,
                                  answer: VolAdapters.parse(.bybitOptions, response: try VolFixtures.response("bybit_option_tickers_BTC.json")), receivedAtMs: VolFixtures.nowMs)]
        let s = Self.build(r, now: VolFixtures.nowMs)
        #expect(s.status == .degraded, "26MAR27 is quoted by OKX alone")
        #expect(Array(s.slices.map(\.expiryMs).prefix(2)) == [Self.exp1, Self.exp2])
        #expect(s.slices.prefix(2).allSatisfy { $0.status == .ok && $0.sourcesUsed.count == 3 })
        // ATM of 25DEC26 from the script's SVI (a=0.006, b=0.04, ρ=-0.3, m=0, σ=0.1): w(0) = 0.006 + 0.04·0.1.
        let t1 = Double(Self.exp1 - VolFixtures.nowMs) / Self.year
        #expect(abs(try #require(s.slices.first).atmVol - (0.010 / t1).squareRoot()) < 0.003)
    }

    @Test func fewStrikesOrAnUnfittableSmileUseTheConvexFallback() throws {
        // Four strikes: too few for SVI's five parameters.
        let few: (Int64, Double) -> Double? = { expiry, k in
            [90_000.0, 100_000, 110_000, 120_000].contains(k) ? nil : -1
        }
        func thin(_ bump: Double) -> VolAnswer {
            var a = Self.answer(bump: bump, ivOverride: few)
            a.quotes.removeAll { $0.markIV < 0 }
            return a
        }
        let s = Self.build(Self.readings([("a", .okxOptions, thin(0)), ("b", .bybitOptions, thin(0.001))]))
        #expect(s.slices.count == 2)
        #expect(s.slices.allSatisfy { $0.smile.method == "convex_linear" && $0.repair == nil })
        // The served smile passes through the hull knots: at a quoted strike, the kept IV.
        let first = try #require(s.slices.first)
        for p in first.points { if let iv = p.iv { #expect(abs(first.vol(atK: p.k) - iv) < 1e-9 || first.vol(atK: p.k) < iv) } }

        // A smile with a 15-vol-point spike at one strike: SVI cannot follow it within 2 vol points,
        // the convex fallback takes over and goes under the spike (the spike is above the hull).
        let spike: (Int64, Double) -> Double? = { expiry, k in
            let t = Double(expiry - Self.now) / Self.year
            let p = expiry == Self.exp1 ? Self.p1 : Self.p2
            let base = (Self.sviW(p, log(k / 100_000)) / t).squareRoot()
            return k == 105_000 ? base + 0.15 : base
        }
        let spiky = Self.build(Self.readings([("a", .okxOptions, Self.answer(ivOverride: spike)),
                                              ("b", .bybitOptions, Self.answer(ivOverride: spike))]))
        let slice = try #require(spiky.slices.first)
        #expect(slice.smile.method == "convex_linear", "\(slice.smile.method) \(slice.repair ?? "")")
        #expect(slice.repair?.contains("svi") == true)
        let k105 = log(105_000.0 / 100_000)
        let t1 = Double(Self.exp1 - Self.now) / Self.year
        #expect(slice.vol(atK: k105) < (Self.sviW(Self.p1, k105) / t1).squareRoot() + 0.15 - 0.05)
    }
}

import Foundation
import OracleConfig
import OracleCore
import OracleTape
import Testing
@testable import OracleDaemon

/// `oracled replay` rebuilding the `[[vol]]` surfaces from a tape built here: Deribit- and
/// OKX-format option chains drawn from one SVI smile, then a volatility spike. Expectations are the
/// smile's own numbers, computed here (not by the builder).
@Suite struct VolReplayTests {
    static let t0: Int64 = TapeReplayTests.t0
    static let toml = TapeReplayTests.toml + """

    [[vol]]
    underlying = "BTC"
    forward_pair = "BTC-USD"
    poll_interval = "1s"
    sources = [
      { name = "deribit-opt", kind = "deribit_options", base_url = "http://127.0.0.1:9/deribit" },
      { name = "okx-opt", kind = "okx_options", base_url = "http://127.0.0.1:9/okx" },
    ]
    """

    /// Raw SVI per year: w(k) = a + b(ρ(k − m) + √((k − m)² + σ²)); IV(k) = √w. At k = 0 with m = 0
    /// the ρ term vanishes: ATM = √(a + bσ) = √0.2.
    static let a = 0.16, b = 0.2, rho = -0.3, m = 0.0, sigma = 0.2
    static func iv(_ k: Double, spike: Double) -> Double {
        let x = k - m
        return (a + b * (rho * x + (x * x + sigma * sigma).squareRoot())).squareRoot() * spike
    }
    static let atm = (a + b * sigma).squareRoot()
    /// The chains' forward is the tape's BTC-USD mark, as the venues' forwards track the index.
    static let spot = 67_000.0
    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// Expiries 7, 35 and 91 days after t0's day at 08:00 UTC (the venues' expiry time).
    static var expiries: [Int64] {
        let day: Int64 = 86_400_000
        return [7, 35, 91].map { (t0 - t0 % day) + $0 * day + 8 * 3_600_000 }
    }

    static func chain(venue: String, atMs: Int64, spike: Double) -> [UInt8] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        var entries: [String] = []
        for e in expiries {
            let c = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(e) / 1000))
            for f in [0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.3] {
                let strike = Int(spot * f)
                let v = iv(log(Double(strike) / spot), spike: spike)
                for right in ["C", "P"] {
                    if venue == "deribit" {
                        let name = "BTC-\(c.day!)\(months[c.month! - 1])\(String(format: "%02d", c.year! % 100))-\(strike)-\(right)"
                        entries.append(#"{"instrument_name":"\#(name)","mark_iv":\#(String(format: "%.2f", v * 100)),"underlying_price":\#(spot),"creation_timestamp":\#(atMs),"bid_iv":null,"ask_iv":null,"quote_currency":"BTC","base_currency":"BTC"}"#)
                    } else {
                        let name = "BTC-USD-\(String(format: "%02d%02d%02d", c.year! % 100, c.month!, c.day!))-\(strike)-\(right)"
                        entries.append(#"{"instType":"OPTION","instId":"\#(name)","uly":"BTC-USD","markVol":"\#(String(format: "%.6f", v))","bidVol":"","askVol":"","fwdPx":"\#(spot)","ts":"\#(atMs)"}"#)
                    }
                }
            }
        }
        let list = entries.joined(separator: ",")
        return Array((venue == "deribit" ? #"{"jsonrpc":"2.0","result":[\#(list)]}"# : #"{"code":"0","msg":"","data":[\#(list)]}"#).utf8)
    }

    /// Cycle i at t0 + i s; both venues answer just before it, vols × 1.5 from cycle `spikeAt`; OKX
    /// times out at cycle `okxTimeoutAt` (a transport failure on the tape).
    static func tape(cycles: Int, spikeAt: Int, okxTimeoutAt: Int? = nil) -> [TapeRecord] {
        var out = TapeReplayTests.tape(cycles: cycles) { _, _ in 67_000 }
        var withVol: [TapeRecord] = []
        var i = 0
        for r in out {
            if case .cycle(let c) = r {
                let spike = i >= spikeAt ? 1.5 : 1.0
                for (n, venue) in ["deribit", "okx"].enumerated() {
                    let at = c.wallMs - 200 + Int64(n)
                    let source = venue + "-opt"
                    let target = [TapeResponse.Target(pair: "BTC", symbol: "BTC")]
                    if venue == "okx" && i == okxTimeoutAt {
                        withVol.append(.response(TapeResponse(wallMs: at, monoMs: at - t0, source: source, batch: true, targets: target, status: 0,
                                                              transportError: "timeout", transportMessage: "fetch failed (timeout): 127.0.0.1")))
                    } else {
                        withVol.append(.response(TapeResponse(wallMs: at, monoMs: at - t0, source: source, batch: true, targets: target,
                                                              status: 200, body: chain(venue: venue, atMs: at, spike: spike))))
                    }
                }
                i += 1
            }
            withVol.append(r)
        }
        out = withVol
        return out
    }

    static func replay(_ records: [TapeRecord], toml: String = toml) throws -> (TapeReplay, [TapeReplay.Cycle]) {
        var replay = try TapeReplay(config: try ConfigLoader.parse(toml, file: "vol.toml"), accounts: nil)
        var bytes = TapeFormat.header
        for r in records { TapeEncoder.append(r, to: &bytes) }
        var cycles: [TapeReplay.Cycle] = []
        for r in try TapeDecoder.decode(bytes).records { if let c = replay.feed(r) { cycles.append(c) } }
        return (replay, cycles)
    }

    @Test func theSurfaceIsRebuiltEachCycleAndASpikeRaisesItsATMVolByTheFactor() throws {
        let (replay, cycles) = try Self.replay(Self.tape(cycles: 8, spikeAt: 4))
        #expect(cycles.count == 8)
        #expect(cycles.allSatisfy { $0.vol.count == 1 && $0.vol[0].underlying == "BTC" })
        for (i, c) in cycles.enumerated() {
            let s = c.vol[0]
            #expect(s.status == .ok, "cycle \(i): \(s.status) \(s.statusReason ?? "")")
            #expect(s.builtAtMs == c.atMs, "built on the tape's clock")
            #expect(s.slices.map(\.expiryMs) == Self.expiries)
            let want = Self.atm * (i >= 4 ? 1.5 : 1.0)
            // Deribit rounds IVs to 0.01 %: within 1e-3 of the smile's own value.
            for slice in s.slices { #expect(abs(slice.atmVol - want) < 1e-3, "cycle \(i): \(slice.atmVol) vs \(want)") }
        }
        let before = cycles[3].vol[0].slices.map(\.atmVol), after = cycles[4].vol[0].slices.map(\.atmVol)
        for (x, y) in zip(before, after) { #expect(abs(y / x - 1.5) < 0.005, "ATM \(x) → \(y)") }

        // The replay's σ for valuation: the pair maps to the surface (forward_pair), a strike off the
        // money reads the spiked smile, an unknown pair has none.
        let sv = replay.vol.volatility
        let k = log(0.9)
        let sigma = sv.volatility(underlying: "BTC-USD", strike: Self.spot * 0.9, expiryMs: Self.expiries[1], forward: Self.spot, nowMs: cycles[7].atMs)
        #expect(sigma.map { abs($0 - Self.iv(k, spike: 1.5)) < 2e-3 } == true, "\(String(describing: sigma)) vs \(Self.iv(k, spike: 1.5))")
        #expect(sv.volatility(underlying: "ETH-USD", strike: 1, expiryMs: Self.expiries[1], forward: 1, nowMs: cycles[7].atMs) == nil)

        // Counted in summary.json.
        let stats = replay.stats
        #expect(stats.volResponses == 16 && stats.skippedResponses == 0)
        let tally = try #require(stats.vol["BTC"])
        #expect(tally.builds == 8 && tally.statuses == ["ok": 8] && tally.lastExpiries == 3)
        #expect(abs((tally.minFrontATM ?? 0) - Self.atm) < 1e-3 && abs((tally.maxFrontATM ?? 0) - 1.5 * Self.atm) < 1e-3)
        let summary = stats.json(accounts: nil, tornTail: nil).rendered
        #expect(summary.contains(#""vol_builds":8"#) && summary.contains(#""last_status":"ok""#), "\(summary)")
    }

    /// OKX's timeout on the tape is its reading (verdict error naming it), and one venue is below the
    /// quorum of two: degraded, still served from Deribit; OKX's next answer makes it ok again.
    @Test func aRecordedTimeoutDegradesTheSurfaceUntilTheNextAnswer() throws {
        let (_, cycles) = try Self.replay(Self.tape(cycles: 5, spikeAt: 99, okxTimeoutAt: 2))
        let s2 = cycles[2].vol[0]
        #expect(s2.status == .degraded, "\(s2.status) \(s2.statusReason ?? "")")
        let okx = s2.sources.first { $0.source == "okx-opt" }
        #expect(okx?.verdict == .error && okx?.reason.contains("timeout") == true, "\(String(describing: okx))")
        #expect(s2.slices.allSatisfy { $0.sourcesUsed == ["deribit-opt"] })
        #expect(cycles[3].vol[0].status == .ok)
    }

    /// vol.jsonl: one compact line per build, byte-identical for the same tape.
    @Test func volLinesAreCompactAndDeterministic() throws {
        func lines() throws -> [String] {
            try Self.replay(Self.tape(cycles: 6, spikeAt: 3)).1.flatMap { c in c.vol.map { ReplayRunner.volLine($0, atMs: c.atMs) } }
        }
        let first = try lines()
        #expect(first == (try lines()))
        #expect(first.count == 6)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(first[5].utf8)) as? [String: Any])
        #expect(obj["underlying"] as? String == "BTC" && obj["status"] as? String == "ok")
        #expect(obj["at"] as? String == RFC3339.format(ms: Self.t0 + 5_000))
        let atms = (obj["expiries"] as? [[String: Any]] ?? []).compactMap { $0["atm_vol"] as? Double }
        #expect(atms.count == 3 && atms.allSatisfy { abs($0 - 1.5 * Self.atm) < 1e-3 }, "\(atms)")
        #expect((obj["verdicts"] as? [String: String]) == ["deribit-opt": "used", "okx-opt": "used"])
        #expect(first[5].utf8.count < 1_500, "not compact: \(first[5].utf8.count) bytes")
    }

    /// report.html: a section per underlying with one ATM-vol line per expiry, the degraded stretch
    /// shaded with its reason; without `[[vol]]` no such section.
    @Test func theReportChartsTheATMVolPerExpiry() throws {
        let (replay, cycles) = try Self.replay(Self.tape(cycles: 6, spikeAt: 3, okxTimeoutAt: 1))
        var report = ReplayReport()
        for c in cycles { report.add(c) }
        let html = report.html(title: "t", summary: replay.stats, accounts: nil)
        let section = try #require(html.components(separatedBy: "<h2>BTC volatility surface</h2>").dropFirst().first, "no vol section")
        #expect(section.contains("6 surface builds: degraded 1, ok 5"), "\(section.prefix(300))")
        #expect(section.components(separatedBy: "<polyline").count - 1 == 3, "one line per expiry")
        #expect(section.contains("degraded from") && section.contains("below quorum"), "the degraded build is shaded with its reason")
        let (plain, plainCycles) = try Self.replay(TapeReplayTests.tape(cycles: 2) { _, _ in 67_000 }, toml: TapeReplayTests.toml)
        var none = ReplayReport()
        for c in plainCycles { none.add(c) }
        #expect(!none.html(title: "t", summary: plain.stats, accounts: nil).contains("volatility surface"))
    }

    // MARK: options in the replayed accounts

    /// Black-76 with r = 0, written out here: F·N(d1) − K·N(d2) for a call, K·N(−d2) − F·N(−d1) for a put.
    static func black76(call: Bool, forward f: Double, strike k: Double, years t: Double, sigma: Double) -> Double {
        func n(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
        let sd = sigma * t.squareRoot()
        let d1 = (log(f / k) + 0.5 * sd * sd) / sd, d2 = d1 - sd
        return call ? f * n(d1) - k * n(d2) : k * n(-d2) - f * n(-d1)
    }

    /// A short 67 000 straddle on the 35-day expiry.
    static func straddle(collateral: Double) -> String {
        let expiry = RFC3339.format(ms: expiries[1])
        let legs = ["call", "put"].map { right in
            #"{"option": {"underlying": "BTC-USD", "right": "\#(right)", "strike": "67000", "expiry": "\#(expiry)"}, "quantity": "-1", "entry_price": "2000"}"#
        }
        return #"{"id": "straddle", "collateral": [{"asset": "USD", "amount": "\#(DecimalText.format(collateral, maxFractionDigits: 2))"}], "positions": [\#(legs.joined(separator: ", "))]}"#
    }

    /// Replays the spike tape (×1.5 from cycle 4 of 8) with the straddle; the valuation after cycles 3 and 7.
    static func straddleReplay(collateral: Double, toml: String = toml) throws -> (replay: TapeReplay, cycles: [TapeReplay.Cycle], calm: Valuation?, spiked: Valuation?) {
        let config = try ConfigLoader.parse(toml, file: "vol.toml")
        let account = try AccountJSON.decode(Self.straddle(collateral: collateral), universe: MarginRuntime.universe(config))
        var replay = try TapeReplay(config: config, accounts: [account])
        var cycles: [TapeReplay.Cycle] = []
        var calm: Valuation?, spiked: Valuation?
        for r in Self.tape(cycles: 8, spikeAt: 4) {
            guard let c = replay.feed(r) else { continue }
            cycles.append(c)
            if cycles.count == 4 { calm = replay.evaluator?.value("straddle", nowMs: c.atMs) }
            if cycles.count == 8 { spiked = replay.evaluator?.value("straddle", nowMs: c.atMs) }
        }
        return (replay, cycles, calm, spiked)
    }

    /// A replayed option account is valued as live: each leg at Black-76 on the replayed mark (the
    /// forward) and the replayed surface's σ — the smile's own value at that strike, recomputed here —
    /// and a volatility spike with the price unchanged calls it on the very cycle whose surfaces first
    /// show the spike. Without `[[vol]]` it has no σ: unpriced, never called.
    @Test func aShortStraddleIsValuedOnTheReplayedSurfaceAndCalledOnTheSpike() throws {
        // A first pass with no collateral measures the requirement and equity before and after the spike.
        let probe = try Self.straddleReplay(collateral: 0)
        let calm = try #require(probe.calm), spiked = try #require(probe.spiked)
        #expect(calm.priced && spiked.priced, "\(calm.unpricedReason ?? "") \(spiked.unpricedReason ?? "")")
        for (v, spike, at) in [(calm, 1.0, probe.cycles[3].atMs), (spiked, 1.5, probe.cycles[7].atMs)] {
            for line in v.positions {
                let o = try #require(line.option)
                let sigma = try #require(line.volatility)
                // The mark is 67 000 = K: k = 0, σ = √(a + bσ)·spike.
                #expect(line.markPrice == 67_000)
                #expect(abs(sigma - Self.atm * spike) < 1e-3, "σ \(sigma) vs \(Self.atm * spike)")
                let t = Double(o.expiryMs - at) / (365 * 86_400_000)
                let want = Self.black76(call: o.right == .call, forward: 67_000, strike: 67_000, years: t, sigma: sigma)
                #expect(abs(line.valuationPrice - want) < 1e-6 * 67_000, "\(o.right) \(line.valuationPrice) vs Black-76 \(want)")
            }
        }
        // The loss is the straddle's premium rise at the smile's σ, recomputed here (the grid requirement
        // itself need not grow: a richer premium already holds part of the extreme moves' loss).
        let premium = { (spike: Double, at: Int64) -> Double in
            let t = Double(Self.expiries[1] - at) / (365 * 86_400_000)
            return [true, false].reduce(0) { $0 + Self.black76(call: $1, forward: 67_000, strike: 67_000, years: t, sigma: Self.atm * spike) }
        }
        let loss = premium(1.5, probe.cycles[7].atMs) - premium(1.0, probe.cycles[3].atMs)
        #expect(loss > 2_000, "loss \(loss)")
        // Tolerance: the served σ is within 1e-3 of the smile; a straddle's vega here is ≈ 2·F·φ(d1)·√T ≈ 17 000 per 1.00.
        #expect(abs((calm.equity - spiked.equity) - loss) < 40, "equity fell \(calm.equity - spiked.equity), Black-76 says \(loss)")

        // Collateral so that the spiked ratio is 1.05 (margin call band 1.00–1.10); calm it must be
        // above the warning (1.30) for the test to mean anything. Equity is linear in cash collateral.
        let collateral = 1.05 * spiked.maintenanceRequirement - spiked.equity
        let calmRatio = (collateral + calm.equity) / calm.maintenanceRequirement
        #expect(calmRatio > 1.4, "calm ratio \(calmRatio): the spike would not be what calls it")
        let run = try Self.straddleReplay(collateral: collateral)
        let notices = run.cycles.flatMap(\.notices)
        #expect(run.cycles.prefix(4).allSatisfy { $0.notices.isEmpty }, "\(notices.map(\.id))")
        let call = try #require(notices.first, "no notice after the spike")
        #expect(call.account == "straddle" && call.level == .marginCall, "\(call.level)")
        #expect(call.createdAtMs == run.cycles[4].atMs, "called at \(call.createdAtMs), the spike's first cycle is \(run.cycles[4].atMs)")
        #expect(abs(call.ratio - 1.05) < 0.01, "ratio \(call.ratio)")

        // The same accounts without [[vol]]: no σ, so unpriced and never called (no guess).
        let bare = try Self.straddleReplay(collateral: collateral, toml: TapeReplayTests.toml)
        #expect(bare.spiked?.priced == false)
        #expect(bare.cycles.allSatisfy { $0.notices.isEmpty })
    }

    /// Without the `[[vol]]` block the vol answers are an unknown source's (skipped), and no surface is built.
    @Test func withoutVolConfiguredTheAnswersAreSkipped() throws {
        let (replay, cycles) = try Self.replay(Self.tape(cycles: 2, spikeAt: 99), toml: TapeReplayTests.toml)
        #expect(replay.stats.volResponses == 0 && replay.stats.skippedResponses == 4)
        #expect(cycles.allSatisfy { $0.vol.isEmpty })
    }
}

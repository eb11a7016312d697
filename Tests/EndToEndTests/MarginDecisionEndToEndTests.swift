import Foundation
import Testing

/// End-to-end tests that would catch a wrong margin decision (issue 8, "Tests that would catch a
/// wrong decision"): the real `oracled` against the fake venue, every delivered notice read back from
/// the spool and its amounts recomputed by `DecisionFigures` (the test's own arithmetic), thresholds
/// hit exactly, a call deadline passed, a mass call, and the portfolio model on the daemon's path.
///
/// Prices are exact: wiggle off, so each venue answers base × (1 + offset) with offsets +4, +1 and
/// +2 bps (coinbase, kraken, bitfinex), as bid/ask at 2 decimals. With ETH at 5,000 the venues quote
/// 5,002, 5,000.50 and 5,001: the mark is the median 5,001 and its confidence half the range, 0.75 —
/// all exact in binary, so an account can be built to sit exactly on a threshold.
@Suite(.serialized)
struct MarginDecisionEndToEndTests {
    /// The sweep (and with it the deadline check) runs every 15 s in the daemon (TriggerService).
    static let sweepSeconds = 15.0

    struct Rig {
        let dir: String
        let venue: FakeVenue
        let daemon: RunningDaemon
        let spool: SpoolInspector

        func stop() {
            daemon.child.kill(SIGKILL)
            venue.child.kill(SIGKILL)
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static func start(_ name: String, btc: Double, eth: Double, pollInterval: String = "200ms", maxAge: String = "3s",
                      margin: String) async throws -> Rig {
        let dir = makeTempDir(name)
        let venue = try await FakeVenue(dir: dir)
        try venue.setWiggle(false)
        try venue.setPrice("BTC-USD", btc)
        try venue.setPrice("ETH-USD", eth)
        let config = dir + "/oracles.toml"
        try DecisionScenario.config(dir: dir, venueURL: venue.baseURL, pollInterval: pollInterval, maxAge: maxAge, margin: margin)
            .write(toFile: config, atomically: true, encoding: .utf8)
        let daemon: RunningDaemon
        do {
            daemon = try await DaemonLauncher.start(config: config, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        } catch {
            venue.child.kill(SIGKILL)
            throw error
        }
        return Rig(dir: dir, venue: venue, daemon: daemon, spool: SpoolInspector(directory: dir + "/spool"))
    }

    /// Every notice in new/, checked against calls.jsonl (same ids, same figures).
    static func delivered(_ spool: SpoolInspector) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for (id, file) in spool.notices() { out[id] = file.json ?? [:] }
        return out
    }

    static func instant(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    static func noticeSeq(_ id: String) -> Int { Int(id.split(separator: "-").last ?? "") ?? 0 }

    /// The notices of one account, in order.
    static func notices(of account: String, in all: [String: [String: Any]]) -> [[String: Any]] {
        all.filter { $0.value["account"] as? String == account }.sorted { noticeSeq($0.key) < noticeSeq($1.key) }.map(\.value)
    }

    /// Recomputes one delivered notice from its own marks and the account's holdings; returns the
    /// disagreements (empty when every amount matches to the cent).
    static func recompute(_ n: [String: Any], holdings: Holdings) -> [String] {
        let id = n["id"] as? String ?? "?"
        guard let f = DecisionFigures.of(holdings, marks: n.noticeMarks) else { return ["\(id): a needed mark is missing from the notice"] }
        var problems: [String] = []
        func check(_ key: String, _ want: Double, tolerance: Double = 0.01) {
            guard let got = n.decimal(key) else { problems.append("\(id): \(key) missing"); return }
            if !(abs(got - want) <= tolerance) { problems.append("\(id): \(key) \(got), recomputed \(want)") }
        }
        check("equity", f.equity)
        check("maintenance_requirement", f.maintenance)
        check("initial_requirement", f.initial)
        check("ratio", f.ratio, tolerance: 2e-6)
        // Rounded up to the cent by the daemon.
        check("deficit", f.deficit, tolerance: 0.011)
        let topUp = n["top_up"] as? [String: Any] ?? [:]
        if f.deficit > 0.005 {
            for asset in ["USD", "BTC", "ETH"] {
                guard let want = f.topUp(asset) else { continue }
                guard let got = (topUp[asset] as? String).flatMap(Double.init) else { problems.append("\(id): top_up.\(asset) missing"); continue }
                // In value: a cent, plus the daemon's rounding up (1e-8 units).
                let unit = asset == "USD" ? 1 : (asset == "BTC" ? f.marks["BTC-USD"]!.low : f.marks["ETH-USD"]!.low)
                if !(abs(got - want) * unit <= 0.011 + 1e-8 * unit) { problems.append("\(id): top_up.\(asset) \(got), recomputed \(want)") }
            }
        } else if !topUp.isEmpty {
            problems.append("\(id): top_up \(topUp) without a deficit")
        }
        // The level against the recomputed ratio (slow mark = mark here: slow_mark_window 1ms).
        let level = n["level"] as? String ?? "?"
        let raw = DecisionFigures.rawLevel(f.ratio)
        switch level {
        case "cured":
            if !(f.ratio >= 1.20 - 1e-9 && f.equity >= f.initial - 0.01) { problems.append("\(id): cured at ratio \(f.ratio), equity \(f.equity) < initial \(f.initial)?") }
        case "liquidation" where n.flag("deadline_expired"):
            break
        default:
            if level != raw { problems.append("\(id): level \(level), recomputed ratio \(f.ratio) gives \(raw)") }
        }
        return problems
    }

    // MARK: 1–3: amounts, exact thresholds, call deadline

    /// Conservative prices, BTC collateral with tiered haircuts, ETH collateral, BTC size tiers and a
    /// 3 s call deadline. Accounts on exact thresholds, accounts that enter calls and get liquidated
    /// at the deadline or cure by depositing exactly the published deficit (USD) or top-up (BTC,
    /// landing in the 20 % haircut tier), then two BTC moves; every delivered notice recomputed.
    @Test(.timeLimit(.minutes(3)))
    func deliveredAmountsThresholdsAndDeadlineOnAConservativeTieredBook() async throws {
        let rig = try await Self.start("decide", btc: 60_000, eth: 5_000, margin: """
            price_side = "conservative"
            call_deadline = "3s"
            slow_mark_window = "1ms"
            mass_call_share = 1.0
            """)
        defer { rig.stop() }
        let daemon = rig.daemon
        let (btc, eth) = try await Self.readyMarks(daemon)
        // The exact marks the threshold accounts are built on (see the suite's comment).
        try #require(eth.price == 5_001 && eth.confidence == 0.75, "ETH-USD mark \(eth) is not 5001 ± 0.75: venue offsets changed?")
        #expect(btc.confidence > 0, "conservative pricing needs a non-zero confidence: \(btc)")
        let marks0 = ["BTC-USD": btc, "ETH-USD": eth]

        // 2. Thresholds hit exactly. Long 5 ETH entered at the conservative price 5,000.25: P&L 0;
        // maintenance 5 × 5,001 / 16 = 1,562.8125; equity = the USD, dyadic, so equity / maintenance is
        // exactly 1.30, 1.10, 1.00 or 0.90, and escalation is strictly below (1 cent less: below).
        var book: [String: Holdings] = [:]
        let m = 5 * 5_001 * DecisionScenario.ethMaintenance
        let thresholdCases: [(id: String, usd: Double, level: String?)] = [
            ("x130", 1.30 * m, nil), ("x130m", 1.30 * m - 0.01, "warning"),
            ("x110", 1.10 * m, "warning"), ("x110m", 1.10 * m - 0.01, "margin_call"),
            ("x100", 1.00 * m, "margin_call"), ("x100m", 1.00 * m - 0.01, "urgent"),
            ("x090", 0.90 * m, "urgent"), ("x090m", 0.90 * m - 0.01, "liquidation"),
        ]
        for c in thresholdCases {
            book[c.id] = Holdings(usd: c.usd, positions: [("ETH-USD", 5, 5_000.25)])
        }
        #expect(1_719.09375 / m == 1.10 && 1_562.8125 / m == 1.0 && 1_406.53125 / m == 0.90 && 2_031.65625 / m == 1.30,
                "the exact cases must be exact in binary")

        // 3. Deadline: two ETH longs at ratio 1.05 (margin_call at import); one cures with exactly the
        // published deficit in USD, one never does. A third, short ETH and holding 2 BTC (value above
        // the 100,000 tier), cures with exactly the published BTC top-up.
        func usdFor(ratio: Double, _ h: Holdings) -> Double {
            let f = DecisionFigures.of(h, marks: marks0)!
            return Holdings.round(ratio * f.maintenance - (f.equity - h.usd), 2)
        }
        var dn = Holdings(positions: [("ETH-USD", 10, 5_000)])
        dn.usd = usdFor(ratio: 1.05, dn)
        book["d-nocure"] = dn
        book["d-cure"] = dn
        var dt = Holdings(btcCollateral: 2, positions: [("ETH-USD", -330, 5_000)])
        dt.usd = usdFor(ratio: 1.05, dt)
        try #require(dt.usd > 0, "d-topup needs a positive USD balance: \(dt.usd)")
        book["d-topup"] = dt

        // 1. Accounts for the BTC moves (60,000 → 54,000 → 66,000), each built to land on a level.
        func build(_ h: Holdings, ratio: Double, atBTC base: Double) -> Holdings {
            var h = h
            let moved = ["BTC-USD": PublishedMark(price: base * 1.0002, confidence: base * 1.5e-4), "ETH-USD": eth]
            let f = DecisionFigures.of(h, marks: moved)!
            h.usd = Holdings.round(ratio * f.maintenance - (f.equity - h.usd), 2)
            return h
        }
        book["l-call"] = build(Holdings(ethCollateral: 2, positions: [("BTC-USD", 2, 60_500)]), ratio: 1.05, atBTC: 54_000)
        book["l-urgent-tier"] = build(Holdings(btcCollateral: 1, positions: [("BTC-USD", 5, 62_000)]), ratio: 0.95, atBTC: 54_000)
        book["l-liq"] = build(Holdings(btcCollateral: 2.5, positions: [("BTC-USD", 20, 60_000), ("ETH-USD", -10, 5_000)]), ratio: 0.80, atBTC: 54_000)
        book["l-warn"] = build(Holdings(positions: [("BTC-USD", 1, 60_000)]), ratio: 1.20, atBTC: 54_000)
        book["s-call"] = build(Holdings(ethCollateral: 2, positions: [("BTC-USD", -3, 60_000)]), ratio: 1.05, atBTC: 66_000)
        book["s-urgent-tier"] = build(Holdings(ethCollateral: 3, positions: [("BTC-USD", -6, 59_000)]), ratio: 0.95, atBTC: 66_000)
        book["s-liq"] = build(Holdings(positions: [("BTC-USD", -2, 60_000), ("ETH-USD", 8, 5_000)]), ratio: 0.85, atBTC: 66_000)
        for id in ["l-call", "l-urgent-tier", "l-liq", "l-warn", "s-call", "s-urgent-tier", "s-liq"] {
            let f = DecisionFigures.of(book[id]!, marks: marks0)!
            try #require(book[id]!.usd > 0 && f.ratio >= 1.40, "\(id) must start healthy: usd \(book[id]!.usd), ratio \(f.ratio)")
        }

        let ids = book.keys.sorted()
        let ndjson = ids.map { book[$0]!.json(id: $0) }.joined(separator: "\n") + "\n"
        let imported = try daemon.client.request("POST", "/v1/accounts/import", body: ndjson, timeout: 30)
        try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")
        let importedAt = Date()

        // Thresholds: the first notice of each (none for x130).
        let spool = rig.spool
        let wantFirst = Dictionary(uniqueKeysWithValues: thresholdCases.compactMap { c in c.level.map { ("\(c.id)-\($0)-1", $0) } })
        let thresholdsIn = await eventually(timeout: 10, interval: 0.05) { Set(wantFirst.keys).isSubset(of: Set(spool.newLevels().keys)) }
        #expect(thresholdsIn, "threshold notices: want \(wantFirst.keys.sorted()), have \(spool.newLevels().keys.sorted())")
        let afterImport = Self.delivered(spool)
        for c in thresholdCases {
            let first = Self.notices(of: c.id, in: afterImport).first
            #expect(first?["level"] as? String == c.level, "\(c.id) (USD \(c.usd)): first notice \(first?["level"] ?? "none"), want \(c.level ?? "none")")
            let api = try daemon.get("/v1/accounts/\(c.id)")
            if c.id == "x130" || c.id == "x110" {
                #expect(api["ratio"] as? String == (c.id == "x130" ? "1.3" : "1.1"), "\(c.id) ratio \(api["ratio"] ?? "nil")")
            }
        }

        // Deposits before the deadline (3 s from import): exactly the published deficit / top-up.
        let calls = await eventually(timeout: 5, interval: 0.02) {
            spool.newLevels()["d-cure-margin_call-1"] != nil && spool.newLevels()["d-topup-margin_call-1"] != nil
        }
        try #require(calls, "the deadline accounts did not enter margin_call: \(spool.newLevels().keys.sorted())")
        let dc = try #require(Self.delivered(spool)["d-cure-margin_call-1"])
        let deficitText = try #require(dc["deficit"] as? String)
        var cured = book["d-cure"]!
        cured.usd = try #require(Double(deficitText)) + cured.usd
        let dtn = try #require(Self.delivered(spool)["d-topup-margin_call-1"])
        let btcTopUpText = try #require((dtn["top_up"] as? [String: Any])?["BTC"] as? String)
        var topped = book["d-topup"]!
        topped.btcCollateral += try #require(Double(btcTopUpText))
        #expect(try daemon.put("d-cure", cured) == 200)
        #expect(try daemon.put("d-topup", topped) == 200)
        let depositedWithin = Date().timeIntervalSince(importedAt)
        #expect(depositedWithin < 3, "the deposits came \(depositedWithin) s after import, past the 3 s deadline: the test is too slow here")
        var history: [String: [(fromSeq: Int, holdings: Holdings)]] = [:]
        for (id, h) in book { history[id] = [(0, h)] }
        history["d-cure"]!.append((2, cured))
        history["d-topup"]!.append((2, topped))
        let curedBoth = await eventually(timeout: 5, interval: 0.05) {
            spool.newLevels()["d-cure-cured-2"] == "cured" && spool.newLevels()["d-topup-cured-2"] == "cured"
        }
        #expect(curedBoth, "depositing exactly the published deficit (\(deficitText) USD) / BTC top-up (\(btcTopUpText)) must cure at once: \(Self.notices(of: "d-cure", in: Self.delivered(spool)).map { $0["level"] ?? "?" }) \(Self.notices(of: "d-topup", in: Self.delivered(spool)).map { $0["level"] ?? "?" })")

        // The uncured call is liquidated by the first sweep after its deadline, flagged as expired.
        let liqWait = 3 + Self.sweepSeconds + 15
        let expired = await eventually(timeout: liqWait, interval: 0.1) { spool.newLevels()["d-nocure-liquidation-2"] != nil }
        #expect(expired, "no deadline liquidation of d-nocure within \(liqWait) s: \(spool.newLevels().filter { $0.key.hasPrefix("d-") })")
        let liq = Self.delivered(spool)["d-nocure-liquidation-2"]
        #expect(liq?.flag("deadline_expired") == true, "the deadline liquidation must say deadline_expired: \(liq ?? [:])")
        let liquidatedAfter = Date().timeIntervalSince(importedAt)
        // Not before the deadline the call published.
        let callDeadline = (Self.delivered(spool)["d-nocure-margin_call-1"]?["deadline"] as? String).flatMap(Self.instant)
        let liquidatedAt = (liq?["created_at"] as? String).flatMap(Self.instant)
        #expect(callDeadline != nil && liquidatedAt != nil && liquidatedAt! >= callDeadline!,
                "liquidated at \(String(describing: liquidatedAt)), before the call's deadline \(String(describing: callDeadline))?")
        for id in ["d-cure", "d-topup"] {
            #expect(Self.notices(of: id, in: Self.delivered(spool)).map { $0["level"] as? String ?? "?" } == ["margin_call", "cured"])
            #expect(try daemon.get("/v1/accounts/\(id)")["level"] as? String == "none")
        }

        // BTC moves: longs into call at 54,000, shorts at 66,000.
        var moveNotices = 0
        for base in [54_000.0, 66_000.0] {
            let before = spool.newLevels().count
            try rig.venue.setPrice("BTC-USD", base)
            let moved = await eventually(timeout: 10, interval: 0.05) {
                daemon.fullMark("BTC-USD").map { abs($0.price / (base * 1.0002) - 1) < 1e-6 } ?? false
            }
            try #require(moved, "BTC-USD never reached \(base)")
            _ = await eventually(timeout: 5, interval: 0.05) { spool.newLevels().count >= before + 3 }
            moveNotices += spool.newLevels().count - before
        }
        try await Task.sleep(for: .milliseconds(600))   // a few more polls: nothing else may arrive late

        // 1. Every delivered notice, recomputed from its own marks and the holdings it was valued on.
        let all = Self.delivered(spool)
        var problems: [String] = []
        var withTopUpBTC = 0, tieredNotional = 0, btcCollateralInTier = 0
        for (id, n) in all {
            let account = n["account"] as? String ?? ""
            guard let versions = history[account] else { problems.append("\(id): unknown account"); continue }
            let h = versions.last { $0.fromSeq <= Self.noticeSeq(id) }!.holdings
            problems += Self.recompute(n, holdings: h)
            if (n["top_up"] as? [String: Any])?["BTC"] != nil { withTopUpBTC += 1 }
            let marks = n.noticeMarks
            if let b = marks["BTC-USD"] {
                if h.positions.contains(where: { $0.pair == "BTC-USD" && abs($0.quantity) * b.price > DecisionScenario.btcTierFrom }) { tieredNotional += 1 }
                if h.btcCollateral * b.low > DecisionScenario.btcHaircutTierFrom { btcCollateralInTier += 1 }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) figures differ from the recomputation:\n\(problems.prefix(20).joined(separator: "\n"))")
        // The ledger agrees with new/.
        let journal = spool.journal()
        #expect(journal.invalid.isEmpty && journal.duplicates.isEmpty)
        #expect(Set(journal.entries.map(\.id)) == Set(all.keys), "calls.jsonl and new/ hold different notices")
        for e in journal.entries {
            for key in ["equity", "maintenance_requirement", "initial_requirement", "ratio", "deficit"] {
                #expect(e.json[key] as? String == all[e.id]?[key] as? String, "\(e.id).\(key): calls.jsonl and new/ differ")
            }
        }
        // Every planned level was reached on the moves.
        let levels = spool.newLevels()
        for (id, level) in [("l-call", "margin_call"), ("l-urgent-tier", "urgent"), ("l-liq", "liquidation"), ("l-warn", "warning"),
                            ("s-call", "margin_call"), ("s-urgent-tier", "urgent"), ("s-liq", "liquidation")] {
            #expect(levels.contains { $0.key.hasPrefix(id + "-" + level + "-") }, "\(id) never reached \(level): \(levels.filter { $0.key.hasPrefix(id) })")
        }
        #expect(withTopUpBTC > 0 && tieredNotional > 0 && btcCollateralInTier > 0,
                "the notices must exercise BTC top-ups (\(withTopUpBTC)), notional tiers (\(tieredNotional)) and haircut tiers (\(btcCollateralInTier))")
        print("RELIABILITY margin_amounts notices=\(all.count) move_notices=\(moveNotices) recompute_mismatches=\(problems.count) "
              + "btc_conf=\(btc.confidence) eth_conf=\(eth.confidence) topup_btc=\(withTopUpBTC) tiered_notional=\(tieredNotional) "
              + "haircut_tier=\(btcCollateralInTier) thresholds_exact=\(thresholdCases.count) "
              + "deficit_cure=\(deficitText) btc_topup_cure=\(btcTopUpText) deadline_liquidation_after_s=\(String(format: "%.1f", liquidatedAfter))")
    }

    // MARK: 4. Into a mass call

    /// The mass-call guard on (default share 25 %), a 3 s call deadline and a 2 s poll. BTC drops
    /// 10 % in one update and six of ten BTC holders enter a call at once: a mass call. The test then
    /// keeps the move unconfirmed — every new BTC mark lands more than 1 % from the previous one
    /// (54,000 ↔ 53,400, flipped right after each poll) — until a periodic sweep has run and the
    /// calls' deadlines have passed: no path may liquidate meanwhile. Then the price holds, the next
    /// mark confirms the move, and liquidation proceeds: by ratio (below 0.90 on the mark and the
    /// slow mark) and by the deadlines that expired while unconfirmed.
    @Test(.timeLimit(.minutes(3)))
    func massCallDefersEveryLiquidationUntilAConfirmingMark() async throws {
        let poll = 2.0
        // max_age 3 polls: a late tick on a loaded machine must not turn the quotes stale.
        let rig = try await Self.start("masscall", btc: 60_000, eth: 5_000, pollInterval: "2s", maxAge: "6s", margin: """
            price_side = "conservative"
            call_deadline = "3s"
            slow_mark_window = "1ms"
            """)
        defer { rig.stop() }
        let daemon = rig.daemon, spool = rig.spool
        let (btc, eth) = try await Self.readyMarks(daemon)

        // Longs of 1–3 BTC with USD, each sized to a ratio at BTC 54,000 (mark 54,010.80 ± 8.10).
        let at54 = ["BTC-USD": PublishedMark(price: 54_010.8, confidence: 8.1), "ETH-USD": eth]
        let at534 = ["BTC-USD": PublishedMark(price: 53_410.68, confidence: 8.01), "ETH-USD": eth]
        var book: [String: Holdings] = [:]
        let plan: [(prefix: String, ratio: Double, count: Int)] = [("deep", 0.60, 4), ("call", 1.05, 2), ("ok", 1.80, 4)]
        for p in plan {
            for i in 0..<p.count {
                var h = Holdings(positions: [("BTC-USD", Double(1 + i % 3), 60_000)])
                let f = DecisionFigures.of(h, marks: at54)!
                h.usd = Holdings.round(p.ratio * f.maintenance - (f.equity - h.usd), 2)
                book["\(p.prefix)-\(i)"] = h
            }
        }
        for (id, h) in book {
            let r0 = DecisionFigures.of(h, marks: ["BTC-USD": btc, "ETH-USD": eth])!.ratio
            let r54 = DecisionFigures.of(h, marks: at54)!.ratio, r534 = DecisionFigures.of(h, marks: at534)!.ratio
            try #require(r0 >= 1.4, "\(id) must start healthy: \(r0)")
            if id.hasPrefix("deep") { try #require(r54 < 0.9 && r534 < 0.9 && r534 > 0) }
            if id.hasPrefix("call") { try #require(r54 >= 1.0 && r54 < 1.1 && r534 < 0.9) }
            if id.hasPrefix("ok") { try #require(r534 >= 1.4) }
        }
        let ids = book.keys.sorted()
        let imported = try daemon.client.request("POST", "/v1/accounts/import", body: ids.map { book[$0]!.json(id: $0) }.joined(separator: "\n") + "\n")
        try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(spool.newLevels().isEmpty, "no notice at import: \(spool.newLevels())")

        func btcSeq() -> (seq: Int, price: Double)? {
            guard let j = try? daemon.get("/v1/prices/BTC-USD"), j["status"] as? String == "ok", j["sources_used"] as? Int == 3,
                  let seq = j["seq"] as? Int, let p = (j["price"] as? String).flatMap(Double.init) else { return nil }
            return (seq, p)
        }
        /// Waits for the next BTC mark after `seq`; returns it.
        func nextMark(after seq: Int) async -> (seq: Int, price: Double)? {
            var out: (seq: Int, price: Double)?
            _ = await eventually(timeout: 3 * poll + 5, interval: 0.02) {
                out = btcSeq()
                return (out?.seq ?? 0) > seq
            }
            return (out?.seq ?? 0) > seq ? out : nil
        }

        // The move: 60,000 → 54,000. A mark reflects the quotes requested at the tick before it (the
        // poll loop sends requests, then publishes), so the venue price is changed once per tick,
        // 300 ms after each new mark (the requests of that tick are answered by then, the next tick
        // is 2 s away): consecutive marks then alternate 54,000 / 53,400, never within 1 %.
        func atMove(_ p: Double) -> Bool { abs(p / 54_010.8 - 1) < 1e-6 }
        func atFlip(_ p: Double) -> Bool { abs(p / 53_410.68 - 1) < 1e-6 }
        let seq0 = try #require(btcSeq()).seq
        var mark = try #require(await nextMark(after: seq0))
        try await Task.sleep(for: .milliseconds(300))
        var venuePrice = 54_000.0
        try rig.venue.setPrice("BTC-USD", venuePrice)
        var movedAt: Date?
        var previous: (seq: Int, price: Double)?
        var accidental: [String] = []
        var flips = 0
        var liquidatedEarly: [String] = []
        var sweeps0 = 0
        while true {
            mark = try #require(await nextMark(after: mark.seq), "no new BTC mark within \(3 * poll + 5) s")
            if movedAt == nil {
                if atMove(mark.price) {
                    movedAt = Date()
                    sweeps0 = daemon.marginHealth()?["sweeps"] as? Int ?? 0
                } else if !(abs(mark.price / btc.price - 1) < 1e-6) {
                    Issue.record("the first moved mark is \(mark.price), neither 60,000 nor 54,000 (a poll caught the venue mid-change)")
                    return
                }
            } else if let previous {
                if !(atMove(mark.price) || atFlip(mark.price)) || abs(mark.price - previous.price) <= 0.01 * previous.price {
                    accidental.append("seq \(previous.seq) \(previous.price) → seq \(mark.seq) \(mark.price)")
                }
            }
            if movedAt != nil { previous = mark }
            liquidatedEarly += spool.newLevels().filter { $0.value == "liquidation" }.map(\.key)
            let sweeps = daemon.marginHealth()?["sweeps"] as? Int ?? 0
            if let movedAt, venuePrice == 54_000, sweeps > sweeps0, Date().timeIntervalSince(movedAt) > 3 + poll { break }
            try #require(Date().timeIntervalSince(movedAt ?? Date()) < Self.sweepSeconds + 10 * poll, "no sweep seen while flipping (sweeps \(sweeps))")
            try await Task.sleep(for: .milliseconds(300))
            venuePrice = venuePrice == 54_000 ? 53_400 : 54_000
            try rig.venue.setPrice("BTC-USD", venuePrice)
            flips += 1
        }
        let movedAtTime = try #require(movedAt)
        let unconfirmedFor = Date().timeIntervalSince(movedAtTime)
        try #require(accidental.isEmpty, "consecutive BTC marks agreed within 1 % or were mixed while flipping (a poll caught the venue mid-change; the machine is too slow for this test): \(accidental)")
        let during = Self.delivered(spool)
        #expect(liquidatedEarly.isEmpty, "liquidation while the mass-call move was unconfirmed: \(liquidatedEarly)")

        // The move's own notices: every account that entered carries mass_call; none is a liquidation.
        var problems: [String] = []
        for id in ids where !id.hasPrefix("ok") {
            let ns = Self.notices(of: id, in: during)
            guard let first = ns.first else { problems.append("\(id): no notice on the mass-call move"); continue }
            if !first.flag("mass_call") { problems.append("\(id): first notice without mass_call: \(first)") }
            let want = id.hasPrefix("deep") ? "urgent" : "margin_call"
            if first["level"] as? String != want { problems.append("\(id): first notice \(first["level"] ?? "?"), want \(want)") }
            if id.hasPrefix("deep") && !first.flag("liquidation_deferred") { problems.append("\(id): urgent below 0.90 without liquidation_deferred") }
            if ns.contains(where: { $0["level"] as? String == "liquidation" }) { problems.append("\(id): liquidated while unconfirmed") }
        }
        for id in ids where id.hasPrefix("ok") && !Self.notices(of: id, in: during).isEmpty {
            problems.append("\(id): a notice for a healthy account: \(Self.notices(of: id, in: during).map { $0["level"] ?? "?" })")
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let massEvents = daemon.marginHealth()?["mass_call_events"] as? Int ?? 0
        #expect(massEvents >= 1, "health must count the mass-call event")

        // The price holds at 54,000: the next mark confirms, and liquidation proceeds.
        let confirmWait = 3 * poll + 10
        let proceeded = await eventually(timeout: confirmWait, interval: 0.05) {
            let levels = spool.newLevels()
            return ids.filter { !$0.hasPrefix("ok") }.allSatisfy { id in levels.contains { $0.key.hasPrefix(id + "-liquidation-") } }
        }
        let after = Self.delivered(spool)
        #expect(proceeded, "after the confirming mark every deep and expired call must be liquidated: \(spool.newLevels().filter { !$0.key.hasPrefix("ok") })")
        for id in ids where !id.hasPrefix("ok") {
            guard let liq = Self.notices(of: id, in: after).first(where: { $0["level"] as? String == "liquidation" }) else { continue }
            #expect(!liq.flag("mass_call"), "\(id): the liquidation is not part of the mass-call move")
            let f = DecisionFigures.of(book[id]!, marks: liq.noticeMarks)
            if id.hasPrefix("call") {
                // Ratio 1.05 on the confirmed price: only the deadline, which expired while unconfirmed, liquidates it.
                #expect(liq.flag("deadline_expired"), "\(id): liquidated at ratio \(f?.ratio ?? .nan) without deadline_expired")
            } else {
                #expect((f?.ratio ?? 1) < 0.9, "\(id): liquidated at ratio \(f?.ratio ?? .nan)")
            }
            let created = (liq["created_at"] as? String).flatMap(Self.instant)
            #expect(created.map { $0.timeIntervalSince(movedAtTime) >= unconfirmedFor - 0.5 } == true, "\(id): liquidation at \(String(describing: created)) is before the confirmation")
        }
        #expect(Self.notices(of: "ok-0", in: after).isEmpty)
        print("RELIABILITY margin_mass_call holders=\(book.count) entering=6 mass_call_events=\(massEvents) flips=\(flips) "
              + "unconfirmed_s=\(String(format: "%.1f", unconfirmedFor)) sweeps_while_unconfirmed=\((daemon.marginHealth()?["sweeps"] as? Int ?? 0) - sweeps0) "
              + "liquidated_early=\(liquidatedEarly.count) liquidations_after_confirm=\(after.values.filter { $0["level"] as? String == "liquidation" }.count)")
    }

    // MARK: 6. Portfolio model on the daemon's path

    /// `model = "portfolio"` with daily history (Tests/Fixtures/history/daily_closes.csv, imported over
    /// the API) and a one-day horizon: a long BTC, a short ETH and the two together. Each shows
    /// `risk.model = "portfolio"` with finite VaR and ES, and a maintenance requirement at least
    /// the documented floors (half the standard requirement, the scenario grid, the published stress
    /// floor — docs/margin-model.md §3–4). The hedged book needs less than the sum of its legs'
    /// standard requirements, and more than zero.
    @Test(.timeLimit(.minutes(3)))
    func portfolioModelOnTheDaemonsPath() async throws {
        let rig = try await Self.start("portfolio", btc: 60_000, eth: 3_000, margin: """
            price_side = "mid"
            model = "portfolio"
            history_interval = "24h"
            horizon = "24h"
            slow_mark_window = "1ms"
            mass_call_share = 1.0
            """)
        defer { rig.stop() }
        let daemon = rig.daemon
        _ = try await Self.readyMarks(daemon)

        let csvPath = Binaries.repoRoot.appendingPathComponent("Tests/Fixtures/history/daily_closes.csv").path
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        let imported = try daemon.client.request("POST", "/v1/history/import", body: csv, timeout: 60)
        try #require(imported.status == 200, "history import → \(imported.status) \(imported.body.prefix(500))")
        let rows = imported.json?["imported"] as? Int ?? 0
        #expect(rows > 7_000, "imported \(rows) rows")

        // Equal notionals: 1 BTC against 20 ETH at 60,000 / 3,000.
        let book: [String: Holdings] = [
            "long-btc": Holdings(usd: 20_000, positions: [("BTC-USD", 1, 60_000)]),
            "short-eth": Holdings(usd: 20_000, positions: [("ETH-USD", -20, 3_000)]),
            "hedged": Holdings(usd: 20_000, positions: [("BTC-USD", 1, 60_000), ("ETH-USD", -20, 3_000)]),
        ]
        for (id, h) in book { #expect(try daemon.put(id, h) == 200) }

        var views: [String: [String: Any]] = [:]
        let portfolio = await eventually(timeout: 15, interval: 0.2) {
            for id in book.keys { views[id] = try? daemon.get("/v1/accounts/\(id)") }
            return book.keys.allSatisfy { ((views[$0]?["risk"] as? [String: Any])?["model"] as? String) == "portfolio" }
        }
        #expect(portfolio, "every account must be on the portfolio model: \(views.mapValues { $0["risk"] ?? "nil" })")

        var maintenance: [String: Double] = [:], standard: [String: Double] = [:]
        var line: [String] = []
        for id in book.keys.sorted() {
            let v = views[id] ?? [:]
            let risk = v["risk"] as? [String: Any] ?? [:]
            let marks = Dictionary(uniqueKeysWithValues: ((v["marks"] as? [[String: Any]]) ?? []).compactMap { m -> (String, PublishedMark)? in
                guard let pair = m["pair"] as? String, let p = m.decimal("price") else { return nil }
                return (pair, PublishedMark(price: p, confidence: m.decimal("confidence") ?? 0))
            })
            let f = try #require(DecisionFigures.of(book[id]!, marks: marks), "\(id): marks \(marks)")
            let m = try #require(v.decimal("maintenance_requirement"))
            let varValue = risk.decimal("var"), es = risk.decimal("es")
            #expect(varValue.map { $0.isFinite && $0 > 0 } == true, "\(id): VaR \(risk["var"] ?? "nil")")
            #expect(es.map { $0.isFinite && $0 > 0 } == true, "\(id): ES \(risk["es"] ?? "nil")")
            #expect(risk["model_fallback"] == nil || risk["model_fallback"] is NSNull, "\(id): \(risk["model_fallback"] ?? "")")
            // Floors, recomputed: portfolio_floor 0.5 × standard; the grid max(max|e|·5 %, |Σe|·10 %).
            #expect(abs((risk.decimal("standard_maintenance") ?? .nan) - f.maintenance) < 0.01, "\(id): standard \(risk["standard_maintenance"] ?? "nil") vs \(f.maintenance)")
            let exposures = book[id]!.positions.map { $0.quantity * marks[$0.pair]!.price }
            let grid = max((exposures.map(abs).max() ?? 0) * 0.05, abs(exposures.reduce(0, +)) * 0.10)
            #expect(m >= 0.5 * f.maintenance - 0.01, "\(id): maintenance \(m) below half the standard \(f.maintenance)")
            #expect(m >= grid - 0.01, "\(id): maintenance \(m) below the scenario grid \(grid)")
            let stress = risk.decimal("stress_floor")
            #expect(stress != nil, "\(id): the history covers the stress windows; stress_floor must be published")
            #expect(m >= (stress ?? 0) - 0.01, "\(id): maintenance \(m) below the stress floor \(stress ?? .nan)")
            #expect(m >= (varValue ?? .infinity) - 0.01 || m >= (es ?? .infinity) - 0.01, "\(id): maintenance \(m) below max(VaR, ES)")
            // Initial scales with the standard initial / maintenance ratio.
            #expect(abs((v.decimal("initial_requirement") ?? .nan) - m * f.initial / f.maintenance) < 0.02 + 1e-6 * m)
            maintenance[id] = m
            standard[id] = f.maintenance
            line.append("\(id):var=\(Int(varValue ?? -1)),es=\(Int(es ?? -1)),stress=\(Int(stress ?? -1)),grid=\(Int(grid)),mm=\(Int(m)),std=\(Int(f.maintenance))")
        }
        let hedged = try #require(maintenance["hedged"])
        let legs = (standard["long-btc"] ?? 0) + (standard["short-eth"] ?? 0)
        #expect(hedged > 0 && hedged < legs, "the hedged book needs \(hedged): must be in (0, \(legs)) — less than its legs' standard requirements")
        #expect(hedged < (maintenance["long-btc"] ?? 0) + (maintenance["short-eth"] ?? 0), "the hedge must cost less than its legs on the same model")

        // A call under the portfolio model cures with the published deficit in USD, and with the
        // published BTC top-up. Long 1 BTC with USD at about ratio 1.05 of its portfolio requirement.
        var callers: [String: Holdings] = [:]
        for id in ["p-call-usd", "p-call-btc"] {
            callers[id] = Holdings(usd: Holdings.round(1.05 * (maintenance["long-btc"] ?? 0) - 12, 2), positions: [("BTC-USD", 1, 60_000)])
            #expect(try daemon.put(id, callers[id]!) == 200)
        }
        var pcall: [String: [String: Any]] = [:]
        for id in callers.keys { pcall[id] = try daemon.get("/v1/accounts/\(id)") }
        #expect(pcall.values.allSatisfy { $0["level"] as? String == "margin_call" }, "\(pcall.mapValues { $0["level"] ?? "nil" })")
        var usdCure = callers["p-call-usd"]!
        usdCure.usd += pcall["p-call-usd"]?.decimal("deficit") ?? 0
        #expect(try daemon.put("p-call-usd", usdCure) == 200)
        #expect(try daemon.get("/v1/accounts/p-call-usd")["level"] as? String == "none", "the published USD deficit must cure under the portfolio model")
        var btcCure = callers["p-call-btc"]!
        let btcTopUp = ((pcall["p-call-btc"]?["top_up"] as? [String: Any])?["BTC"] as? String).flatMap(Double.init) ?? 0
        btcCure.btcCollateral += btcTopUp
        #expect(try daemon.put("p-call-btc", btcCure) == 200)
        let afterBTC = try daemon.get("/v1/accounts/p-call-btc")
        #expect(afterBTC["level"] as? String == "none",
                "the published BTC top-up (\(btcTopUp)) must cure under the portfolio model: level \(afterBTC["level"] ?? "nil"), ratio \(afterBTC["ratio"] ?? "nil"), deficit now \(afterBTC["deficit"] ?? "nil")")
        print("RELIABILITY margin_portfolio history_rows=\(rows) " + line.joined(separator: " ") + " legs_standard=\(Int(legs)) "
              + "call_deficit_usd=\(pcall["p-call-usd"]?["deficit"] ?? "nil") call_topup_btc=\(btcTopUp) after_btc_topup=\(afterBTC["level"] ?? "nil")")
    }

    /// BTC-USD and ETH-USD once both are `ok` on their three sources (the marks the tests build on).
    static func readyMarks(_ daemon: RunningDaemon) async throws -> (btc: PublishedMark, eth: PublishedMark) {
        var btc: PublishedMark?, eth: PublishedMark?
        let ready = await eventually(timeout: 20) {
            btc = daemon.fullMark("BTC-USD")
            eth = daemon.fullMark("ETH-USD")
            return btc != nil && eth != nil
        }
        try #require(ready, "marks never became ok on 3 sources; log:\n\(daemon.child.log.suffix(3000))")
        return (btc!, eth!)
    }
}

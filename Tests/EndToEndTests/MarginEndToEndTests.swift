import Foundation
import Testing

/// A config for the margin suites: three venues whose static offsets lie within 3 bps of each other
/// (coinbase +4, kraken +1, bitfinex +2 in the fake venue), BTC-USD and ETH-USD, USD collateral, mid prices.
enum MarginScenario {
    static let venues: [(name: String, btc: String, eth: String)] = [
        ("coinbase", "BTC-USD", "ETH-USD"), ("kraken", "XBTUSD", "ETHUSD"), ("bitfinex", "tBTCUSD", "tETHUSD"),
    ]
    static let btcMaintenance = 0.05, btcInitial = 0.10
    static let ethMaintenance = 0.08, ethInitial = 0.15

    /// One fake-venue `[[source]]` with the quick timeouts and backoff every margin suite uses.
    static func source(_ name: String, venueURL: String) -> String {
        """
        [[source]]
        name = "\(name)"
        kind = "\(name)"
        base_url = "\(venueURL)/\(name)"
        rate_limit = 50.0
        burst = 20
        timeout = "1s"
        connect_timeout = "500ms"
        backoff_base = "100ms"
        backoff_max = "500ms"

        """
    }

    static func config(dir: String, spoolDir: String? = nil, venueURL: String, syslogSocket: String?,
                       pollInterval: String = "200ms", massCallShare: Double = 1.0) -> String {
        var s = """
        [daemon]
        socket = "\(dir)/oracled.sock"
        state_dir = "\(dir)/lib"
        spool_dir = "\(spoolDir ?? dir + "/spool")"
        poll_interval = "\(pollInterval)"

        """
        if let syslogSocket { s += "syslog_socket = \"\(syslogSocket)\"\n" }
        s += """

        [aggregation]
        min_sources = 3
        max_age = "3s"
        max_hold = "1s"
        # Prices are exact here (wiggle off) and kraken/bitfinex send no venue timestamp: without this
        # they would look frozen next to coinbase, whose timestamp keeps moving.
        frozen_cycles = 1000000

        """
        for v in venues { s += MarginScenario.source(v.name, venueURL: venueURL) }
        for (pair, mm, im, key) in [("BTC-USD", btcMaintenance, btcInitial, 1), ("ETH-USD", ethMaintenance, ethInitial, 2)] {
            s += "[[pair]]\nsymbol = \"\(pair)\"\nmaintenance_margin = \(mm)\ninitial_margin = \(im)\nsources = [\n"
            for v in venues { s += "  { source = \"\(v.name)\", symbol = \"\(key == 1 ? v.btc : v.eth)\" },\n" }
            s += "]\n\n"
        }
        s += """
        [margin]
        currency = "USD"
        price_side = "mid"
        warn_ratio = 1.30
        warn_exit_ratio = 1.40
        call_ratio = 1.10
        urgent_ratio = 1.00
        liquidation_ratio = 0.90
        call_deadline = "60m"
        slow_mark_window = "1ms"
        min_trigger_sources = 2
        mass_call_share = \(massCallShare)

        """
        return s
    }
}

/// The test's own model of an account and of the level rules (written from DESIGN.md and the issue,
/// not by calling the daemon's code), used to compute the notices the daemon must write.
struct ModelAccount {
    var id: String
    var usd: Double
    var btcQty: Double
    var btcEntry: Double
    var ethQty: Double
    var ethEntry: Double

    static let warn = 1.30, warnExit = 1.40, call = 1.10, urgent = 1.00, liquidation = 0.90
    static let band = warnExit - warn
    static let thresholds = [liquidation, urgent, call, urgent + band, call + band, warn, warnExit]

    func figures(btc: Double, eth: Double) -> (equity: Double, maintenance: Double, initial: Double) {
        let equity = usd + btcQty * (btc - btcEntry) + ethQty * (eth - ethEntry)
        let nb = abs(btcQty) * btc, ne = abs(ethQty) * eth
        return (equity, nb * MarginScenario.btcMaintenance + ne * MarginScenario.ethMaintenance,
                nb * MarginScenario.btcInitial + ne * MarginScenario.ethInitial)
    }

    /// Every condition the level rules test, at one pair of marks.
    func predicates(btc: Double, eth: Double) -> [Bool] {
        let f = figures(btc: btc, eth: eth)
        let ratio = f.equity / f.maintenance
        return Self.thresholds.map { ratio < $0 } + [f.equity >= f.initial]
    }

    /// True when every rule condition is the same everywhere in the box btc·(1±eps) × eth·(1±eps): the
    /// conditions are linear (ratio ≥ T ⇔ equity − T·maintenance ≥ 0), so the corners decide.
    func unambiguous(btc: Double, eth: Double, eps: Double) -> Bool {
        let p = predicates(btc: btc * (1 - eps), eth: eth * (1 - eps))
        return predicates(btc: btc * (1 + eps), eth: eth * (1 - eps)) == p
            && predicates(btc: btc * (1 - eps), eth: eth * (1 + eps)) == p
            && predicates(btc: btc * (1 + eps), eth: eth * (1 + eps)) == p
    }

    func json(usd overrideUSD: Double? = nil) -> String {
        var positions = [#"{"pair":"BTC-USD","quantity":"\#(Self.dec(btcQty, 3))","entry_price":"\#(Self.dec(btcEntry, 2))"}"#]
        if ethQty != 0 { positions.append(#"{"pair":"ETH-USD","quantity":"\#(Self.dec(ethQty, 3))","entry_price":"\#(Self.dec(ethEntry, 2))"}"#) }
        return #"{"id":"\#(id)","collateral":[{"asset":"USD","amount":"\#(Self.dec(overrideUSD ?? usd, 2))"}],"positions":[\#(positions.joined(separator: ","))]}"#
    }

    static func dec(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    static func round(_ v: Double, _ digits: Int) -> Double { Double(dec(v, digits)) ?? v }
}

/// The level rules, implemented independently: escalation notifies at once at the most severe level;
/// warning ends silently at warn_exit; urgent steps back to margin_call silently at urgent + band; a
/// call ends only with `cured` (equity ≥ initial and ratio ≥ call + band); liquidation needs the ratio
/// below liquidation_ratio on the latest and the slow mark (the same here: slow_mark_window = 1ms).
struct ModelMachine {
    static let names = ["none", "warning", "margin_call", "urgent", "liquidation"]
    var level = 0
    var seq = 0

    /// Returns the notice level written, if any.
    mutating func evaluate(equity: Double, maintenance: Double, initial: Double) -> String? {
        let ratio = equity / maintenance
        let m = ModelAccount.self
        let target = ratio < m.liquidation ? 4 : ratio < m.urgent ? 3 : ratio < m.call ? 2 : ratio < m.warn ? 1 : 0
        if target > level {
            level = target
            seq += 1
            return Self.names[target]
        }
        switch level {
        case 2, 3, 4:
            if equity >= initial && ratio >= m.call + m.band {
                level = 0
                seq += 1
                return "cured"
            }
            if level == 3 && ratio >= m.urgent + m.band { level = 2 }
        case 1:
            if ratio >= m.warnExit { level = 0 }
        default: break
        }
        return nil
    }
}

@Suite(.serialized)
struct MarginEndToEndTests {
    /// BTC path (fake-venue base prices): down in steps, then back up past the start.
    static let path: [Double] = [67_000, 64_500, 62_000, 59_500, 57_000, 59_500, 63_000, 67_000, 71_000, 75_000]
    static let eth = 3_500.0
    /// Half-width of the price box in which every account's outcome must be the same (venue offsets
    /// lie within 3 bps of each other; a mark mid-step is one venue's old or new value).
    static let eps = 0.0008

    /// Accounts whose every step has one clear outcome and at most one notice, so tiny mark noise or
    /// the number of evaluations per step cannot change what the daemon must write.
    static func generate(count: Int, btcCal: Double, ethMark: Double) -> [ModelAccount] {
        var rng = SplitMix64(seed: 0x5EED_0017)
        var out: [ModelAccount] = []
        var attempts = 0
        let p0 = path[0] * btcCal
        while out.count < count && attempts < 200_000 {
            attempts += 1
            let long = Double.random(in: 0..<1, using: &rng) < 0.7
            let q = ModelAccount.round((long ? 1 : -1) * Double.random(in: 0.2...3, using: &rng), 3)
            let entry = ModelAccount.round(path[0] * Double.random(in: 0.97...1.03, using: &rng), 2)
            var eq = 0.0, ee = 0.0
            if Double.random(in: 0..<1, using: &rng) < 0.4 {
                eq = ModelAccount.round((Bool.random(using: &rng) ? 1 : -1) * Double.random(in: 2...40, using: &rng), 3)
                ee = ModelAccount.round(eth * Double.random(in: 0.97...1.03, using: &rng), 2)
            }
            let r0 = Double.random(in: 1.55...4.0, using: &rng)
            var a = ModelAccount(id: "acct-\(out.count)", usd: 0, btcQty: q, btcEntry: entry, ethQty: eq, ethEntry: ee)
            let f0 = a.figures(btc: p0, eth: ethMark)
            a.usd = ModelAccount.round(r0 * f0.maintenance - (f0.equity - a.usd), 2)
            guard a.usd > 0, simulate(a, btcCal: btcCal, ethMark: ethMark) != nil else { continue }
            out.append(a)
        }
        return out
    }

    /// The notices of `a` along the whole path at the planned marks, or nil when some step is ambiguous,
    /// notifies at import, or would notify twice.
    static func simulate(_ a: ModelAccount, btcCal: Double, ethMark: Double) -> [String]? {
        var m = ModelMachine()
        var notices: [String] = []
        for (i, base) in path.enumerated() {
            let btc = base * btcCal
            guard a.unambiguous(btc: btc, eth: ethMark, eps: eps) else { return nil }
            let f = a.figures(btc: btc, eth: ethMark)
            if let n = m.evaluate(equity: f.equity, maintenance: f.maintenance, initial: f.initial) {
                if i == 0 { return nil }
                notices.append(n)
            }
            if m.evaluate(equity: f.equity, maintenance: f.maintenance, initial: f.initial) != nil { return nil }
        }
        return notices
    }

    @Test(.timeLimit(.minutes(3)))
    func scriptedPricePathMatchesIndependentModel() async throws {
        let dir = makeTempDir("margin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let syslog = try SyslogCollector(path: dir + "/syslog.sock")
        defer { syslog.stop() }
        let configPath = dir + "/oracles.toml"
        try MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: syslog.path)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let daemon = try await DaemonLauncher.start(config: configPath, socket: dir + "/oracled.sock", log: dir + "/oracled.log")
        defer { daemon.child.kill(SIGKILL) }
        let spool = SpoolInspector(directory: dir + "/spool")

        func fullMark(_ pair: String) -> Double? {
            guard let j = try? daemon.get("/v1/prices/\(pair)"), j["status"] as? String == "ok",
                  j["sources_used"] as? Int == 3 else { return nil }
            return Double(j["price"] as? String ?? "")
        }
        var btc0: Double?, ethMark: Double?
        let ready = await eventually(timeout: 20) {
            btc0 = fullMark("BTC-USD")
            ethMark = fullMark("ETH-USD")
            return btc0 != nil && ethMark != nil
        }
        try #require(ready, "marks never became ok on 3 sources; log:\n\(daemon.child.log.suffix(3000))")
        let btcCal = try #require(btc0) / Self.path[0]
        let eth = try #require(ethMark)

        let accounts = Self.generate(count: 300, btcCal: btcCal, ethMark: eth)
        try #require(accounts.count == 300, "could only generate \(accounts.count) unambiguous accounts")
        let ndjson = accounts.map { $0.json() }.joined(separator: "\n") + "\n"
        let imported = try daemon.client.request("POST", "/v1/accounts/import", body: ndjson, timeout: 30)
        try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")
        #expect(imported.json?["imported"] as? Int == 300)

        var machines = Array(repeating: ModelMachine(), count: accounts.count)
        var expected: [String: String] = [:]   // notice id → level
        func apply(_ i: Int, btc: Double, eth: Double) {
            let f = accounts[i].figures(btc: btc, eth: eth)
            for _ in 0..<2 {
                if let level = machines[i].evaluate(equity: f.equity, maintenance: f.maintenance, initial: f.initial) {
                    expected["\(accounts[i].id)-\(level)-\(machines[i].seq)"] = level
                }
            }
        }
        for i in accounts.indices { apply(i, btc: btc0!, eth: eth) }
        #expect(expected.isEmpty, "no account should be below warn at import: \(expected)")

        for base in Self.path.dropFirst() {
            try venue.setPrice("BTC-USD", base)
            let planned = base * btcCal
            var mark: Double?
            let moved = await eventually(timeout: 10, interval: 0.05) {
                mark = fullMark("BTC-USD")
                return mark.map { abs($0 / planned - 1) < 0.0004 } ?? false
            }
            try #require(moved, "BTC-USD mark never reached \(planned) (last \(String(describing: mark)))")
            let btc = try #require(mark)
            for i in accounts.indices {
                #expect(accounts[i].unambiguous(btc: btc, eth: eth, eps: 0.0004), "\(accounts[i].id) ambiguous at \(btc)")
                apply(i, btc: btc, eth: eth)
            }
            let want = expected
            let arrived = await eventually(timeout: 10, interval: 0.05) { spool.newLevels() == want }
            #expect(arrived, "at BTC \(btc): spool new/ differs from the model; missing \(Set(want.keys).subtracting(spool.newLevels().keys).sorted().prefix(10)), unexpected \(Set(spool.newLevels().keys).subtracting(want.keys).sorted().prefix(10))")
        }
        // Nothing more arrives once the marks hold still (a sweep would only repeat the same evaluation).
        // A quiet window, not a bound: 1 s = 5 poll cycles of 200 ms, so a spurious notice has at least
        // two cycles to show up even with each cycle `WallClockBounds.jitterSeconds` late.
        try await Task.sleep(for: .seconds(1))
        let counts = Dictionary(grouping: expected.values, by: { $0 }).mapValues(\.count)
        print("RELIABILITY margin_e2e accounts=\(accounts.count) steps=\(Self.path.count - 1) notices=\(expected.count) "
              + counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        for level in ["warning", "margin_call", "urgent", "liquidation", "cured"] {
            #expect((counts[level] ?? 0) > 0, "the path should produce \(level) notices; got \(counts)")
        }
        try await checkOutputs(spool: spool, syslog: syslog, expected: expected, daemonLog: daemon.child.log)

        // Open calls from the API = the model's accounts at margin_call or worse, at the same level.
        let open = try daemon.get("/v1/calls?state=open")["calls"] as? [[String: Any]] ?? []
        let apiOpen = Dictionary(open.compactMap { c in (c["account"] as? String).map { ($0, c["level"] as? String ?? "?") } },
                                 uniquingKeysWith: { a, _ in a })
        var modelOpen: [String: String] = [:]
        for (i, m) in machines.enumerated() where m.level >= 2 { modelOpen[accounts[i].id] = ModelMachine.names[m.level] }
        #expect(apiOpen == modelOpen, "GET /v1/calls?state=open differs from the model")
        #expect(!modelOpen.isEmpty)

        // A deposit cures an open call at once.
        let btcNow = try #require(fullMark("BTC-USD"))
        let callIndex = try #require(machines.indices.first { machines[$0].level >= 2 && accounts[$0].btcQty < 0 }
                                     ?? machines.indices.first { machines[$0].level >= 2 })
        var cured = accounts[callIndex]
        let f = cured.figures(btc: btcNow, eth: eth)
        cured.usd = ModelAccount.round(cured.usd + max(3 * f.maintenance, f.initial * 1.2) - f.equity, 2)
        let put = try daemon.client.request("PUT", "/v1/accounts/\(cured.id)", body: cured.json())
        #expect(put.status == 200, "PUT deposit → \(put.status) \(put.body)")
        let g = cured.figures(btc: btcNow, eth: eth)
        if let level = machines[callIndex].evaluate(equity: g.equity, maintenance: g.maintenance, initial: g.initial) {
            expected["\(cured.id)-\(level)-\(machines[callIndex].seq)"] = level
        }
        #expect(expected["\(cured.id)-cured-\(machines[callIndex].seq)"] == "cured", "the model should cure the deposit")
        let want = expected
        #expect(await eventually(timeout: 10, interval: 0.05) { spool.newLevels() == want }, "the cure did not appear alone in new/")
        #expect((try? daemon.get("/v1/accounts/\(cured.id)"))?["level"] as? String == "none")

        // Stale marks produce no notice: every venue down, then an account that would be in call arrives.
        try venue.setFault("all", "http503")
        let down = await eventually(timeout: 15, interval: 0.1) {
            guard let s = daemon.mark("BTC-USD")?.status else { return false }
            return s == "unavailable" || s == "stale"
        }
        try #require(down, "BTC-USD never left ok with every venue down")
        let before = (spool.newLevels().count, spool.journal().entries.count, syslog.noticeLines.count)
        var probe = ModelAccount(id: "probe-stale", usd: 0, btcQty: 1, btcEntry: ModelAccount.round(btcNow, 2), ethQty: 0, ethEntry: 0)
        probe.usd = ModelAccount.round(1.05 * probe.figures(btc: btcNow, eth: eth).maintenance, 2)   // a margin call at btcNow
        let putProbe = try daemon.client.request("PUT", "/v1/accounts/probe-stale", body: probe.json())
        #expect(putProbe.status == 200, "PUT probe → \(putProbe.status) \(putProbe.body)")
        // Wait for the event (the probe is evaluated and found unpriced), then keep a quiet window of
        // 5 poll cycles (1 s, ≥ 2 cycles even when each is `jitterSeconds` late) in which a wrongly
        // written notice would reach the spool.
        #expect(await eventually(timeout: 10, interval: 0.05) { (try? daemon.get("/v1/accounts/probe-stale"))?["level"] as? String == "unpriced" },
                "the probe never showed unpriced: \((try? daemon.get("/v1/accounts/probe-stale")) ?? [:])")
        try await Task.sleep(for: .seconds(1))
        let after = (spool.newLevels().count, spool.journal().entries.count, syslog.noticeLines.count)
        #expect(before == after, "a notice was written while the marks were not usable: \(before) → \(after)")

        // The venues return at the same price: only the probe's call is new.
        try venue.setFault("all", "ok")
        var pm = ModelMachine()
        let pf = probe.figures(btc: btcNow, eth: eth)
        if let level = pm.evaluate(equity: pf.equity, maintenance: pf.maintenance, initial: pf.initial) {
            expected["probe-stale-\(level)-\(pm.seq)"] = level
        }
        #expect(expected["probe-stale-margin_call-1"] == "margin_call")
        let final = expected
        #expect(await eventually(timeout: 15, interval: 0.1) { spool.newLevels() == final },
                "after recovery: missing \(Set(final.keys).subtracting(spool.newLevels().keys).sorted()), unexpected \(Set(spool.newLevels().keys).subtracting(final.keys).sorted())")
        // Quiet window for an extra notice (2.5 poll cycles); checkOutputs then waits for the syslog lines itself.
        try await Task.sleep(for: .milliseconds(500))
        try await checkOutputs(spool: spool, syslog: syslog, expected: final, daemonLog: daemon.child.log)
        let health = daemon.marginHealth()
        #expect((health?["sweep_corrections"] as? Int) == 0, "the full sweep disagreed with the incremental path: \(health ?? [:])")
        daemon.child.kill(SIGTERM)
        _ = await daemon.child.wait(timeout: 10)
    }

    /// new/ == expected == calls.jsonl == syslog, with levels, valid JSON, no duplicates.
    func checkOutputs(spool: SpoolInspector, syslog: SyslogCollector, expected: [String: String], daemonLog: String) async throws {
        let files = spool.notices()
        #expect(files.mapValues { $0.level ?? "?" } == expected, "spool new/ differs from the model")
        for (id, file) in files {
            #expect(file.json?["id"] as? String == id, "file \(id).json does not hold notice \(id)")
            for field in SpoolInspector.requiredFields { #expect(file.json?[field] != nil, "\(id).json lacks \(field)") }
        }
        let journal = spool.journal()
        #expect(journal.invalid.isEmpty, "calls.jsonl has invalid lines: \(journal.invalid.prefix(3))")
        #expect(journal.duplicates.isEmpty, "calls.jsonl repeats ids: \(journal.duplicates.prefix(5))")
        #expect(!journal.tornTail, "calls.jsonl ends in a torn line")
        #expect(journal.missingFields.isEmpty, "calls.jsonl lines lack fields: \(journal.missingFields.prefix(5))")
        #expect(journal.levels == expected, "calls.jsonl differs from the model")
        #expect(journal.entries.count == expected.count)

        // Syslog lines follow the spool delivery; datagrams may still be in flight.
        let allArrived = await eventually(timeout: 5, interval: 0.05) { syslog.noticeLines.count >= expected.count }
        let lines = syslog.noticeLines
        #expect(allArrived, "syslog has \(lines.count) notice lines, expected \(expected.count)")
        let byID = Dictionary(grouping: lines, by: \.id)
        #expect(byID.filter { $0.value.count > 1 }.isEmpty, "syslog repeats notices: \(byID.filter { $0.value.count > 1 }.keys.prefix(5))")
        #expect(Set(byID.keys) == Set(expected.keys), "syslog notice ids differ from the model")
        for line in lines {
            #expect(line.level == expected[line.id], "syslog level of \(line.id)")
            #expect(line.severity == expectedSyslogSeverity(line.level), "syslog severity of \(line.id): \(line.severity)")
        }
    }
}

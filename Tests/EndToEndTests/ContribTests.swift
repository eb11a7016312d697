import Foundation
import Testing

/// contrib/: the Prometheus rules (promtool), the Grafana dashboard, and that both only name metrics
/// a real daemon exports; the notify script and its units.
@Suite(.serialized) struct ContribTests {
    static let contrib = Binaries.repoRoot.appendingPathComponent("contrib").path
    static let rules = contrib + "/prometheus/oracled-rules.yml"
    static let rulesTest = contrib + "/prometheus/oracled-rules.test.yml"
    static let dashboard = contrib + "/grafana/oracled.json"
    static let promtool = findTool("promtool")

    /// Families that exist only on a node with `[cluster]` (PostgreSQL): the single-node scrape below
    /// cannot show them, so they are looked up in the source that renders them instead.
    static let clusterOnlySource = Binaries.repoRoot.appendingPathComponent("Sources/OracleDaemon/ClusterJSON.swift").path

    /// `oracled_…` names in PromQL text (rules, dashboard targets).
    static func metricNames(in text: String) -> Set<String> {
        let re = try! NSRegularExpression(pattern: #"\boracled_[a-z0-9_]+"#)
        let ns = text as NSString
        return Set(re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) })
    }

    /// The dashboard's panels (rows excluded) and their PromQL expressions.
    static func dashboardPanels() throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dashboard))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("dashboard is not a JSON object") }
        let panels = root["panels"] as? [[String: Any]] ?? []
        return panels.flatMap { p in p["type"] as? String == "row" ? (p["panels"] as? [[String: Any]] ?? []) : [p] }
    }

    static func dashboardExpressions() throws -> [String] {
        try dashboardPanels().flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test func promtoolChecksAndUnitTestsTheRules() async throws {
        guard let promtool = Self.promtool else {
            print("SKIP promtool is not installed (Debian package prometheus; .ci/run installs it): the rules were not checked")
            return
        }
        let check = await runCommand(promtool, ["check", "rules", Self.rules])
        #expect(check.status == 0, "promtool check rules:\n\(check.output)")
        #expect(check.output.contains("SUCCESS"), "\(check.output)")
        // promtool resolves rule_files relative to the test file.
        let test = await runCommand(promtool, ["test", "rules", Self.rulesTest], timeout: 120)
        #expect(test.status == 0, "promtool test rules:\n\(test.output)")
        #expect(test.output.contains("SUCCESS"), "\(test.output)")
    }

    /// Every alert has a runbook (summary and description), a severity, and is exercised by the unit
    /// tests both firing and silent. Parsed as text: the test target has no YAML parser.
    @Test func everyAlertHasARunbookAndATestBothWays() throws {
        let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let tests = try String(contentsOfFile: Self.rulesTest, encoding: .utf8)
        let blocks = rules.components(separatedBy: "- alert: ").dropFirst()
        #expect(blocks.count >= 12, "only \(blocks.count) alerts")
        // The alerts the operator asked for, by name.
        let names = blocks.map { String($0.prefix { !$0.isNewline }) }
        for required in ["OraclePairNotOk", "OracleSourceQuarantined", "OracleSpoolDeferred", "OracleNoticesUndelivered",
                         "OracleWatchdogNearLimit", "OracleCalibrationRed", "OracleMassCallEvent", "OracleStoreCommitFailures",
                         "OracleClusterLeasesLost", "OracleVolSurfaceNotOk", "OracleVolSurfaceUnavailable", "OracleVolSurfaceOld",
                         "OracleVolSourcesAllFailing"] {
            #expect(names.contains(required), "no alert \(required)")
        }
        let lines = tests.components(separatedBy: "\n")
        for (name, block) in zip(names, blocks) {
            #expect(block.contains("summary:") && block.contains("description:"), "\(name) has no summary/description")
            #expect(block.contains("severity: page") || block.contains("severity: ticket"), "\(name) has no severity")
            // Each `alertname: X` line is followed by its `exp_alerts:`; `[]` is the silent case.
            var firing = false, silent = false
            for (i, l) in lines.enumerated() where l.trimmingCharacters(in: .whitespaces) == "alertname: \(name)" && i + 1 < lines.count {
                if lines[i + 1].contains("exp_alerts: []") { silent = true } else if lines[i + 1].contains("exp_alerts:") { firing = true }
            }
            #expect(firing, "\(name) is never tested firing")
            #expect(silent, "\(name) is never tested silent")
        }
    }

    @Test func theDashboardIsAnImportableGrafanaDashboard() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.dashboard))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object")
        #expect((root["schemaVersion"] as? Int).map { $0 >= 36 } == true, "schemaVersion \(String(describing: root["schemaVersion"]))")
        let inputs = root["__inputs"] as? [[String: Any]] ?? []
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" }, "no DS_PROMETHEUS input")
        #expect(root["uid"] as? String == "oracled")
        let panels = try Self.dashboardPanels()
        #expect(panels.count >= 15, "only \(panels.count) panels")
        var ids = Set<Int>()
        for p in panels {
            let title = p["title"] as? String ?? "?"
            if let id = p["id"] as? Int { #expect(ids.insert(id).inserted, "duplicate panel id \(id)") }
            let ds = p["datasource"] as? [String: Any]
            #expect(ds?["uid"] as? String == "${DS_PROMETHEUS}", "panel \(title): datasource \(String(describing: ds))")
            let targets = p["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "panel \(title) has no targets")
            for t in targets {
                #expect(!((t["expr"] as? String) ?? "").isEmpty, "panel \(title): empty expr")
                #expect((t["datasource"] as? [String: Any])?["uid"] as? String == "${DS_PROMETHEUS}", "panel \(title): target datasource")
            }
            let grid = p["gridPos"] as? [String: Int]
            #expect(grid != nil && grid!["w"]! > 0 && grid!["x"]! + grid!["w"]! <= 24, "panel \(title): gridPos \(String(describing: grid))")
        }
        // The panels the operator asked for.
        let titles = panels.compactMap { $0["title"] as? String }.joined(separator: "|").lowercased()
        for want in ["mark", "status per pair", "source health", "latency", "level", "notice latency", "sweep", "calibration", "spool", "shards",
                     "vol surface status", "vol surface age", "vol sources"] {
            #expect(titles.contains(want), "no panel about \(want): \(titles)")
        }
    }

    /// Grafana does not check PromQL on import: every panel's expression is parsed by promtool, as
    /// a recording rule with the dashboard variables replaced by a match-all.
    @Test func everyDashboardExpressionParses() async throws {
        guard let promtool = Self.promtool else {
            print("SKIP promtool is not installed: the dashboard's PromQL was not parsed")
            return
        }
        let dir = makeTempDir("dash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exprs = try Self.dashboardExpressions()
        var yaml = "groups:\n  - name: dashboard\n    rules:\n"
        for (i, e) in exprs.enumerated() {
            let concrete = e.replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "$pair", with: ".*")
                .replacingOccurrences(of: "$__rate_interval", with: "5m")
            let quoted = concrete.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            yaml += "      - record: dashboard:panel_\(i)\n        expr: \"\(quoted)\"\n"
        }
        try yaml.write(toFile: dir + "/dash.yml", atomically: true, encoding: .utf8)
        let check = await runCommand(promtool, ["check", "rules", dir + "/dash.yml"])
        #expect(check.status == 0, "a dashboard expression does not parse:\n\(check.output)")
        #expect(check.output.contains("\(exprs.count) rules found"), "\(check.output)")
    }

    /// The vol alerts' inputs behave as the rules assume, on a real daemon whose every vol source dies
    /// (the fake venue is killed): `oracled_vol_surface_sources_used` drops to 0 while the last surface
    /// is held `stale` (OracleVolSourcesAllFailing), its age grows (OracleVolSurfaceOld), and after
    /// `hold` the status is `unavailable` with age `+Inf` (OracleVolSurfaceUnavailable; excluded from
    /// OracleVolSurfaceOld by `< +Inf`).
    @Test func volAlertInputsBehaveAsTheRulesAssume() async throws {
        let dir = makeTempDir("volalerts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        let config = VolEndToEndTests.config(dir: dir, venueURL: venue.baseURL) + "\nhold = \"3s\"\n"
        try config.write(toFile: dir + "/oracles.toml", atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", dir + "/oracles.toml"], logPath: dir + "/oracled.log")
        defer { daemon.kill(SIGKILL) }
        let client = UnixHTTPClient(path: dir + "/oracled.sock")
        func sample(_ series: String) -> String? {
            guard let text = try? client.request("GET", "/metrics").body else { return nil }
            return text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.split(separator: " ")[1]) }
        }
        #expect(await eventually(timeout: 30, interval: 0.25) {
            sample(#"oracled_vol_surface_status{underlying="BTC",status="ok"}"#) == "1" && sample(#"oracled_vol_surface_sources_used{underlying="BTC"}"#) == "3"
        }, "\(daemon.log.suffix(1500))")
        #expect(sample(#"oracled_vol_surface_age_seconds{underlying="BTC"}"#).flatMap(Double.init).map { $0 < 1 } == true)

        venue.child.kill(SIGKILL)
        var age1: Double?
        #expect(await eventually(timeout: 10, interval: 0.1) {
            age1 = sample(#"oracled_vol_surface_age_seconds{underlying="BTC"}"#).flatMap(Double.init)
            return sample(#"oracled_vol_surface_status{underlying="BTC",status="stale"}"#) == "1"
                && sample(#"oracled_vol_surface_sources_used{underlying="BTC"}"#) == "0"
        }, "not stale with 0 sources used: \(daemon.log.suffix(1500))")
        try await Task.sleep(for: .milliseconds(700))
        let age2 = sample(#"oracled_vol_surface_age_seconds{underlying="BTC"}"#).flatMap(Double.init)
        #expect(age1 != nil && age2 != nil && age2! > age1! + 0.4, "the held surface's age does not grow: \(String(describing: age1)) → \(String(describing: age2))")
        #expect(await eventually(timeout: 10, interval: 0.2) {
            sample(#"oracled_vol_surface_status{underlying="BTC",status="unavailable"}"#) == "1"
                && sample(#"oracled_vol_surface_age_seconds{underlying="BTC"}"#) == "+Inf"
                && sample(#"oracled_vol_surface_sources_used{underlying="BTC"}"#) == "0"
        }, "not unavailable with +Inf age after hold")
    }

    /// The rules and the dashboard cannot drift from the code: every `oracled_…` name they use is in a
    /// real daemon's /metrics (a margin desk on, systemd's watchdog set), or — for the cluster families
    /// — rendered by ClusterJSON.swift.
    @Test func everyMetricTheRulesAndTheDashboardUseIsExported() async throws {
        let side = makeTempDir("wdm")
        defer { try? FileManager.default.removeItem(atPath: side) }
        let stall = side + "/stall"
        let rig = try await StressRig("metrics", config: StressConfig(), environment: ["WATCHDOG_USEC": "2000000", "ORACLED_FAULT_STALL_FILE": stall])
        defer { rig.cleanUp() }
        #expect(await rig.waitForOK(), "no ok mark; log:\n\(rig.daemon.log)")
        let scrape = try rig.client.request("GET", "/metrics").body

        var exported = Set<String>()
        for line in scrape.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if line.hasPrefix("# TYPE "), parts.count >= 4 {
                let name = String(parts[2])
                exported.insert(name)
                if parts[3] == "histogram" { for s in ["_bucket", "_sum", "_count"] { exported.insert(name + s) } }
            } else if !line.hasPrefix("#"), let name = parts.first?.split(separator: "{").first {
                exported.insert(String(name))
            }
        }
        let clusterSource = try String(contentsOfFile: Self.clusterOnlySource, encoding: .utf8)
        let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let used: [(String, Set<String>)] = [("rules", Self.metricNames(in: rules)),
                                             ("dashboard", Self.metricNames(in: try Self.dashboardExpressions().joined(separator: "\n")))]
        for (what, names) in used {
            #expect(names.count >= 10, "\(what) names only \(names.sorted())")
            for n in names.sorted() where !exported.contains(n) {
                let clusterOnly = n.hasPrefix("oracled_cluster_") && clusterSource.contains("\"\(n)\"")
                #expect(clusterOnly, "\(what) use \(n), which the daemon does not export")
            }
        }

        // The watchdog alert's inputs behave as it assumes: WatchdogSec is published, and the age of the
        // last cycle stays small while the loop runs and grows while it is stalled.
        func gauge(_ name: String) throws -> Double? {
            let text = try rig.client.request("GET", "/metrics").body
            return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        #expect(try gauge("oracled_watchdog_timeout_seconds") == 2)
        #expect(try gauge("oracled_last_cycle_age_seconds").map { $0 < 1 } == true, "a running loop's last cycle is old")
        _ = FileManager.default.createFile(atPath: stall, contents: nil)
        #expect(await eventually(timeout: 10) { try gauge("oracled_last_cycle_age_seconds").map { $0 > 1.0 } == true },
                "oracled_last_cycle_age_seconds did not grow past half the watchdog while the loop was stalled")
        try FileManager.default.removeItem(atPath: stall)
        #expect(await eventually(timeout: 5) { try gauge("oracled_last_cycle_age_seconds").map { $0 < 1 } == true }, "the age did not fall after the stall")
    }
}

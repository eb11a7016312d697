import Foundation
import Testing

/// `oracled run --record`, `oracled record` and `oracled replay` as an operator runs them: a tape
/// recorded from the fake venue while one venue crashes, one goes stale and one freezes and BTC
/// then falls; the replay must show the marks the daemon served, the verdicts, and the margin
/// call (recomputed here from the notice's own mark), identically on every run.
@Suite(.serialized) struct ReplayEndToEndTests {
    static let venues: [(name: String, btc: String)] = [
        ("coinbase", "BTC-USD"), ("kraken", "XBTUSD"), ("bitstamp", "btcusd"), ("gemini", "btcusd"), ("bitfinex", "tBTCUSD"),
    ]
    /// One long BTC position on USD collateral: at 67 000 the ratio is 38 800 / 6 700 ≈ 5.8; at
    /// 50 250 it is (38 800 − 33 500) / 5 025 ≈ 1.05, between urgent (1.00) and call (1.10).
    static let accounts = """
    {"id": "acct-call", "collateral": [{"asset": "USD", "amount": "38800"}], "positions": [{"pair": "BTC-USD", "quantity": "2", "entry_price": "67000"}]}
    {"id": "acct-fine", "collateral": [{"asset": "USD", "amount": "200000"}], "positions": [{"pair": "BTC-USD", "quantity": "1", "entry_price": "67000"}]}

    """

    static func config(dir: String, venueURL: String) -> String {
        var s = """
        [daemon]
        socket = "\(dir)/oracled.sock"
        state_dir = "\(dir)/lib"
        spool_dir = "\(dir)/spool"
        poll_interval = "200ms"

        [aggregation]
        min_sources = 3
        max_age = "30s"
        frozen_cycles = 5

        """
        for v in venues {
            s += """
            [[source]]
            name = "\(v.name)"
            kind = "\(v.name)"
            base_url = "\(venueURL)/\(v.name)"
            rate_limit = 50.0
            burst = 20
            timeout = "1s"
            connect_timeout = "500ms"
            backoff_base = "100ms"
            backoff_max = "500ms"

            """
        }
        s += "[[pair]]\nsymbol = \"BTC-USD\"\nmaintenance_margin = 0.05\ninitial_margin = 0.10\nsources = [\n"
        for v in venues { s += "  { source = \"\(v.name)\", symbol = \"\(v.btc)\" },\n" }
        s += """
        ]

        [margin]
        currency = "USD"
        price_side = "mid"
        min_trigger_sources = 2
        mass_call_share = 1.0

        """
        return s
    }

    static func lines(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static func verdicts(_ mark: [String: Any]) -> [String: String] {
        var out: [String: String] = [:]
        for s in mark["sources"] as? [[String: Any]] ?? [] { out[s["source"] as? String ?? ""] = s["verdict"] as? String }
        return out
    }

    static func fileSize(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }

    @Test func recordWhileRunningThenReplayDeterministically() async throws {
        let dir = makeTempDir("replay")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        let configPath = dir + "/oracles.toml"
        try Self.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        try Self.accounts.write(toFile: dir + "/accounts.ndjson", atomically: true, encoding: .utf8)
        let tape = dir + "/run.tape"
        let daemon = try ChildProcess(Binaries.path("oracled"), ["run", "--config", configPath, "--record", tape], logPath: dir + "/oracled.log")
        let client = UnixHTTPClient(path: dir + "/oracled.sock")
        func btc() throws -> [String: Any] { try client.request("GET", "/v1/prices/BTC-USD").json ?? [:] }
        #expect(await eventually(timeout: 15) { try btc()["status"] as? String == "ok" }, "daemon never served an ok mark: \(daemon.log)")

        // The tape grows while the daemon runs (flushed every cycle), not only at exit.
        let sizeA = Self.fileSize(tape)
        #expect(await eventually(timeout: 5) { Self.fileSize(tape) > sizeA + 200 }, "the tape did not grow while the daemon ran")

        // Gemini flash-crashes: the daemon serves a mark naming it an outlier; keep that mark.
        try venue.setFault("gemini", "crash")
        var served: [String: Any] = [:]
        #expect(await eventually(timeout: 5) {
            served = try btc()
            return Self.verdicts(served)["gemini"] == "outlier"
        })
        try venue.setFault("gemini", "ok")
        try venue.setFault("coinbase", "stale")
        #expect(await eventually(timeout: 5) { Self.verdicts(try btc())["coinbase"] == "stale" })
        try venue.setFault("coinbase", "ok")
        try venue.setFault("bitstamp", "frozen")
        #expect(await eventually(timeout: 8) { Self.verdicts(try btc())["bitstamp"] == "frozen" })
        try venue.setFault("bitstamp", "ok")
        try venue.setPrice("BTC-USD", 50_250)
        #expect(await eventually(timeout: 5) { (Double(try btc()["price"] as? String ?? "") ?? 0) < 51_000 })
        try await Task.sleep(for: .milliseconds(600))
        daemon.kill(SIGTERM)
        #expect(await daemon.wait(timeout: 15), "daemon did not stop: \(daemon.log)")
        #expect(daemon.process.terminationStatus == 0, "\(daemon.log)")

        // Replay twice: byte-identical outputs.
        let oracled = Binaries.path("oracled")
        var outputs: [[Data]] = []
        for run in 1...2 {
            let r = await runCommand(oracled, ["replay", tape, "--config", configPath, "--accounts", dir + "/accounts.ndjson", "--out", dir + "/out\(run)"], timeout: 60)
            #expect(r.status == 0, "\(r.output)")
            outputs.append(try ["marks.jsonl", "notices.jsonl", "vol.jsonl", "summary.json", "report.html"].map {
                try Data(contentsOf: URL(fileURLWithPath: dir + "/out\(run)/" + $0))
            })
        }
        #expect(outputs[0] == outputs[1], "two replays of one tape differ")

        // The mark the daemon served is in marks.jsonl under its seq, with the same price and verdicts.
        let marks = Self.lines(dir + "/out1/marks.jsonl")
        let seq = served["seq"] as? Int ?? -1
        let replayed = marks.first { $0["pair"] as? String == "BTC-USD" && $0["seq"] as? Int == seq }
        #expect(replayed != nil, "seq \(seq) not in the replay (\(marks.count) marks)")
        if let replayed {
            for key in ["price", "confidence", "status", "sources_used", "sources_total", "updated_at"] {
                #expect("\(replayed[key] ?? "nil")" == "\(served[key] ?? "nil")", "\(key) differs")
            }
            #expect(Self.verdicts(replayed) == Self.verdicts(served))
        }
        for (source, verdict) in [("gemini", "outlier"), ("coinbase", "stale"), ("bitstamp", "frozen")] {
            #expect(marks.contains { Self.verdicts($0)[source] == verdict }, "no \(verdict) \(source) in marks.jsonl")
        }

        // The margin call: acct-call only, its ratio recomputed from the mark price the notice used.
        let notices = Self.lines(dir + "/out1/notices.jsonl")
        let calls = notices.filter { $0["level"] as? String == "margin_call" }
        #expect(calls.count == 1, "\(notices)")
        if let call = calls.first {
            #expect(call["account"] as? String == "acct-call")
            #expect((call["id"] as? String)?.hasPrefix("acct-call-margin_call-") == true)
            let price = Double((((call["marks"] as? [String: Any])?["BTC-USD"] as? [String: Any])?["price"] as? String) ?? "") ?? .nan
            let expected = (38_800 + 2 * (price - 67_000)) / (0.05 * 2 * price)
            let ratio = Double(call["ratio"] as? String ?? "") ?? .nan
            #expect(abs(ratio - expected) < 1e-6, "ratio \(ratio), recomputed \(expected) at \(price)")
            #expect(expected < 1.10 && expected >= 1.00)
        }
        #expect(!notices.contains { $0["account"] as? String == "acct-fine" })
        let html = String(decoding: outputs[0][4], as: UTF8.self)
        #expect(html.contains("<svg") && !html.contains("http://") && !html.contains("https://") && !html.contains("<script"))

        // A torn last record (a crash mid-append) is reported and ignored, not an error.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: tape))
        bytes.removeLast(5)
        try bytes.write(to: URL(fileURLWithPath: dir + "/torn.tape"))
        let torn = await runCommand(oracled, ["replay", dir + "/torn.tape", "--config", configPath, "--out", dir + "/torn"])
        #expect(torn.status == 0, "\(torn.output)")
        #expect(torn.output.contains("torn last record ignored"), "\(torn.output)")
    }

    @Test func recordCommandWritesATapeUntilSIGINT() async throws {
        let dir = makeTempDir("record")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let venue = try await FakeVenue(dir: dir)
        let configPath = dir + "/oracles.toml"
        try Self.config(dir: dir, venueURL: venue.baseURL).write(toFile: configPath, atomically: true, encoding: .utf8)
        let tape = dir + "/rec.tape"
        let rec = try ChildProcess(Binaries.path("oracled"), ["record", "--config", configPath, "--out", tape], logPath: dir + "/record.log")
        try venue.setFault("kraken", "hang")
        // Kraken's requests hang past their 1 s timeout: give the loop time for a few to time out.
        let faultAt = Date()
        #expect(await eventually(timeout: 10) { Self.fileSize(tape) > 4_000 && Date().timeIntervalSince(faultAt) > 3 }, "\(rec.log)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/oracled.sock"), "record must not open the API socket")
        rec.kill(SIGINT)
        #expect(await rec.wait(timeout: 15), "record did not stop on SIGINT: \(rec.log)")
        #expect(rec.process.terminationStatus == 0, "\(rec.log)")
        let r = await runCommand(Binaries.path("oracled"), ["replay", tape, "--config", configPath, "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.output)")
        let marks = Self.lines(dir + "/out/marks.jsonl")
        #expect(marks.contains { $0["status"] as? String == "ok" })
        // Kraken hung past its 1 s timeout: the timeouts are on the tape and in the summary.
        let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/summary.json")))) as? [String: Any]
        let kraken = (summary?["sources"] as? [String: Any])?["kraken"] as? [String: Any]
        #expect(((kraken?["transport_errors"] as? [String: Int])?["timeout"] ?? 0) > 0, "\(String(describing: summary))")
        #expect(Self.lines(dir + "/out/notices.jsonl").isEmpty)
    }

    @Test func badTapesFailWithFileAndOffset() async throws {
        let dir = makeTempDir("badtape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configPath = dir + "/oracles.toml"
        try Self.config(dir: dir, venueURL: "http://127.0.0.1:9").write(toFile: configPath, atomically: true, encoding: .utf8)
        // A valid tape of two cycle records, to damage.
        func frame(_ payload: [UInt8]) -> [UInt8] {
            var crc: UInt32 = 0xFFFF_FFFF
            for b in payload {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            crc ^= 0xFFFF_FFFF
            let n = UInt32(payload.count)
            return [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
                + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)] + payload
        }
        let cycle: [UInt8] = [2] + [UInt8](repeating: 1, count: 16)
        let good = Array("ORCLTAPE".utf8) + [1, 0, 0, 0] + frame(cycle) + frame(cycle)
        var midCorrupt = good
        midCorrupt[12 + 8 + 3] ^= 0xFF // first record's payload: checksum fails, a record follows
        let cases: [(name: String, bytes: [UInt8], says: String)] = [
            ("garbage", Array("{\"this is\": \"json, not a tape\"}".utf8), "offset 0: not an oracled tape"),
            ("magic", Array("ORCLTAPX".utf8) + [1, 0, 0, 0], "offset 0: not an oracled tape"),
            ("truncated", Array("ORCLTAP".utf8), "offset 7: truncated"),
            ("version", Array("ORCLTAPE".utf8) + [9, 0, 0, 0], "offset 8: tape version 9"),
            ("corrupt", midCorrupt, "offset 12: record fails its checksum"),
        ]
        for c in cases {
            let path = dir + "/\(c.name).tape"
            try Data(c.bytes).write(to: URL(fileURLWithPath: path))
            let r = await runCommand(Binaries.path("oracled"), ["replay", path, "--config", configPath, "--out", dir + "/out-\(c.name)"])
            #expect(r.status == 1, "\(c.name): \(r.output)")
            #expect(r.output.contains("\(path): \(c.says)"), "\(c.name): \(r.output)")
            #expect(!r.output.contains("Fatal error"), "\(c.name): \(r.output)")
        }
        let missing = await runCommand(Binaries.path("oracled"), ["replay", dir + "/nope.tape", "--config", configPath, "--out", dir + "/o"])
        #expect(missing.status == 1 && missing.output.contains("nope.tape: offset 0: cannot open"), "\(missing.output)")
        // The good one replays: two cycles, no sources answered.
        try Data(good).write(to: URL(fileURLWithPath: dir + "/good.tape"))
        let ok = await runCommand(Binaries.path("oracled"), ["replay", dir + "/good.tape", "--config", configPath, "--out", dir + "/out-good"])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(Self.lines(dir + "/out-good/marks.jsonl").count == 2)
    }

    /// The tape shipped in demo/ (README, `make replay-demo`) still replays to what the README says:
    /// Gemini an outlier, Coinbase stale, Kraken frozen, and margin calls for the sample book.
    @Test func shippedDemoTapeReplays() async throws {
        let dir = makeTempDir("demotape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = Binaries.repoRoot.path
        let r = await runCommand(Binaries.path("oracled"), ["replay", root + "/demo/misbehaving.tape", "--config", root + "/demo/replay.toml",
                                                            "--accounts", root + "/demo/accounts.ndjson", "--out", dir], timeout: 60)
        #expect(r.status == 0, "\(r.output)")
        let marks = Self.lines(dir + "/marks.jsonl")
        for (source, verdict) in [("gemini", "outlier"), ("coinbase", "stale"), ("kraken", "frozen")] {
            #expect(marks.contains { $0["pair"] as? String == "BTC-USD" && Self.verdicts($0)[source] == verdict }, "no \(verdict) \(source)")
        }
        let notices = Self.lines(dir + "/notices.jsonl")
        #expect(notices.contains { $0["account"] as? String == "acct-call" && $0["level"] as? String == "margin_call" }, "\(notices)")
        #expect(Self.fileSize(root + "/demo/misbehaving.tape") < 100_000)
    }
}

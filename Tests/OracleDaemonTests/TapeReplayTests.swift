import OracleConfig
import OracleCore
import OracleTape
import Testing
@testable import OracleDaemon

/// The replay engine on a tape built in memory: three Coinbase-format venues, one flash-crashing,
/// one timing out, then a fall that puts an account into call. Checked against figures computed here.
@Suite struct TapeReplayTests {
    static let toml = """
    [daemon]
    socket = "/tmp/unused.sock"
    state_dir = "/tmp/unused"
    spool_dir = "/tmp/unused/spool"
    poll_interval = "1s"

    [aggregation]
    min_sources = 2
    max_age = "30s"
    frozen_cycles = 1000

    [[source]]
    name = "a"
    kind = "coinbase"
    base_url = "http://127.0.0.1:9/a"

    [[source]]
    name = "b"
    kind = "coinbase"
    base_url = "http://127.0.0.1:9/b"

    [[source]]
    name = "c"
    kind = "coinbase"
    base_url = "http://127.0.0.1:9/c"

    [[pair]]
    symbol = "BTC-USD"
    maintenance_margin = 0.05
    initial_margin = 0.10
    sources = [{ source = "a", symbol = "BTC-USD" }, { source = "b", symbol = "BTC-USD" }, { source = "c", symbol = "BTC-USD" }]

    [margin]
    currency = "USD"
    price_side = "mid"
    min_trigger_sources = 2
    mass_call_share = 1.0

    """
    static let t0: Int64 = 1_765_000_000_000

    static func body(_ price: Double, atMs: Int64) -> [UInt8] {
        let p = DecimalText.format(price, maxFractionDigits: 2)
        return Array(#"{"ask":"\#(p)","bid":"\#(p)","volume":"1000.0","trade_id":1,"price":"\#(p)","size":"0.01","time":"\#(RFC3339.format(ms: atMs))"}"#.utf8)
    }

    /// Cycle i at t0 + i s: every venue answers `price(i, venue)`; b times out at cycle 5.
    static func tape(cycles: Int, price: (Int, String) -> Double) -> [TapeRecord] {
        var out: [TapeRecord] = []
        for i in 0..<cycles {
            let at = t0 + Int64(i) * 1000
            for (k, v) in ["a", "b", "c"].enumerated() {
                let rt = at - 300 + Int64(k)
                if v == "b" && i == 5 {
                    out.append(.response(TapeResponse(wallMs: rt, monoMs: rt - t0, source: v, batch: false, targets: [.init(pair: "BTC-USD", symbol: "BTC-USD")],
                                                      status: 0, transportError: "timeout", transportMessage: "fetch failed (timeout): 127.0.0.1")))
                    continue
                }
                out.append(.response(TapeResponse(wallMs: rt, monoMs: rt - t0, source: v, batch: false, targets: [.init(pair: "BTC-USD", symbol: "BTC-USD")],
                                                  status: 200, latencyUs: 900, headers: [("Content-Type", "application/json")], body: body(price(i, v), atMs: rt))))
            }
            out.append(.cycle(TapeCycle(wallMs: at, monoMs: at - t0)))
        }
        return out
    }

    static func price(_ i: Int, _ v: String) -> Double {
        let base = i >= 8 ? 50_250.0 : 67_000.0
        if v == "c" && i == 3 { return base * 0.2 } // flash crash
        return base + (v == "a" ? -10 : v == "b" ? 10 : 0)
    }

    static let account = #"{"id": "acct-1", "collateral": [{"asset": "USD", "amount": "38800"}], "positions": [{"pair": "BTC-USD", "quantity": "2", "entry_price": "67000"}]}"#

    static func run() throws -> (cycles: [TapeReplay.Cycle], lines: [String]) {
        let config = try ConfigLoader.parse(toml, file: "test.toml")
        let acct = try AccountJSON.decode(Self.account, universe: MarginRuntime.universe(config))
        var replay = try TapeReplay(config: config, accounts: [acct])
        var cycles: [TapeReplay.Cycle] = []
        var lines: [String] = []
        // Through the encoder and decoder, as a file would go.
        var bytes = TapeFormat.header
        for r in tape(cycles: 12, price: price) { TapeEncoder.append(r, to: &bytes) }
        for r in try TapeDecoder.decode(bytes).records {
            if let c = replay.feed(r) {
                cycles.append(c)
                lines += c.marks.map { ReplayRunner.markLine($0, atMs: c.atMs) } + c.notices.map { $0.jsonLine() }
            }
        }
        return (cycles, lines)
    }

    @Test func marksVerdictsAndTheCall() throws {
        let (cycles, _) = try Self.run()
        #expect(cycles.count == 12)
        func verdicts(_ i: Int) -> [String: SourceReport.Verdict] {
            Dictionary(uniqueKeysWithValues: cycles[i].marks[0].sources.map { ($0.source, $0.verdict) })
        }
        // Calm: the median of 66 990, 67 010, 67 000.
        #expect(cycles[1].marks[0].price == 67_000)
        #expect(cycles[1].marks[0].status == .ok)
        #expect(verdicts(1) == ["a": .used, "b": .used, "c": .used])
        // The crash: c is an outlier and the mark stays between a and b.
        #expect(verdicts(3)["c"] == .outlier)
        let p3 = try #require(cycles[3].marks[0].price)
        #expect(p3 >= 66_990 && p3 <= 67_010)
        // The timeout: b's request failed at cycle 5; its error is the recorded transport error.
        let b5 = cycles[5].marks[0].sources.first { $0.source == "b" }
        #expect(b5?.verdict == .error && b5?.reason.contains("timeout") == true, "\(String(describing: b5))")
        #expect(cycles[5].marks[0].price == 66_995) // the median of a and c alone
        // The fall to 50 250: one margin call at cycle 8, its time the cycle's, its ratio recomputed.
        let notices = cycles.flatMap(\.notices)
        #expect(notices.count == 1)
        let call = try #require(notices.first)
        #expect(call.level == .marginCall && call.account == "acct-1" && call.id == "acct-1-margin_call-1")
        #expect(call.createdAtMs == Self.t0 + 8_000)
        let p = 50_250.0 // (38 800 − 33 500) / 5 025 ≈ 1.055: below call (1.10), above urgent (1.00)
        #expect(call.marks.first?.price == p)
        #expect(abs(call.ratio - (38_800 + 2 * (p - 67_000)) / (0.05 * 2 * p)) < 1e-9)
    }

    /// The same tape twice gives the same bytes (ids, times and order come from the tape alone).
    @Test func deterministic() throws {
        #expect(try Self.run().lines == Self.run().lines)
    }

    /// A response from a source the configuration lacks is counted and ignored, not a crash.
    @Test func unknownSourceIsSkipped() throws {
        let config = try ConfigLoader.parse(Self.toml, file: "test.toml")
        var replay = try TapeReplay(config: config, accounts: nil)
        _ = replay.feed(.response(TapeResponse(wallMs: Self.t0, monoMs: 0, source: "zz", batch: false,
                                               targets: [.init(pair: "BTC-USD", symbol: "X")], status: 200, body: [1, 2])))
        let c = replay.feed(.cycle(TapeCycle(wallMs: Self.t0 + 1, monoMs: 1)))
        #expect(replay.stats.skippedResponses == 1)
        #expect(c?.marks.first?.status == .unavailable)
    }

    /// A `[[vol]]` source's response (a whole option chain) is counted as vol, not skipped, and leaves
    /// the marks alone; an empty chain makes an unavailable surface, never an error. (It was only
    /// counted before surfaces were replayed; VolReplayTests has the surfaces themselves.)
    @Test func volResponsesAreCountedAndLeaveTheMarksAlone() throws {
        let vol = Self.toml + """

        [[vol]]
        underlying = "BTC"
        sources = [{ name = "deribit-opt", kind = "deribit_options", base_url = "http://127.0.0.1:9/deribit" }]
        """
        let chain = TapeResponse(wallMs: Self.t0, monoMs: 0, source: "deribit-opt", batch: true,
                                 targets: [.init(pair: "BTC", symbol: "BTC")], status: 200, body: Array(#"{"result":[]}"#.utf8))
        var withVol = try TapeReplay(config: try ConfigLoader.parse(vol, file: "vol.toml"), accounts: nil)
        _ = withVol.feed(.response(chain))
        let c = withVol.feed(.cycle(TapeCycle(wallMs: Self.t0 + 1, monoMs: 1)))
        #expect(withVol.stats.volResponses == 1 && withVol.stats.skippedResponses == 0)
        #expect(withVol.stats.sources["deribit-opt"]?.responses == 1)
        #expect(c?.marks.map(\.pair) == ["BTC-USD"])
        #expect(c?.vol.map(\.status) == [.unavailable])
        var without = try TapeReplay(config: try ConfigLoader.parse(Self.toml, file: "test.toml"), accounts: nil)
        _ = without.feed(.response(chain))
        _ = without.feed(.cycle(TapeCycle(wallMs: Self.t0 + 1, monoMs: 1)))
        #expect(without.stats.volResponses == 0 && without.stats.skippedResponses == 1)
    }
}

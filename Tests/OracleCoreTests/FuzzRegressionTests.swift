import Foundation
import Testing
@testable import OracleCore

/// The libFuzzer inputs of FuzzTesting/ replayed in the normal test suite.
///
/// Every seed in FuzzTesting/corpus/<target>/ and every fixed finding in
/// FuzzTesting/regressions/<target>/ goes through the same entry point and the same input layout
/// as the fuzz target (see FuzzTesting/Sources/FuzzSupport), so a finding, once fixed, stays fixed
/// without a sanitizer build: a trap here fails the run, a wrong round trip fails the expectation.
@Suite struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // OracleCoreTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repository root
        .appendingPathComponent("FuzzTesting")

    /// All inputs of one target: seeds and regressions.
    static func inputs(_ target: String) -> [(name: String, bytes: [UInt8])] {
        ["corpus", "regressions"].flatMap { folder -> [(name: String, bytes: [UInt8])] in
            let dir = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.sorted().compactMap { name in
                (try? Data(contentsOf: dir.appendingPathComponent(name))).map { ("\(folder)/\(target)/\(name)", Array($0)) }
            }
        }
    }

    /// `FuzzInput`: the first `count` lines as text, then the rest as bytes.
    static func split(_ bytes: [UInt8], lines count: Int) -> (lines: [String], rest: [UInt8]) {
        var lines: [String] = []
        var start = 0
        var i = 0
        while lines.count < count && i <= bytes.count {
            if i == bytes.count || bytes[i] == UInt8(ascii: "\n") {
                lines.append(String(decoding: bytes[start..<i], as: UTF8.self))
                start = min(i + 1, bytes.count)
            }
            i += 1
        }
        while lines.count < count { lines.append("") }
        return (lines, Array(bytes[start...]))
    }

    /// `VenueFuzz.run`: `status\nsymbol\nretry-after\n` + body, rendered like `oracled probe --json`.
    static func replayVenue(_ kind: VenueKind, _ bytes: [UInt8], generic: GenericAdapterSpec? = nil) -> String {
        let (lines, body) = split(bytes, lines: 3)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if !lines[2].isEmpty { headers.append(("Retry-After", lines[2])) }
        let response = VenueResponse(status: Int(lines[0].prefix(4)) ?? 200, headers: headers, body: body,
                                     receivedAtMs: 1_700_000_000_000)
        do throws(VenueError) {
            return VenueAdapters.probeJSON(.success(try VenueAdapters.parse(kind, symbol: lines[1], response: response, generic: generic)))
        } catch {
            return VenueAdapters.probeJSON(.failure(error))
        }
    }

    static let venueKinds = VenueKind.allCases.filter { $0 != .generic }

    @Test(arguments: venueKinds)
    func venueCorpusReplays(_ kind: VenueKind) throws {
        let inputs = Self.inputs(kind.rawValue)
        try #require(!inputs.isEmpty, "no seeds under FuzzTesting/corpus/\(kind.rawValue); run FuzzTesting/make-seeds.py")
        var parsed = 0
        for input in inputs {
            let json = Self.replayVenue(kind, input.bytes)
            #expect(json.hasPrefix("{"), "\(input.name)")
            if !json.contains("\"error\"") { parsed += 1 }
        }
        // The seeds include the recorded good bodies: the layout must still reach a real quote.
        #expect(parsed >= 1, "no seed of \(kind) parsed to a quote; the seed layout no longer matches the harness")
    }

    @Test func genericCorpusReplays() throws {
        let inputs = Self.inputs("generic")
        try #require(!inputs.isEmpty)
        var parsed = 0
        for input in inputs {
            let (lines, rest) = Self.split(input.bytes, lines: 6)
            func path(_ i: Int) -> String? { lines[i].isEmpty ? nil : lines[i] }
            let spec = GenericAdapterSpec(urlTemplate: "/ticker?market={symbol}", pricePath: path(0), bidPath: path(1),
                                          askPath: path(2), timestampPath: path(3),
                                          timestampUnit: .init(rawValue: lines[4]) ?? .ms, errorPath: path(5))
            let json = Self.replayVenue(.generic, rest, generic: spec)
            if !json.contains("\"error\"") { parsed += 1 }
        }
        #expect(parsed >= 1)
    }

    /// The universe of `AccountImportFuzz`: demo/oracles.demo.toml's collateral and pairs.
    static let universe = MarginUniverse(
        policy: MarginPolicy(),
        collateral: [CollateralSpec(asset: "USD", pair: nil, haircut: 0),
                     CollateralSpec(asset: "USDC", pair: "USDC-USD", haircut: 0.02),
                     CollateralSpec(asset: "USDT", pair: "USDT-USD", haircut: 0.05),
                     CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.10),
                     CollateralSpec(asset: "ETH", pair: "ETH-USD", haircut: 0.15),
                     CollateralSpec(asset: "SOL", pair: "SOL-USD", haircut: 0.25)],
        pairs: ["USDT-USD", "USDC-USD", "BTC-USD", "ETH-USD", "SOL-USD"].map {
            PairSpec(symbol: $0, sources: [], policy: AggregationPolicy())
        })

    /// Each NDJSON line that decodes must survive encode → decode unchanged (what the store does).
    @Test func accountImportCorpusRoundTrips() throws {
        let inputs = Self.inputs("accounts")
        try #require(!inputs.isEmpty)
        var decoded = 0
        for input in inputs {
            for line in input.bytes.split(separator: UInt8(ascii: "\n")) {
                guard let account = try? AccountJSON.decode(Data(line), universe: Self.universe, ignoring: ["equity", "level"]) else { continue }
                let text = AccountJSON.encode(account)
                let again = try? AccountJSON.decode(text, universe: Self.universe)
                #expect(again == account, "\(input.name): \(text)")
                decoded += 1
            }
        }
        #expect(decoded >= 5)
    }
}

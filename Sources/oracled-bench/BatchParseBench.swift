import Foundation
import OracleCore

/// Batch parse benchmark: for each batch venue, one whole answer carrying every configured symbol
/// (2,000 synthetic pairs, saved from the fake venue by `scripts/footprint-bench.py --bodies-out DIR`
/// as `DIR/<kind>.body` with the venue spellings in `DIR/<kind>.symbols`) parsed with
/// `VenueAdapters.parseBatch`: µs per body (`batch_parse_us_<venue>`).
///
/// Baseline in the same run (`single_parse_x_us_<venue>`): the single-ticker parse of the venue's
/// recorded BTC body (`parse_ns_<venue>`'s case) times the number of symbols — what one request per
/// symbol would cost in parsing alone. Every symbol must come back as a quote; the number that do
/// not is `batch_parse_errors_<venue>` (a figure of a failing parse would be meaningless).
///
/// `batch_parse_us_<venue>` parses with a `BatchParsePlan` built once, as the daemon does;
/// `batch_parse_unplanned_us_<venue>` is the one-shot `parseBatch(kind, symbols:…)`, which builds
/// the plan inside every call.
func runBatchParseBench(directory: String) -> [(name: String, value: Double, unit: String)] {
    var results: [(name: String, value: Double, unit: String)] = []
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    let kinds = files.filter { $0.hasSuffix(".body") }.map { String($0.dropLast(5)) }.sorted()
    if kinds.isEmpty { print("  no <kind>.body files in \(directory)") }
    for name in kinds {
        guard let kind = VenueKind(rawValue: name),
              let body = FileManager.default.contents(atPath: "\(directory)/\(name).body"),
              let symbolText = try? String(contentsOfFile: "\(directory)/\(name).symbols", encoding: .utf8) else {
            print("  \(name): unknown venue or missing .symbols file; skipped")
            continue
        }
        let symbols = symbolText.split(separator: "\n").map(String.init)
        let response = VenueResponse(status: 200, headers: [], body: Array(body), receivedAtMs: WallClockNow.ms())
        let first = VenueAdapters.parseBatch(kind, symbols: symbols, response: response)
        let failures = symbols.filter { if case .success = first[$0] { false } else { true } }
        if !failures.isEmpty {
            let example = failures.first.flatMap { s in first[s].map { "\(s): \($0)" } } ?? ""
            print("  \(name): \(failures.count) of \(symbols.count) symbols did not parse, e.g. \(example)")
            results.append((name: "batch_parse_errors_\(name)", value: Double(failures.count), unit: "count"))
        }
        let iterations = max(7, min(700, 2_000_000 / max(1, body.count) * 7))
        // As the daemon parses: the symbols' plan is built once per configuration and kept.
        let plan = BatchParsePlan(kind: kind, symbols: symbols)
        let us = measureNs(iterations: iterations) {
            parseBenchBlackHole(VenueAdapters.parseBatchAnswer(plan, response: response))
        } / 1_000
        results.append((name: "batch_parse_us_\(name)", value: us, unit: "µs"))
        // One-shot callers (`parseBatch(kind, symbols:…)`) build the plan on every call.
        let oneShot = measureNs(iterations: iterations) {
            parseBenchBlackHole(VenueAdapters.parseBatch(kind, symbols: symbols, response: response))
        } / 1_000
        results.append((name: "batch_parse_unplanned_us_\(name)", value: oneShot, unit: "µs"))
        print("  \(name): \(symbols.count) symbols, \(body.count / 1024) KiB body")
        if let single = parseBenchCases.first(where: { $0.kind == kind }) {
            let one = VenueResponse(status: 200, headers: [], body: Array(single.body.utf8), receivedAtMs: 1_700_000_000_000)
            let ns = measureNs(iterations: 70_000) {
                do throws(VenueError) {
                    parseBenchBlackHole(try VenueAdapters.parse(kind, symbol: single.symbol, response: one))
                } catch {
                    parseBenchBlackHole(error)
                }
            }
            results.append((name: "single_parse_x\(symbols.count)_us_\(name)", value: ns * Double(symbols.count) / 1_000, unit: "µs"))
        }
    }
    return results
}

/// The receive time stamped on the bodies: now, so the synthetic quotes' venue times are fresh.
enum WallClockNow {
    static func ms() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

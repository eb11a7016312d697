import Foundation
import OracleCore
import OracleStore

/// Account import rate (issue 4): `count` NDJSON lines — accounts with 4 collateral balances and 8
/// positions on distinct pairs out of 12, like the sweep's book — are read from a file, decoded and validated
/// with `AccountJSON.decode`, re-encoded canonically, and stored with `OracleDatabase.putAccounts`
/// in batches of 5 000 (one transaction each) in a fresh on-disk database under `directory`.
///
/// Figures: `import_accounts_per_s` (the whole path, file read to last commit) and its two halves
/// `import_decode_accounts_per_s` and `import_store_accounts_per_s`.
func runImportBench(directory: String, count: Int, batch: Int = 5_000) -> [(name: String, value: Double, unit: String)] {
    let root = directory + "/import-bench"
    removeTree(root)
    try? FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
    let pairs = ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "DOGE-USD", "ADA-USD", "AVAX-USD",
                 "LINK-USD", "DOT-USD", "LTC-USD", "BCH-USD", "TRX-USD"]
    let prices = [65_000.0, 3_200, 150, 0.6, 0.15, 0.45, 35, 14, 7, 90, 450, 0.2]
    let universe = MarginUniverse(
        policy: MarginPolicy(),
        collateral: [CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.10),
                     CollateralSpec(asset: "ETH", pair: "ETH-USD", haircut: 0.15),
                     CollateralSpec(asset: "SOL", pair: "SOL-USD", haircut: 0.25)],
        pairs: pairs.map { PairSpec(symbol: $0, sources: [], policy: AggregationPolicy(), maintenanceMargin: 0.05, initialMargin: 0.10) })

    // The input file (not timed).
    var rng = SweepBenchRNG(seed: 0x1a2b)
    func dec(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    var text = ""
    text.reserveCapacity(count * 700)
    for a in 0..<count {
        var line = "{\"id\":\"acct-\(a)\",\"collateral\":["
        let col = [("USD", 10_000 * rng.next(), 2), ("BTC", rng.next(), 8), ("ETH", 10 * rng.next(), 8), ("SOL", 100 * rng.next(), 6)]
        line += col.map { "{\"asset\":\"\($0.0)\",\"amount\":\"\(dec($0.1, $0.2))\"}" }.joined(separator: ",")
        line += "],\"positions\":["
        var held = Array(pairs.indices)
        line += (0..<8).map { i in
            held.swapAt(i, i + Int(rng.nextInt(UInt64(pairs.count - i))))
            let p = held[i]
            let q = (rng.next() - 0.5) * 20_000 / prices[p]
            return "{\"pair\":\"\(pairs[p])\",\"quantity\":\"\(dec(q, 6))\",\"entry_price\":\"\(dec(prices[p] * (0.98 + 0.04 * rng.next()), 4))\"}"
        }.joined(separator: ",")
        text += line + "]}\n"
    }
    let path = root + "/accounts.ndjson"
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        print("  import bench skipped: cannot write \(path)")
        return []
    }
    text = ""

    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    var decodeTime = Duration.zero, storeTime = Duration.zero
    var imported = 0
    let start = clock.now
    do {
        let db = try OracleDatabase.open(directory: root + "/state")
        guard let data = FileManager.default.contents(atPath: path) else {
            print("  import bench skipped: cannot read \(path)")
            return []
        }
        var pending: [StoredAccount] = []
        pending.reserveCapacity(batch)
        var lineStart = data.startIndex, lineNumber = 0
        let nowMs = Int64(1_764_000_000_000)
        func flush() throws {
            let t = clock.now
            try db.putAccounts(pending)
            storeTime += clock.now - t
            imported += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        while lineStart < data.endIndex {
            let lineEnd = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            lineNumber += 1
            let t = clock.now
            let account = try AccountJSON.decode(data[lineStart..<lineEnd], universe: universe)
            pending.append(StoredAccount(id: account.id, json: AccountJSON.encode(account), updatedAtMs: nowMs))
            decodeTime += clock.now - t
            if pending.count == batch { try flush() }
            lineStart = lineEnd + 1
        }
        if !pending.isEmpty { try flush() }
    } catch {
        print("  import bench failed: \(error)")
        return []
    }
    let total = seconds(clock.now - start)
    print("  \(imported) accounts (4 collateral + 8 positions, ~\(count > 0 ? (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 }.map { $0 / count } ?? 0 : 0) bytes/line), " +
          "putAccounts batches of \(batch), on-disk WAL database")
    removeTree(root)
    return [
        ("import_accounts_per_s", Double(imported) / total, "accounts/s"),
        ("import_decode_accounts_per_s", Double(imported) / seconds(decodeTime), "accounts/s"),
        ("import_store_accounts_per_s", Double(imported) / seconds(storeTime), "accounts/s"),
    ]
}

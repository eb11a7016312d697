import CBench
import Foundation
import OracleCore

/// Margin sweep benchmarks (issue 4): a full standard-model sweep of `accounts` accounts × (8
/// positions on 8 distinct pairs out of 12 + 4 collateral assets — `AccountJSON` accepts one
/// position per pair) in Swift (`SweepBook.sweep`) against the plain C loop on the same arrays
/// (`cbench_sweep`). The incremental path per mark update is `IncrementalBench.swift`.
///
/// The synthetic book is shaped like a real one (printed with the figures): 96 % of accounts are
/// healthy (ratio log-uniform in 2–10), 2.5 % sit in 1.21–2 (around the warning thresholds) and a
/// thin tail of 1.5 % lies within ±10 % of call_ratio 1.10 (0.99–1.21). Each mark update moves one
/// pair chosen at random by 1–20 bp (log-uniform magnitude, random sign), confidence 2 bp.
///
/// Figures: `sweep_ms_1m`, `sweep_c_ms_1m` (median of 7 runs after a warm-up),
/// `sweep_c_disagreements_1m` (must be 0) and `sweep_below_call_1m`.
func runSweepBench(accounts n: Int) -> [(name: String, value: Double, unit: String)] {
    let suffix = n == 1_000_000 ? "1m" : "\(n)"
    var rng = SweepBenchRNG(seed: 0x5eed)
    let basePrices = [65_000.0, 3_200, 150, 0.6, 0.15, 0.45, 35, 14, 7, 90, 450, 0.2]
    let P = basePrices.count
    let mm = [0.05, 0.05, 0.08, 0.10, 0.10, 0.10, 0.08, 0.08, 0.10, 0.08, 0.08, 0.10]
    var book = SweepBook(pairs: ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "DOGE-USD", "ADA-USD", "AVAX-USD",
                                "LINK-USD", "DOT-USD", "LTC-USD", "BCH-USD", "TRX-USD"],
                         maintenance: mm, initial: mm.map { 2 * $0 },
                         assets: ["USD", "BTC", "ETH", "SOL"], assetPair: [-1, 0, 1, 2], assetHaircut: [0, 0.10, 0.15, 0.25])
    book.reserve(accounts: n, collateral: 4 * n, positions: 8 * n)
    var prices = SweepPrices(pairCount: P)
    for (p, px) in basePrices.enumerated() { prices.set(pair: p, price: px, confidence: px * 2e-4) }

    // Synthetic accounts: gross notional 10k–1M; ratio distribution as in the doc comment.
    var positions: [(pair: Int32, quantity: Double, entry: Double)] = []
    var collateral: [(asset: Int32, amount: Double)] = []
    let units0 = book.assetUnitValues(prices)
    for a in 0..<n {
        positions.removeAll(keepingCapacity: true)
        collateral.removeAll(keepingCapacity: true)
        let gross = 10_000 * pow(100, rng.next())
        var pnl = 0.0, maint = 0.0
        var held = Array(0..<P)
        for i in 0..<8 { // 8 distinct pairs (partial Fisher–Yates)
            held.swapAt(i, i + Int(rng.nextInt(UInt64(P - i))))
            let p = held[i]
            let px = basePrices[p]
            let q = (rng.next() < 0.5 ? -1.0 : 1.0) * gross / 8 * (0.5 + rng.next()) / px
            let entry = px * (1 + 0.04 * (rng.next() - 0.5))
            positions.append((Int32(p), q, entry))
            pnl += q * ((q > 0 ? prices.low[p] : prices.high[p]) - entry)
            maint += abs(q) * px * book.pairMaintenance[p]
        }
        let bucket = rng.next(), u = rng.next()
        let ratio = bucket < 0.96 ? exp(log(2.0) + (log(10.0) - log(2.0)) * u)
            : bucket < 0.985 ? 1.21 + (2.0 - 1.21) * u
            : 0.99 + (1.21 - 0.99) * u
        let needed = max(0, ratio * maint - pnl)
        var shares = (0..<4).map { _ in rng.next() + 0.05 }
        let total = shares.reduce(0, +)
        shares = shares.map { $0 / total }
        for asset in 0..<4 { collateral.append((Int32(asset), needed * shares[asset] / units0[asset])) }
        book.appendRaw(id: "acct-\(a)", collateral: collateral, positions: positions)
    }

    var results: [(name: String, value: Double, unit: String)] = []
    let clock = ContinuousClock()
    func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    // Full sweep, Swift.
    var swiftBelow = 0
    var swiftTimes: [Double] = []
    for run in 0..<8 {
        let t = clock.measure { swiftBelow = book.sweep(prices, callRatio: 1.10) }
        if run > 0 { swiftTimes.append(ms(t)) }
    }
    // Full sweep, C, same arrays.
    var outE = [Double](repeating: 0, count: n), outM = outE, outI = outE
    var cBelow = 0
    var cTimes: [Double] = []
    let units = book.assetUnitValues(prices)
    let mmRates = book.pairMaintenance, imRates = book.pairInitial
    for run in 0..<8 {
        let t = clock.measure {
            cBelow = book.colStart.withUnsafeBufferPointer { cs in
                book.colAsset.withUnsafeBufferPointer { ca in
                book.colAmount.withUnsafeBufferPointer { cm in
                book.posStart.withUnsafeBufferPointer { ps in
                book.posPair.withUnsafeBufferPointer { pp in
                book.posQty.withUnsafeBufferPointer { pq in
                book.posEntry.withUnsafeBufferPointer { pe in
                outE.withUnsafeMutableBufferPointer { oe in
                outM.withUnsafeMutableBufferPointer { om in
                outI.withUnsafeMutableBufferPointer { oi in
                    Int(cbench_sweep(n, cs.baseAddress, ca.baseAddress, cm.baseAddress, ps.baseAddress, pp.baseAddress,
                                     pq.baseAddress, pe.baseAddress, units, prices.low, prices.high, prices.mid,
                                     mmRates, imRates, 1.10, oe.baseAddress, om.baseAddress, oi.baseAddress))
                }}}}}}}}}
            }
        }
        if run > 0 { cTimes.append(ms(t)) }
    }
    var disagree = 0
    for a in 0..<n {
        let de: Double = abs(outE[a] - book.equity[a]), dm: Double = abs(outM[a] - book.maintenance[a])
        if de > 1e-9 * max(1, abs(outE[a])) || dm > 1e-9 * max(1, outM[a]) { disagree += 1 }
    }
    results.append(("sweep_c_disagreements_\(suffix)", Double(disagree + abs(cBelow - swiftBelow)), "accounts"))
    results.append(("sweep_ms_\(suffix)", median(swiftTimes), "ms"))
    results.append(("sweep_c_ms_\(suffix)", median(cTimes), "ms"))
    results.append(("sweep_below_call_\(suffix)", Double(swiftBelow), "accounts"))

    return results
}

/// Deterministic PCG-style generator, so every run benchmarks the same book.
struct SweepBenchRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextBits() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var x = state
        x ^= x >> 33; x = x &* 0xff51afd7ed558ccd; x ^= x >> 33
        return x
    }
    /// Uniform in [0, 1).
    mutating func next() -> Double { Double(nextBits() >> 11) / Double(1 << 53) }
    mutating func nextInt(_ bound: UInt64) -> UInt64 { nextBits() % bound }
}

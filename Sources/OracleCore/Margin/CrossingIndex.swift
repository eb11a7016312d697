import Foundation

/// Finds, after one pair's mark moves, the few accounts that could have left their quiet band —
/// an index by the price at which each account could cross. An index by pair alone cannot do
/// this when every account holds most pairs (1M accounts × 8 positions over 5 pairs: every update
/// would re-evaluate ~all 1M accounts).
///
/// **Budgets.** When account `a` is (re-)inserted, right after being evaluated at the current
/// prices, it has slack to both edges of its `QuietBand` [L, H):
///
///     f_L = E − L·M            (escalation when < 0)
///     f_H = max(H·M, I?) − E   (de-escalation / cure when ≤ 0; I only when the band needs it)
///
/// For each pair p the account depends on, a move of p's mark by d changes them by at most a
/// known slope × d, in each direction separately: E has slope Q (net quantity on p) from the
/// positions plus [0, A] from collateral priced by p (A = Σ amount·(1 − haircut); 0 once the
/// conservative price floors at 0); M and I have slopes in [G·r_min, G·r_max] (G = Σ|q| on p, r
/// the lowest/highest marginal rate of p's tiers). So a rise harms f_L by ≤ (L·G·r_max − Q)⁺ per
/// unit and f_H by ≤ (Q + A − H·G·r_min)⁺; a fall harms f_L by ≤ (Q + A − L·G·r_min)⁺ and f_H by
/// ≤ (H·G·r_max − Q)⁺. Each edge's slack is shared out over the K pairs — pair p gets a share
/// w_p of f with Σ w_p = 1 — and the budget per pair and direction is
///
///     budget = min over harmed edges of  w_p · f / harm
///
/// and the guarantee: while no pair's mark has moved past its budget in a harmful direction
/// since the insertion, Σ of the harms < Σ w_p · f = f, so the account cannot have crossed.
///
/// **Shares.** Any shares summing to 1 keep the guarantee; they decide how often an account is
/// released. An even split (f/K) gives a pair the account barely depends on the same slack as its
/// main exposure, so the main pair releases it after a tiny move. Marks move roughly as random
/// walks with per-pair scale s_p (`moveScale`: the mark times the pair's relative volatility), so
/// the expected release rate is ∝ Σ_p (s_p / b_p)² with b_p = w_p·f/h_p (h_p the pair's larger
/// harm on that edge). Minimising it under Σ w_p = 1 gives
///
///     w_p = (h_p · s_p)^(2/3) / Σ_q (h_q · s_q)^(2/3)
///
/// — slack goes where the exposure (in typical-move units) is, and every budget is the same
/// multiple (h_p s_p)^(−1/3) of the pair's typical move. A move in a
/// direction that harms neither edge never releases the account. Confidence changes get a per-pair
/// allowance α_p fixed at build: E moves by ≤ (A + G)·2α_p while |c − c₀| ≤ α_p, which is
/// reserved from f before the split; when a pair's confidence leaves c₀ ± α_p, `needsRebuild` is set.
///
/// **Index.** Per pair, two queues of price buckets 1 bp wide (in log price, ±40 % around the
/// build mark; triggers further out sit in the edge bucket): "release when the mark rises to
/// bucket k" and "…falls to bucket k". An update of pair p empties the buckets the mark has
/// reached; every live entry there is a candidate. Entries carry the account's generation, bumped
/// on release, so an account is returned once and its entries in other pairs' queues go stale.
///
/// **Contract.** The caller must re-evaluate every candidate at the current prices (updating the
/// book), run its level machine, and call `reinsert` with the account's new band — a candidate not
/// reinserted drops out of the index. An account changed by other means (deposit, new positions,
/// a deadline, a new account) is re-evaluated and `reinsert`ed likewise. Rebuild after each
/// periodic full sweep and whenever `needsRebuild` is set (confidence regime change, a move beyond
/// the bucket window, or too many stale entries).
public struct CrossingIndex: Sendable {
    static let bucketWidth = 1e-4
    static let halfWindow = 4_000

    let pairCount: Int
    let center: [Int]
    let conf0: [Double]
    let confAllowance: [Double]
    /// Typical move per pair (price units): the build mark × relative volatility (see "Shares").
    let moveScale: [Double]
    /// Bucket heads (index into the node pool, −1 empty): up queues at [p·slots + s], down queues
    /// at [(P + p)·slots + s]. Nodes form singly linked lists; released nodes go to a free list.
    /// (A flat pool instead of an array per bucket: no per-bucket allocation or uniqueness checks.)
    var heads: [Int32]
    /// One queue entry: account, its generation when pushed, next node. One array of 12-byte
    /// nodes, so walking a bucket costs one cache miss per node, not one per field.
    struct Node { var account: UInt32; var gen: UInt32; var next: Int32 }
    var nodes: [Node] = []
    var freeHead: Int32 = -1
    var upFloor: [Int]
    var downCeil: [Int]
    var generation: [UInt32]
    var liveEntries = 0
    var insertedEntries = 0
    var builtEntries = Int.max / 8
    public private(set) var needsRebuild = false
    /// Entries pushed with no budget left (released by the pair's next move in that direction):
    /// accounts within the confidence reserve of an edge. For monitoring and benchmarks.
    public private(set) var immediateEntries = 0
    // Scratch per-pair sensitivities, reused across insertions.
    var sA: [Double], sQ: [Double], sG: [Double]
    // Scratch harms per pair (edge L/H × direction up/down), reused across insertions.
    var hLu: [Double], hLd: [Double], hHu: [Double], hHd: [Double]
    var touched: [Int] = []

    /// Builds from a book whose results (`equity`, `maintenance`, `initial`) are current for `prices`.
    /// `relativeVolatility` (per pair, any common unit, e.g. daily σ of returns) steers how each
    /// account's slack is shared between pairs; nil treats every pair as equally volatile in
    /// relative terms. It never affects correctness, only how many candidates an update yields.
    public init(book: SweepBook, prices: SweepPrices, relativeVolatility: [Double]? = nil, band: (Int) -> QuietBand) {
        let P = book.pairs.count, slots = 2 * Self.halfWindow + 1
        pairCount = P
        center = (0..<P).map { Self.absoluteBucket(prices.mid[$0]) }
        conf0 = (0..<P).map { (prices.high[$0] - prices.low[$0]) / 2 }
        // Allowance: the build confidence itself, at least 1 bp of the mark.
        confAllowance = (0..<P).map { max((prices.high[$0] - prices.low[$0]) / 2, 1e-4 * abs(prices.mid[$0])) }
        heads = Array(repeating: -1, count: 2 * P * slots)
        nodes.reserveCapacity(book.count * 8)
        upFloor = Array(repeating: slots, count: P)
        downCeil = Array(repeating: -1, count: P)
        generation = Array(repeating: 0, count: book.count)
        sA = Array(repeating: 0, count: P); sQ = sA; sG = sA
        hLu = sA; hLd = sA; hHu = sA; hHd = sA
        moveScale = (0..<P).map { p in
            let v = relativeVolatility.flatMap { p < $0.count ? $0[p] : nil } ?? 1
            let s = abs(prices.mid[p]) * (v.isFinite && v > 0 ? v : 1)
            return s.isFinite && s > 0 ? s : 1
        }
        for a in 0..<book.count where book.isActive[a] {
            reinsert(a, book: book, prices: prices, band: band(a))
        }
        builtEntries = max(insertedEntries, 1)
    }

    /// (h·s)^(2/3), the unnormalised share of a pair with harm h and typical move s (see "Shares").
    @inline(__always)
    static func shareWeight(_ x: Double) -> Double {
        x > 0 && x.isFinite ? cbrt(x * x) : (x > 0 ? 1e300 : 0)
    }

    static func absoluteBucket(_ price: Double) -> Int {
        guard price > 0, price.isFinite else { return Int.min / 4 }
        return Int((log(price) / bucketWidth).rounded(.down))
    }

    /// Slot within pair p's window (clamped to the edges).
    func slot(_ p: Int, _ price: Double) -> Int {
        let rel = Self.absoluteBucket(price) - center[p]
        return min(2 * Self.halfWindow, max(0, rel + Self.halfWindow))
    }

    /// Entries in the queues, including stale ones (for monitoring).
    public var entryCount: Int { liveEntries }

    /// Inserts (or re-inserts) account `a` with budgets from its current book figures and `band`.
    public mutating func reinsert(_ a: Int, book: SweepBook, prices: SweepPrices, band qb: QuietBand) {
        if a >= generation.count { generation.append(contentsOf: repeatElement(0, count: a - generation.count + 1)) }
        generation[a] &+= 1
        guard book.isActive[a] else { return }
        let gen = generation[a]
        touched.removeAll(keepingCapacity: true)
        var seen: UInt64 = 0 // pairs < 64 deduplicated by bit, others by a linear check
        // Per pair: A = Σ collateral amount·(1−h), Q = Σ q (net), G = Σ |q|, and |q|-weighted
        // lowest/highest marginal maintenance and initial rates.
        for k in Int(book.colStart[a])..<Int(book.colStart[a + 1]) {
            let asset = Int(book.colAsset[k]), p = Int(book.assetPair[asset])
            guard p >= 0, book.colAmount[k] != 0 else { continue }
            if p < 64 ? seen & (1 << UInt64(p)) == 0 : !touched.contains(p) {
                if p < 64 { seen |= 1 << UInt64(p) }
                touched.append(p)
            }
            sA[p] += abs(book.colAmount[k]) * (1 - book.assetHaircut[asset])
        }
        for k in Int(book.posStart[a])..<Int(book.posStart[a + 1]) {
            let p = Int(book.posPair[k]), q = book.posQty[k]
            guard q != 0 else { continue }
            if p < 64 ? seen & (1 << UInt64(p)) == 0 : !touched.contains(p) {
                if p < 64 { seen |= 1 << UInt64(p) }
                touched.append(p)
            }
            sQ[p] += q
            sG[p] += abs(q)
        }
        let E = book.equity[a], M = book.maintenance[a], I = book.initial[a]
        var fL = qb.low.isFinite ? E - qb.low * M : .infinity
        var fH = qb.high.isFinite ? max(qb.high * M, qb.highNeedsInitial ? I : -.infinity) - E : .infinity
        // Reserve for confidence changes (≤ 2α since any insertion): E moves by ≤ (A + G)·2α.
        for p in touched {
            let reserve = (sA[p] + sG[p]) * 2 * confAllowance[p]
            fL -= reserve
            fH -= reserve
        }
        let L = qb.low.isFinite ? max(0, qb.low) : 0, H = qb.high
        let hasL = qb.low.isFinite, hasH = H.isFinite
        // Pass 1: worst loss of slack per unit move of each pair's mark, per edge and direction,
        // and the share denominators Σ (h·s)^(2/3) per edge.
        var normL = 0.0, normH = 0.0
        for p in touched {
            let A = sA[p], Q = sQ[p], G = sG[p]
            sA[p] = 0; sQ[p] = 0; sG[p] = 0
            if hasL {
                let mLo = G * book.pairMinMaintenance[p], mHi = G * book.pairMaxMaintenance[p]
                hLu[p] = max(0, L * mHi - Q); hLd[p] = max(0, Q + A - L * mLo)
                normL += Self.shareWeight(max(hLu[p], hLd[p]) * moveScale[p])
            } else { hLu[p] = 0; hLd[p] = 0 }
            if hasH {
                var uLo = H * G * book.pairMinMaintenance[p], uHi = H * G * book.pairMaxMaintenance[p]
                if qb.highNeedsInitial {
                    uLo = min(uLo, G * book.pairMinInitial[p])
                    uHi = max(uHi, G * book.pairMaxInitial[p])
                }
                hHu[p] = max(0, Q + A - uLo); hHd[p] = max(0, uHi - Q)
                normH += Self.shareWeight(max(hHu[p], hHd[p]) * moveScale[p])
            } else { hHu[p] = 0; hHd[p] = 0 }
        }
        // Pass 2: budgets from each pair's share of each edge's slack, and the queue entries.
        let entry = UInt64(gen) << 32 | UInt64(UInt32(truncatingIfNeeded: a))
        let slots = 2 * Self.halfWindow + 1
        for p in touched {
            var budgetUp = Double.infinity, budgetDown = Double.infinity
            if hasL, normL > 0 {
                let hu = hLu[p], hd = hLd[p]
                var slack = fL * Self.shareWeight(max(hu, hd) * moveScale[p]) / normL
                if slack.isNaN { slack = 0 } // NaN figures: release on the next move, never "never"
                if hu > 0 { budgetUp = min(budgetUp, slack / hu) }
                if hd > 0 { budgetDown = min(budgetDown, slack / hd) }
            }
            if hasH, normH > 0 {
                let hu = hHu[p], hd = hHd[p]
                var slack = fH * Self.shareWeight(max(hu, hd) * moveScale[p]) / normH
                if slack.isNaN { slack = 0 }
                if hu > 0 { budgetUp = min(budgetUp, slack / hu) }
                if hd > 0 { budgetDown = min(budgetDown, slack / hd) }
            }
            let harmUp = hLu[p] > 0 || hHu[p] > 0, harmDown = hLd[p] > 0 || hHd[p] > 0
            let mid = prices.mid[p]
            let current = slot(p, mid)
            if harmUp {
                let s = budgetUp > 0 ? slot(p, mid + budgetUp) : current
                if s == current { immediateEntries += 1 }
                push(entry, bucket: p * slots + s)
                upFloor[p] = min(upFloor[p], s)
                liveEntries += 1; insertedEntries += 1
            }
            if harmDown {
                let s = budgetDown > 0 ? (mid - budgetDown > 0 ? slot(p, mid - budgetDown) : -1) : current
                if s == current { immediateEntries += 1 }
                if s >= 0 {
                    push(entry, bucket: (pairCount + p) * slots + s)
                    downCeil[p] = max(downCeil[p], s)
                    liveEntries += 1; insertedEntries += 1
                }
            }
        }
        if insertedEntries > 4 * builtEntries { needsRebuild = true }
    }

    /// After pair `pair` got new `prices`, appends to `out` every account that must be re-evaluated
    /// (each at most once). Every candidate must then be `reinsert`ed.
    public mutating func candidates(afterUpdateOf p: Int, prices: SweepPrices, into out: inout [Int32]) {
        let slots = 2 * Self.halfWindow + 1
        let c = (prices.high[p] - prices.low[p]) / 2
        if !(abs(c - conf0[p]) <= confAllowance[p]) { needsRebuild = true }
        let k = slot(p, prices.mid[p])
        if k == 0 || k == slots - 1 { needsRebuild = true }
        if k >= upFloor[p] {
            for s in upFloor[p]...k { release(bucket: p * slots + s, into: &out) }
            upFloor[p] = k + 1
        }
        if k <= downCeil[p] {
            for s in k...downCeil[p] { release(bucket: (pairCount + p) * slots + s, into: &out) }
            downCeil[p] = k - 1
        }
    }

    private mutating func push(_ entry: UInt64, bucket: Int) {
        let n = Node(account: UInt32(truncatingIfNeeded: entry), gen: UInt32(truncatingIfNeeded: entry >> 32), next: heads[bucket])
        let node: Int32
        if freeHead >= 0 {
            node = freeHead
            freeHead = nodes[Int(node)].next
            nodes[Int(node)] = n
        } else {
            node = Int32(nodes.count)
            nodes.append(n)
        }
        heads[bucket] = node
    }

    private mutating func release(bucket: Int, into out: inout [Int32]) {
        var node = heads[bucket]
        guard node >= 0 else { return }
        heads[bucket] = -1
        var free = freeHead, released = 0
        generation.withUnsafeMutableBufferPointer { gen in
            nodes.withUnsafeMutableBufferPointer { pool in
                while node >= 0 {
                    let i = Int(node)
                    let e = pool[i]
                    let a = Int(e.account)
                    if a < gen.count, gen[a] == e.gen {
                        gen[a] &+= 1
                        out.append(Int32(truncatingIfNeeded: a))
                    }
                    pool[i].next = free
                    free = node
                    released += 1
                    node = e.next
                }
            }
        }
        freeHead = free
        liveEntries -= released
    }
}

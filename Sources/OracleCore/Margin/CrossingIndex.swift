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
/// **Near edges.** An account close to an edge gets budgets of a few bp and would be released
/// by nearly every move of any of its pairs (and re-inserted, with ~16 fresh entries, each time).
/// When its smallest budget is below `trackBelow` (relative to the mark) it is *tracked* instead:
/// per pair it holds, one compact entry (collateral amount A, long and short quantity, gross G)
/// in that pair's dense list, and per account running lower bounds of its slacks. An update of
/// pair p streams p's list and adds each account's change of slack — exact for equity (the
/// collateral, long and short sides are linear in low⁺, low and high, which the update knows
/// before and after, confidence included) and bounded by the lowest/highest marginal rate for
/// requirements (exact without tiers). Each slack to the upper edge is tracked in its two parts
/// (H·M − E and I − E) so the max of them stays tight. The account is released when a bound
/// drops below a rounding tolerance (it may have left its band), or when both edges are far
/// enough (twice what `trackBelow` asks) for budgets to serve it again. So a tracked account
/// costs a few ns per move of its pairs instead of a re-evaluation and re-insertion per move,
/// and it is handed out only when it (nearly) crosses.
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
    // Scratch exact per-pair figures (signed A, net Q, gross G) and budgets, reused across insertions.
    var xA: [Double], xQ: [Double], xG: [Double], bUp: [Double], bDown: [Double]

    /// Relative budget (fraction of the mark) below which an account is tracked (see "Near edges").
    public let trackBelow: Double
    /// One tracked (account, pair): the account's slot and the slot's serial when pushed, and the
    /// account's exposure to the pair: `aq` = collateral Σ amount·(1−h) + long quantity (both move
    /// with the low price while it is positive), `qs` = short quantity (moves with the high price),
    /// `lg` = L·Σ|q|, `hg` = H·Σ|q| (0 without that edge), `g` = Σ|q|. 48 bytes, read in sequence.
    struct Tracked { var slot: UInt32; var serial: UInt32; var aq: Double; var qs: Double; var lg: Double; var hg: Double; var g: Double }
    /// A tracked account's running lower bounds of f_L, H·M − E and I − E, less a rounding
    /// tolerance (±∞ for an absent edge), and the f_L at which it may leave (see `slotLeaveH`).
    /// 32 bytes, so the table of ~30 k accounts stays in cache.
    struct Slot { var fL: Double; var fH1: Double; var fH2: Double; var serial: UInt32; var leaveL: Float }
    /// Per pair, the tracked entries of accounts holding it (dense; stale ones dropped on the next pass).
    var tracked: [[Tracked]]
    var slots: [Slot] = []
    /// Per slot (read rarely): the account, and the upper-edge slack at which it may leave.
    var slotAccount: [UInt32] = [], slotLeaveH: [Float] = []
    var freeSlots: [UInt32] = []
    var freed: [UInt32] = []
    /// Per pair: lowest/highest marginal maintenance and initial rates (from the book's tables).
    let rateMinM: [Double], rateMaxM: [Double], rateMinI: [Double], rateMaxI: [Double]
    /// Per account: its slot while tracked, −1 otherwise.
    var trackedSlot: [Int32]
    /// Prices at which the tracked bounds are current (the last update of each pair).
    var lastMid: [Double], lastLow: [Double], lastHigh: [Double]
    /// Accounts tracked now (see "Near edges"). For monitoring and benchmarks.
    public private(set) var trackedAccounts = 0
    /// Tracked entries examined by all updates so far. For monitoring and benchmarks.
    public private(set) var trackedScanned = 0

    /// Builds from a book whose results (`equity`, `maintenance`, `initial`) are current for `prices`.
    /// `relativeVolatility` (per pair, any common unit, e.g. daily σ of returns) steers how each
    /// account's slack is shared between pairs; nil treats every pair as equally volatile in
    /// relative terms. It never affects correctness, only how many candidates an update yields.
    /// `trackBelow` (a fraction of the mark, default 1 %) decides which accounts are tracked exactly
    /// rather than given budgets (see "Near edges"); 0 tracks none (budgets only, accounts without
    /// slack are released by every move). Like the volatilities it never affects correctness.
    public init(book: SweepBook, prices: SweepPrices, relativeVolatility: [Double]? = nil, trackBelow: Double = 0.01,
                band: (Int) -> QuietBand) {
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
        xA = sA; xQ = sA; xG = sA; bUp = sA; bDown = sA
        self.trackBelow = trackBelow.isFinite ? max(0, trackBelow) : 0
        tracked = Array(repeating: [], count: P)
        trackedSlot = Array(repeating: -1, count: book.count)
        lastMid = prices.mid; lastLow = prices.low; lastHigh = prices.high
        rateMinM = book.pairMinMaintenance; rateMaxM = book.pairMaxMaintenance
        rateMinI = book.pairMinInitial; rateMaxI = book.pairMaxInitial
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
    /// The figures must be current for the prices of the latest update of every pair.
    public mutating func reinsert(_ a: Int, book: SweepBook, prices: SweepPrices, band qb: QuietBand) {
        if a >= generation.count { generation.append(contentsOf: repeatElement(0, count: a - generation.count + 1)) }
        if a >= trackedSlot.count { trackedSlot.append(contentsOf: repeatElement(-1, count: a - trackedSlot.count + 1)) }
        generation[a] &+= 1
        if trackedSlot[a] >= 0 { untrack(a) }
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
            xA[p] += book.colAmount[k] * (1 - book.assetHaircut[asset])
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
        var reserve = 0.0
        for p in touched { reserve += (sA[p] + sG[p]) * 2 * confAllowance[p] }
        fL -= reserve
        fH -= reserve
        let L = qb.low.isFinite ? max(0, qb.low) : 0, H = qb.high
        let hasL = qb.low.isFinite, hasH = H.isFinite
        // Pass 1: worst loss of slack per unit move of each pair's mark, per edge and direction,
        // and the share denominators Σ (h·s)^(2/3) per edge.
        var normL = 0.0, normH = 0.0
        for p in touched {
            let A = sA[p], Q = sQ[p], G = sG[p]
            xQ[p] = Q; xG[p] = G
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
        // Pass 2: budgets from each pair's share of each edge's slack, and the smallest budget per
        // unit of slack and mark (κ per edge), which decides between queues and tracking.
        var kappaL = Double.infinity, kappaH = Double.infinity
        for p in touched {
            var budgetUp = Double.infinity, budgetDown = Double.infinity
            let mid = prices.mid[p]
            if hasL, normL > 0 {
                let hu = hLu[p], hd = hLd[p]
                let w = Self.shareWeight(max(hu, hd) * moveScale[p]) / normL
                var slack = fL * w
                if slack.isNaN { slack = 0 } // NaN figures: release on the next move, never "never"
                if hu > 0 { budgetUp = min(budgetUp, slack / hu); kappaL = min(kappaL, w / (hu * mid)) }
                if hd > 0 { budgetDown = min(budgetDown, slack / hd); kappaL = min(kappaL, w / (hd * mid)) }
            }
            if hasH, normH > 0 {
                let hu = hHu[p], hd = hHd[p]
                let w = Self.shareWeight(max(hu, hd) * moveScale[p]) / normH
                var slack = fH * w
                if slack.isNaN { slack = 0 }
                if hu > 0 { budgetUp = min(budgetUp, slack / hu); kappaH = min(kappaH, w / (hu * mid)) }
                if hd > 0 { budgetDown = min(budgetDown, slack / hd); kappaH = min(kappaH, w / (hd * mid)) }
            }
            bUp[p] = budgetUp; bDown[p] = budgetDown
        }
        // Budgets of at least `trackBelow` on every harmful pair and direction: queues. (κ = ∞
        // means no pair can harm that edge; NaN figures compare false and are tracked.)
        let coldL = !hasL || kappaL == .infinity || fL * kappaL >= trackBelow
        let coldH = !hasH || kappaH == .infinity || fH * kappaH >= trackBelow
        guard trackBelow <= 0 || (coldL && coldH) else {
            track(a, E: E, M: M, I: I, band: qb, reserve: reserve, kappaL: kappaL, kappaH: kappaH)
            return
        }
        for p in touched { xA[p] = 0 }
        // Pass 3: the queue entries.
        let entry = UInt64(gen) << 32 | UInt64(UInt32(truncatingIfNeeded: a))
        let slots = 2 * Self.halfWindow + 1
        for p in touched {
            let budgetUp = bUp[p], budgetDown = bDown[p]
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

    /// Tracks account `a` (see "Near edges") from its exact figures; uses the per-pair scratch
    /// exposures `xA`, `xQ`, `xG` of `touched` (and clears `xA`).
    private mutating func track(_ a: Int, E: Double, M: Double, I: Double, band qb: QuietBand,
                                reserve: Double, kappaL: Double, kappaH: Double) {
        let hasL = qb.low.isFinite, hasH = qb.high.isFinite
        let l = hasL ? qb.low : 0, h = hasH ? qb.high : 0
        // Rounding: running sums and a fresh evaluation differ by ~1e-15 of the magnitudes.
        let tol = 1e-9 * (abs(E) + abs(M) * (abs(l) + abs(h) + 1) + abs(I)) + 1e-300
        var fL = hasL ? E - l * M - tol : .infinity
        var fH1 = hasH ? h * M - E - tol : .infinity
        let fH2 = hasH ? (qb.highNeedsInitial ? I - E - tol : -.infinity) : .infinity
        var leaveL = !hasL || kappaL == .infinity ? -Double.infinity : reserve + 2 * trackBelow / kappaL
        var leaveH = !hasH || kappaH == .infinity ? -Double.infinity : reserve + 2 * trackBelow / kappaH
        if fL.isNaN || fH1.isNaN || fH2.isNaN || leaveL.isNaN || leaveH.isNaN {
            fL = -.infinity; fH1 = -.infinity // NaN figures: release on the next move of any of its pairs
            leaveL = .infinity; leaveH = .infinity
        }
        let index: Int
        var serial: UInt32 = 0
        if let free = freeSlots.popLast() {
            index = Int(free)
            serial = slots[index].serial
            slots[index] = Slot(fL: fL, fH1: fH1, fH2: fH2, serial: serial, leaveL: Float(leaveL))
            slotAccount[index] = UInt32(truncatingIfNeeded: a)
            slotLeaveH[index] = Float(leaveH)
        } else {
            index = slots.count
            slots.append(Slot(fL: fL, fH1: fH1, fH2: fH2, serial: 0, leaveL: Float(leaveL)))
            slotAccount.append(UInt32(truncatingIfNeeded: a))
            slotLeaveH.append(Float(leaveH))
        }
        trackedSlot[a] = Int32(index)
        trackedAccounts += 1
        for p in touched {
            let q = xQ[p], g = xG[p]
            tracked[p].append(Tracked(slot: UInt32(index), serial: serial, aq: xA[p] + (q + g) / 2, qs: (q - g) / 2,
                                      lg: l * g, hg: h * g, g: g))
            xA[p] = 0
        }
    }

    /// Stops tracking account `a`: its slot is freed and its entries go stale.
    private mutating func untrack(_ a: Int) {
        let i = Int(trackedSlot[a])
        trackedSlot[a] = -1
        slots[i].serial &+= 1
        freeSlots.append(UInt32(i))
        trackedAccounts -= 1
    }

    /// After pair `pair` got new `prices`, appends to `out` every account that must be re-evaluated
    /// (each at most once). Every candidate must then be `reinsert`ed.
    public mutating func candidates(afterUpdateOf p: Int, prices: SweepPrices, into out: inout [Int32]) {
        trackedPass(p, prices: prices, into: &out)
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

    /// Moves the tracked bounds of every account holding pair `p` from the pair's last prices to
    /// `prices`, releases those that may have crossed or have room for budgets again, and drops
    /// stale entries (the list stays dense).
    private mutating func trackedPass(_ p: Int, prices: SweepPrices, into out: inout [Int32]) {
        let x0 = lastMid[p], lo0 = lastLow[p], hi0 = lastHigh[p]
        let x1 = prices.mid[p], lo1 = prices.low[p], hi1 = prices.high[p]
        lastMid[p] = x1; lastLow[p] = lo1; lastHigh[p] = hi1
        guard !tracked[p].isEmpty else { return }
        // Collateral moves with the low price only while it is positive; unpriced, absurd or
        // non-positive prices release every tracked holder (each is re-evaluated).
        let sane = x0 > 0 && x1 > 0 && lo0 > 0 && lo1 > 0 && x0.isFinite && x1.isFinite && hi0.isFinite && hi1.isFinite
        let dMid = x1 - x0, dLow = lo1 - lo0, dHigh = hi1 - hi0
        // Per unit of Σ|q|: bounds of the change of the maintenance requirement, lower bound of the initial's.
        let mmLo = dMid >= 0 ? rateMinM[p] * dMid : rateMaxM[p] * dMid
        let mmHi = dMid >= 0 ? rateMaxM[p] * dMid : rateMinM[p] * dMid
        let imLo = dMid >= 0 ? rateMinI[p] * dMid : rateMaxI[p] * dMid
        var list = tracked[p]
        tracked[p] = []
        var kept = 0
        var freed = self.freed
        self.freed = []
        trackedScanned += list.count
        list.withUnsafeMutableBufferPointer { entries in
        slots.withUnsafeMutableBufferPointer { table in
        slotLeaveH.withUnsafeBufferPointer { leaveH in
            for i in 0..<entries.count {
                let e = entries[i]
                let si = Int(e.slot)
                var s = table[si]
                guard s.serial == e.serial else { continue }
                let dE = e.aq * dLow + e.qs * dHigh
                s.fL += dE - e.lg * (e.lg >= 0 ? mmHi : mmLo)
                s.fH1 += e.hg * (e.hg >= 0 ? mmLo : mmHi) - dE
                s.fH2 += e.g * imLo - dE
                let fH = max(s.fH1, s.fH2)
                if sane, s.fL >= 0, fH >= 0, !(s.fL >= Double(s.leaveL) && fH >= Double(leaveH[si])) {
                    table[si] = s
                    entries[kept] = e
                    kept += 1
                } else {
                    table[si].serial &+= 1
                    freed.append(e.slot)
                }
            }
        }}}
        list.removeLast(list.count - kept)
        tracked[p] = list
        for slot in freed {
            let a = Int(slotAccount[Int(slot)])
            freeSlots.append(slot)
            trackedSlot[a] = -1
            generation[a] &+= 1
            trackedAccounts -= 1
            out.append(Int32(truncatingIfNeeded: a))
        }
        freed.removeAll(keepingCapacity: true)
        self.freed = freed
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

/// Every account of the book in a flat, struct-of-arrays layout for the trigger's hot path:
/// a full sweep of 1M accounts × (8 positions + 4 collateral) reads ~200 MB sequentially and does
/// no dictionary lookup, allocation or string comparison.
///
/// Layout (CSR): account `a` owns collateral entries `colStart[a]..<colStart[a+1]` (asset index,
/// amount) and positions `posStart[a]..<posStart[a+1]` (pair index, quantity, entry). Pairs and
/// assets are small integer indexes into per-pair/per-asset tables resolved once from the
/// `MarginUniverse`. The sweep computes the *standard* model (equity, maintenance, initial) with the
/// same formulas as `MarginModel` — the portfolio model's VaR/ES run per account on demand.
///
/// Accounts are replaced in place when the new one fits the old slot (unused entries become zero
/// amounts/quantities, which contribute nothing); otherwise the old slot is retired (`isActive`
/// false) and the account appended under a new index.
public struct SweepBook: Sendable {
    public let pairs: [String]
    public let assets: [String]
    public private(set) var pairIndex: [String: Int32] = [:]
    public private(set) var assetIndex: [String: Int32] = [:]
    /// Per pair: base maintenance/initial rates, tiers, and the largest marginal rates (Lipschitz bounds).
    public let pairMaintenance: [Double]
    public let pairInitial: [Double]
    let pairTiers: [[MarginTier]]
    let pairHasTiers: [Bool]
    public let pairMaxMaintenance: [Double]
    public let pairMaxInitial: [Double]
    public let pairMinMaintenance: [Double]
    public let pairMinInitial: [Double]
    /// Per asset: pricing pair (−1 for the margin currency, priced 1) and haircut.
    public let assetPair: [Int32]
    public let assetHaircut: [Double]

    public private(set) var ids: [String] = []
    public private(set) var isActive: [Bool] = []
    public private(set) var colStart: [Int32] = [0]
    public private(set) var colAsset: [Int32] = []
    public private(set) var colAmount: [Double] = []
    public private(set) var posStart: [Int32] = [0]
    public private(set) var posPair: [Int32] = []
    public private(set) var posQty: [Double] = []
    public private(set) var posEntry: [Double] = []

    /// Results of the last sweep/re-evaluation, per account.
    public private(set) var equity: [Double] = []
    public private(set) var maintenance: [Double] = []
    public private(set) var initial: [Double] = []

    public var count: Int { ids.count }

    public init(universe: MarginUniverse) {
        let pairNames = universe.knownPairs
        let assetNames = [universe.currency] + universe.knownAssets.filter { $0 != universe.currency }
        var pi: [String: Int32] = [:]
        for (i, p) in pairNames.enumerated() { pi[p] = Int32(i) }
        let specs = pairNames.compactMap { universe.pairs[$0] } // same keys, so same count
        self.init(pairs: pairNames, maintenance: specs.map(\.maintenanceMargin), initial: specs.map(\.initialMargin),
                  tiers: specs.map(\.risk.tiers), assets: assetNames,
                  assetPair: assetNames.map { a in universe.collateralPair(a).flatMap { pi[$0] } ?? -1 },
                  assetHaircut: assetNames.map { universe.haircut($0) })
    }

    /// Tables given directly (benchmarks, tests). `assetPair[i] == -1` prices asset i at 1.
    public init(pairs: [String], maintenance: [Double], initial: [Double], tiers: [[MarginTier]]? = nil,
                assets: [String], assetPair: [Int32], assetHaircut: [Double]) {
        self.pairs = pairs
        self.assets = assets
        for (i, p) in pairs.enumerated() { pairIndex[p] = Int32(i) }
        for (i, a) in assets.enumerated() { assetIndex[a] = Int32(i) }
        pairMaintenance = maintenance
        pairInitial = initial
        let t = tiers ?? Array(repeating: [], count: pairs.count)
        pairTiers = t
        pairHasTiers = t.map { !$0.isEmpty }
        pairMaxMaintenance = pairs.indices.map { i in t[i].map(\.maintenanceMargin).reduce(maintenance[i], max) }
        pairMaxInitial = pairs.indices.map { i in t[i].map(\.initialMargin).reduce(initial[i], max) }
        pairMinMaintenance = pairs.indices.map { i in t[i].map(\.maintenanceMargin).reduce(maintenance[i], min) }
        pairMinInitial = pairs.indices.map { i in t[i].map(\.initialMargin).reduce(initial[i], min) }
        self.assetPair = assetPair
        self.assetHaircut = assetHaircut
    }

    public mutating func reserve(accounts: Int, collateral: Int, positions: Int) {
        ids.reserveCapacity(accounts); isActive.reserveCapacity(accounts)
        colStart.reserveCapacity(accounts + 1); posStart.reserveCapacity(accounts + 1)
        colAsset.reserveCapacity(collateral); colAmount.reserveCapacity(collateral)
        posPair.reserveCapacity(positions); posQty.reserveCapacity(positions); posEntry.reserveCapacity(positions)
        equity.reserveCapacity(accounts); maintenance.reserveCapacity(accounts); initial.reserveCapacity(accounts)
    }

    /// Appends a validated account; returns its index, or nil if it names an asset/pair unknown to the book.
    @discardableResult
    public mutating func append(_ account: Account) -> Int? {
        guard let (c, p) = resolve(account) else { return nil }
        return appendRaw(id: account.id, collateral: c, positions: p)
    }

    /// Appends already-resolved entries (asset/pair indexes into this book's tables).
    @discardableResult
    public mutating func appendRaw(id: String, collateral: [(asset: Int32, amount: Double)],
                                   positions: [(pair: Int32, quantity: Double, entry: Double)]) -> Int {
        ids.append(id)
        isActive.append(true)
        for c in collateral { colAsset.append(c.asset); colAmount.append(c.amount) }
        for p in positions { posPair.append(p.pair); posQty.append(p.quantity); posEntry.append(p.entry) }
        colStart.append(Int32(colAsset.count))
        posStart.append(Int32(posPair.count))
        equity.append(0); maintenance.append(0); initial.append(0)
        return ids.count - 1
    }

    /// Replaces account `index` (see the type's doc comment); returns the account's index afterwards,
    /// or nil if the account names something unknown to the book.
    public mutating func replace(at index: Int, with account: Account) -> Int? {
        guard let (c, p) = resolve(account) else { return nil }
        let c0 = Int(colStart[index]), c1 = Int(colStart[index + 1])
        let p0 = Int(posStart[index]), p1 = Int(posStart[index + 1])
        guard c.count <= c1 - c0, p.count <= p1 - p0 else {
            isActive[index] = false
            return appendRaw(id: account.id, collateral: c, positions: p)
        }
        for k in c0..<c1 {
            let e = k - c0 < c.count ? c[k - c0] : (asset: 0, amount: 0)
            colAsset[k] = e.asset; colAmount[k] = e.amount
        }
        for k in p0..<p1 {
            let e = k - p0 < p.count ? p[k - p0] : (pair: 0, quantity: 0, entry: 1)
            posPair[k] = e.pair; posQty[k] = e.quantity; posEntry[k] = e.entry
        }
        ids[index] = account.id
        isActive[index] = true
        return index
    }

    /// Retires an account (it keeps its index until the book is rebuilt).
    public mutating func remove(at index: Int) {
        isActive[index] = false
    }

    private func resolve(_ account: Account) -> ([(asset: Int32, amount: Double)], [(pair: Int32, quantity: Double, entry: Double)])? {
        var c: [(asset: Int32, amount: Double)] = []
        for x in account.collateral {
            guard let i = assetIndex[x.asset] else { return nil }
            c.append((i, x.amount.value))
        }
        var p: [(pair: Int32, quantity: Double, entry: Double)] = []
        for x in account.positions {
            // An option is not linear in its mark: the screen's bounds do not hold for it, so the
            // account stays out of the flat book and is valued in full on every change (`unslotted`).
            guard x.option == nil, let i = pairIndex[x.pair] else { return nil }
            p.append((i, x.quantity.value, x.entryPrice.value))
        }
        return (c, p)
    }

    /// Value of one unit of each asset at `prices`: low side × (1 − haircut); 1 for the margin currency.
    public func assetUnitValues(_ prices: SweepPrices) -> [Double] {
        assets.indices.map { i in
            let p = assetPair[i]
            return p < 0 ? 1 : max(0, prices.low[Int(p)]) * (1 - assetHaircut[i])
        }
    }

    /// Standard-model figures of one account (same formulas as `MarginModel.value`).
    public func evaluate(_ a: Int, prices: SweepPrices, units: [Double]? = nil) -> (equity: Double, maintenance: Double, initial: Double) {
        let u = units ?? assetUnitValues(prices)
        var eq = 0.0, mm = 0.0, im = 0.0
        for k in Int(colStart[a])..<Int(colStart[a + 1]) { eq += colAmount[k] * u[Int(colAsset[k])] }
        for k in Int(posStart[a])..<Int(posStart[a + 1]) {
            let p = Int(posPair[k]), q = posQty[k]
            eq += q * ((q > 0 ? prices.low[p] : prices.high[p]) - posEntry[k])
            let n = abs(q) * prices.mid[p]
            if pairHasTiers[p] {
                mm += MarginModel.tieredRequirement(notional: n, baseRate: pairMaintenance[p], tiers: pairTiers[p], initial: false)
                im += MarginModel.tieredRequirement(notional: n, baseRate: pairInitial[p], tiers: pairTiers[p], initial: true)
            } else {
                mm += n * pairMaintenance[p]
                im += n * pairInitial[p]
            }
        }
        return (eq, mm, im)
    }

    /// Re-evaluates one account and stores the result (incremental path).
    public mutating func reevaluate(_ a: Int, prices: SweepPrices, units: [Double]) {
        let r = evaluate(a, prices: prices, units: units)
        equity[a] = r.equity
        maintenance[a] = r.maintenance
        initial[a] = r.initial
    }

    /// equity / maintenance of account `a` after the last evaluation (+∞ without requirement).
    public func ratio(_ a: Int) -> Double {
        maintenance[a] > 0 ? equity[a] / maintenance[a] : (equity[a] < 0 ? -.infinity : .infinity)   // as MarginModel.value
    }

    /// Re-evaluates the accounts at `slots` (the incremental path's screen) with the sweep's loop.
    /// Ascending slots walk the arrays forwards.
    public mutating func reevaluate(slots: [Int32], prices: SweepPrices, units: [Double]) {
        slots.withUnsafeBufferPointer { sl in
            _ = evaluate(accounts: sl.lazy.map { Int($0) }, prices: prices, units: units, callRatio: .nan)
        }
    }

    /// Full sweep: re-evaluates every account; returns how many active accounts are below `callRatio`.
    @discardableResult
    public mutating func sweep(_ prices: SweepPrices, callRatio: Double) -> Int {
        evaluate(accounts: 0..<count, prices: prices, units: assetUnitValues(prices), callRatio: callRatio)
    }

    /// The one loop behind `sweep` and `reevaluate(slots:)`: the standard-model figures of each
    /// account in `accounts`, through raw buffers so that a large list costs what the C loop costs
    /// per account (`sweep_ms_1m` against `sweep_c_ms_1m`). Generic so each caller gets its own
    /// specialisation (a range, or a list of slots). Returns how many active accounts of the list are
    /// below `callRatio` (none for NaN).
    @inline(__always)
    mutating func evaluate<S: Sequence>(accounts: S, prices: SweepPrices, units: [Double], callRatio: Double) -> Int where S.Element == Int {
        let anyTiers = pairHasTiers.contains(true)
        var below = 0
        colStart.withUnsafeBufferPointer { cs in
        colAsset.withUnsafeBufferPointer { ca in
        colAmount.withUnsafeBufferPointer { cm in
        posStart.withUnsafeBufferPointer { ps in
        posPair.withUnsafeBufferPointer { pp in
        posQty.withUnsafeBufferPointer { pq in
        posEntry.withUnsafeBufferPointer { pe in
        units.withUnsafeBufferPointer { un in
        prices.low.withUnsafeBufferPointer { lo in
        prices.high.withUnsafeBufferPointer { hi in
        prices.mid.withUnsafeBufferPointer { mid in
        pairMaintenance.withUnsafeBufferPointer { mmr in
        pairInitial.withUnsafeBufferPointer { imr in
        isActive.withUnsafeBufferPointer { act in
        equity.withUnsafeMutableBufferPointer { outE in
        maintenance.withUnsafeMutableBufferPointer { outM in
        initial.withUnsafeMutableBufferPointer { outI in
            for a in accounts {
                var eq = 0.0, mm = 0.0, im = 0.0
                var c = Int(cs[a])
                let cEnd = Int(cs[a + 1])
                while c < cEnd { eq += cm[c] * un[Int(ca[c])]; c += 1 }
                var k = Int(ps[a])
                let kEnd = Int(ps[a + 1])
                while k < kEnd {
                    let p = Int(pp[k]), q = pq[k]
                    eq += q * ((q > 0 ? lo[p] : hi[p]) - pe[k])
                    let notional = abs(q) * mid[p]
                    if anyTiers && pairHasTiers[p] {
                        mm += MarginModel.tieredRequirement(notional: notional, baseRate: mmr[p], tiers: pairTiers[p], initial: false)
                        im += MarginModel.tieredRequirement(notional: notional, baseRate: imr[p], tiers: pairTiers[p], initial: true)
                    } else {
                        mm += notional * mmr[p]
                        im += notional * imr[p]
                    }
                    k += 1
                }
                outE[a] = eq; outM[a] = mm; outI[a] = im
                if act[a] && eq < callRatio * mm { below += 1 }
            }
        }}}}}}}}}}}}}}}}}
        return below
    }
}

extension SweepBook {
    /// Drops retired slots (removed accounts, and accounts that outgrew their slot) and returns the
    /// new index of every old one (−1 for a retired slot). Without it a book under churn — accounts
    /// deleted and created again through the API all day — grows by one slot per re-creation while
    /// its accounts stay the same: a leak. O(slots); the owner calls it when retired slots reach
    /// the active ones, so its cost is amortised over at least as many removals.
    public mutating func compact() -> [Int] {
        var map = [Int](repeating: -1, count: ids.count)
        var newIds: [String] = [], newCS: [Int32] = [0], newCA: [Int32] = [], newCM: [Double] = []
        var newPS: [Int32] = [0], newPP: [Int32] = [], newPQ: [Double] = [], newPE: [Double] = []
        var newE: [Double] = [], newM: [Double] = [], newI: [Double] = []
        let live = isActive.lazy.filter { $0 }.count
        newIds.reserveCapacity(live); newE.reserveCapacity(live); newM.reserveCapacity(live); newI.reserveCapacity(live)
        for a in ids.indices where isActive[a] {
            map[a] = newIds.count
            newIds.append(ids[a])
            for k in Int(colStart[a])..<Int(colStart[a + 1]) { newCA.append(colAsset[k]); newCM.append(colAmount[k]) }
            for k in Int(posStart[a])..<Int(posStart[a + 1]) { newPP.append(posPair[k]); newPQ.append(posQty[k]); newPE.append(posEntry[k]) }
            newCS.append(Int32(newCA.count))
            newPS.append(Int32(newPP.count))
            newE.append(equity[a]); newM.append(maintenance[a]); newI.append(initial[a])
        }
        ids = newIds
        isActive = Array(repeating: true, count: newIds.count)
        colStart = newCS; colAsset = newCA; colAmount = newCM
        posStart = newPS; posPair = newPP; posQty = newPQ; posEntry = newPE
        equity = newE; maintenance = newM; initial = newI
        return map
    }
}

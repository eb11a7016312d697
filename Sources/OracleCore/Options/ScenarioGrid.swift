#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The option margin requirement by full revaluation over a price × volatility grid, in the spirit of
/// Deribit portfolio margin and SPAN (docs/options.md has the formulas and the reasons for defaults).
///
/// Per underlying U with range R (16 % for BTC/ETH), the grid moves its forward to F·(1 + k/n·R) for
/// k = −n…n and combines each move with three vol states: every option's σ (from the surface at its
/// strike and expiry, held there: sticky strike) × (1 − down·m), unchanged, × (1 + up·m), where
/// m = min(cap, (30/days)^0.3) makes the shock larger for short expiries. Every position is revalued
/// with Black-76 in every scenario (not delta-gamma), time held still. Extreme moves F·(1 ± 3R)
/// (down capped at −95 %), with vol unchanged and up, are counted at 33 % of their loss.
///
/// Several underlyings: the joint scenarios are driven by one underlying i at a time. When i moves by
/// u (in units of its range), each other underlying j takes the worst of its own grid points within
/// ρ_ij·u ± √(1 − ρ_ij²) (in units of j's range), under the same vol state. So ρ = 1 moves j exactly
/// with i, and ρ = 0 lets j do its worst anywhere on its range (no offset credited between uncorrelated
/// underlyings). Extremes move the driver alone. P&L is separable by underlying, so this is exact over
/// the discrete grid and costs only table look-ups after one revaluation per position per grid point.
///
/// requirement = max(worst weighted loss, Σ short options 1 % × F × |qty|), floored at 0.
public enum ScenarioGrid {
    /// The fractional extreme move: +multiple·R, or −min(multiple·R, maxDown).
    static func extremeMove(up: Bool, range: Double, multiple: Double, maxDown: Double) -> Double {
        up ? multiple * range : -min(multiple * range, maxDown)
    }

    /// Evaluates `positions` at `forwards` (the oracle's marks, per underlying pair) and `nowMs`.
    /// Throws, naming the field, when an input is missing or not finite: a requirement computed on a
    /// guessed forward or volatility would be a decision on nothing.
    public static func evaluate(_ positions: [GridPosition], forwards: [String: Double], volatility: some VolatilityLookup,
                                nowMs: Int64, correlation: GridCorrelation = GridCorrelation(),
                                policy: ScenarioGridPolicy = ScenarioGridPolicy()) throws(OptionError) -> GridResult {
        try policy.validate()
        let underlyings = Array(Set(positions.map(\.underlying))).sorted()
        let count = underlyings.count
        let n = policy.steps, points = 2 * n + 1
        var index: [String: Int] = [:]
        var f0 = [Double](), ranges = [Double]()
        for (i, u) in underlyings.enumerated() {
            index[u] = i
            guard let f = forwards[u] else { throw OptionError(.missingField, field: "forwards.\(u)", "no mark for \(u); cannot value its positions") }
            guard f.isFinite, f > 0 else { throw OptionError(.nonFinite, field: "forwards.\(u)", "mark \(f) is not a positive finite price") }
            f0.append(f)
            ranges.append(policy.range(for: u))
        }

        // table[(i·3 + v)·points + p]: P&L of underlying i's positions at move p, vol state v.
        var table = [Double](repeating: 0, count: count * 3 * points)
        var extremes = [Double](repeating: 0, count: count * 4)
        var risk = underlyings.enumerated().map { i, u in UnderlyingRisk(underlying: u, forward: f0[i], greeks: .zero, unrealisedPnL: 0) }
        var shortMinimum = 0.0
        var moves = [Double](repeating: 0, count: points)
        var volFactor = [0.0, 1.0, 0.0]
        let extremeMoves = (0..<4).map { e in (up: e >= 2, volUp: e % 2 == 1) }

        for (pi, p) in positions.enumerated() {
            let i = index[p.underlying]!
            let f = f0[i]
            guard p.quantity.isFinite else { throw OptionError(.nonFinite, field: "positions[\(pi)].quantity", "\(p.quantity) is not finite") }
            guard p.entryPrice.isFinite else { throw OptionError(.nonFinite, field: "positions[\(pi)].entry_price", "\(p.entryPrice) is not finite") }
            for k in 0..<points { moves[k] = f * (1 + Double(k - n) / Double(n) * ranges[i]) }
            let q = p.quantity
            guard let c = p.option else {
                for v in 0..<3 {
                    let row = (i * 3 + v) * points
                    for k in 0..<points { table[row + k] += q * (moves[k] - f) }
                }
                for (e, x) in extremeMoves.enumerated() {
                    let m = extremeMove(up: x.up, range: ranges[i], multiple: policy.extremeMultiple, maxDown: policy.maxDownMove)
                    extremes[i * 4 + e] += q * f * m
                }
                risk[i].greeks.delta += q
                risk[i].unrealisedPnL += q * (f - p.entryPrice)
                continue
            }
            let k = c.strike.value
            let t = Black76.years(from: nowMs, to: c.expiryMs)
            var sigma = 0.0
            if t > 0 {
                guard let s = volatility.volatility(underlying: c.underlying, strike: k, expiryMs: c.expiryMs, forward: f, nowMs: nowMs) else {
                    throw OptionError(.missingField, field: "positions[\(pi)].volatility",
                                      "no volatility for \(c.venueName); the surface has nothing usable at that strike and expiry")
                }
                sigma = s
            }
            let now: OptionGreeks
            do { now = try Black76.value(c.right, forward: f, strike: k, volatility: sigma, years: t, rate: policy.rate) } catch {
                throw OptionError(error.code, field: "positions[\(pi)].\(error.field)", error.message)
            }
            risk[i].greeks = risk[i].greeks + now.scaled(by: q)
            risk[i].unrealisedPnL += q * (now.price - p.entryPrice)
            if q < 0, t > 0 { shortMinimum += policy.shortOptionMinimum * f * -q }   // an expired option settles; no floor
            let scale = policy.volShockScale(days: t * Black76.daysPerYear)
            volFactor[0] = 1 - policy.volDown * scale
            volFactor[2] = 1 + policy.volUp * scale
            for v in 0..<3 {
                let s = min(sigma * volFactor[v], Black76.maxVolatility)
                let row = (i * 3 + v) * points
                for m in 0..<points {
                    table[row + m] += q * (Black76.uncheckedPrice(c.right, forward: moves[m], strike: k, volatility: s, years: t, rate: policy.rate) - now.price)
                }
            }
            for (e, x) in extremeMoves.enumerated() {
                let m = extremeMove(up: x.up, range: ranges[i], multiple: policy.extremeMultiple, maxDown: policy.maxDownMove)
                let s = min(sigma * volFactor[x.volUp ? 2 : 1], Black76.maxVolatility)
                extremes[i * 4 + e] += q * (Black76.uncheckedPrice(c.right, forward: f * (1 + m), strike: k, volatility: s, years: t, rate: policy.rate) - now.price)
            }
        }

        // Joint scenarios: driver i, vol v, move p; others at their worst within the correlation band.
        let joint = count * 3 * points
        var pnl = [Double](repeating: 0, count: joint + count * 4)
        var choices = [Int32](repeating: 0, count: joint * count)
        var rho = [Double](repeating: 1, count: count * count)
        for i in 0..<count { for j in 0..<count where i != j { rho[i * count + j] = correlation.rho(underlyings[i], underlyings[j]) } }
        for i in 0..<count {
            for v in 0..<3 {
                for m in 0..<points {
                    let s = (i * 3 + v) * points + m
                    var total = table[s]
                    choices[s * count + i] = Int32(m - n)
                    let u = Double(m - n) / Double(n)
                    for j in 0..<count where j != i {
                        let r = rho[i * count + j], w = (max(0, 1 - r * r)).squareRoot()
                        let lo = max(-n, Int(((r * u - w) * Double(n)).rounded())), hi = min(n, Int(((r * u + w) * Double(n)).rounded()))
                        let row = (j * 3 + v) * points + n
                        var best = lo, worst = table[row + lo]
                        if hi > lo { for x in (lo + 1)...hi where table[row + x] < worst { worst = table[row + x]; best = x } }
                        total += worst
                        choices[s * count + j] = Int32(best)
                    }
                    pnl[s] = total
                }
            }
        }
        for e in 0..<(count * 4) { pnl[joint + e] = policy.extremeWeight * extremes[e] }

        var worstIndex: Int? = nil
        for (x, value) in pnl.enumerated() {
            guard value.isFinite else { throw OptionError(.nonFinite, field: "grid", "scenario \(x) has P&L \(value); refusing to margin on it") }
            if worstIndex == nil || value < pnl[worstIndex!] { worstIndex = x }
        }
        let worstLoss = max(0, -(worstIndex.map { pnl[$0] } ?? 0))
        return GridResult(underlyings: underlyings, ranges: ranges, steps: n, requirement: max(worstLoss, shortMinimum),
                          worstLoss: worstLoss, shortOptionMinimum: shortMinimum, pnl: pnl, worstIndex: worstIndex,
                          choices: choices, extremeMultiple: policy.extremeMultiple, extremeWeight: policy.extremeWeight,
                          maxDownMove: policy.maxDownMove, risk: risk)
    }
}

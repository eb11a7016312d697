import Foundation

extension VolSurface {
    /// The implied volatility (fraction per year) for an option of `strike` expiring at
    /// `expiryMs`, valued at `nowMs` against `forward` (the caller's forward for that expiry,
    /// e.g. the oracle's mark). nil when the surface is `unavailable`, the option has expired,
    /// an input is not a positive finite number, or every fitted expiry is already past.
    ///
    /// With k = ln(K/F) and Tᵢ = (expiryᵢ − now)/365 d for the live slices:
    /// - each slice gives σᵢ(k) from its smile, clamped to its quoted k-range (flat in strike
    ///   beyond the wings), and wᵢ = σᵢ(k)²·Tᵢ;
    /// - T ≤ T₁: σ₁(k) (flat in vol before the first expiry);
    /// - Tᵢ < T < Tᵢ₊₁: w = wᵢ + (wᵢ₊₁ − wᵢ)(T − Tᵢ)/(Tᵢ₊₁ − Tᵢ), σ = √(w/T) (linear in total variance);
    /// - T ≥ Tₙ: σₙ(k) (flat total-variance rate w/T beyond the last expiry);
    /// - a DVOL-only surface answers its level for every strike and expiry.
    public func volatility(strike: Double, expiryMs: Int64, forward: Double, nowMs: Int64) -> Double? {
        guard status != .unavailable, strike.isFinite, strike > 0, forward.isFinite, forward > 0,
              expiryMs > nowMs else { return nil }
        let live = slices.filter { $0.expiryMs > nowMs }
        if live.isEmpty {
            return slices.isEmpty ? fallbackLevel?.value : nil
        }
        let k = log(strike / forward)
        let t = Double(expiryMs - nowMs) / Self.yearMs
        func ti(_ s: VolSlice) -> Double { Double(s.expiryMs - nowMs) / Self.yearMs }
        let first = live[0], last = live[live.count - 1]
        if t <= ti(first) { return finite(first.vol(atK: k)) }
        if t >= ti(last) { return finite(last.vol(atK: k)) }
        var i = 0
        while i + 1 < live.count, ti(live[i + 1]) <= t { i += 1 }
        let a = live[i], b = live[i + 1]
        let ta = ti(a), tb = ti(b)
        let wa = a.vol(atK: k) * a.vol(atK: k) * ta
        let wb = b.vol(atK: k) * b.vol(atK: k) * tb
        let w = wa + (wb - wa) * (t - ta) / (tb - ta)
        return finite((max(w, 0) / t).squareRoot())
    }

    private func finite(_ v: Double) -> Double? { v.isFinite && v > 0 ? v : nil }
}

extension SourceSchedule {
    /// Fraction of the delay that jitter may add or remove (±20 %), so sources that failed together
    /// (a shared network outage) do not all retry in the same millisecond.
    public static let jitterFraction = 0.2

    /// Delay before the next request after `consecutiveErrors` failures in a row, in milliseconds.
    ///
    ///     nominal(n) = min(cap, base · 2^(n−1))
    ///     delay(n)   = min(cap, nominal(n) · (1 + 0.2 · j))      j ∈ [−1, 1] from the jitter source
    ///
    /// The cap is applied before converting to an integer, so no exponent can overflow or trap, and
    /// again after jitter, so `backoff_max` is a hard upper bound an operator can rely on (at the cap
    /// jitter can only shorten the wait). With the defaults of ``OracleCore/SourceSpec`` (base 1 s,
    /// cap 8 s):
    ///
    /// | failures n | nominal | range with ±20 % jitter |
    /// |-----------:|--------:|------------------------:|
    /// | 1          | 1 s     | 0.8 – 1.2 s             |
    /// | 2          | 2 s     | 1.6 – 2.4 s             |
    /// | 3          | 4 s     | 3.2 – 4.8 s             |
    /// | ≥ 4        | 8 s     | 6.4 – 8 s (capped)      |
    ///
    /// Why so short: these are transient failures (5xx, timeouts, resets, garbage bodies), and an
    /// oracle must notice a recovered venue within seconds — after an outage of any length the next
    /// attempt is at most 8 s away. A venue that wants us to wait longer says so (`Retry-After`, a
    /// 429 reset hint, a 418 ban), and access refusals (451/403) quarantine; those waits are not
    /// bounded by this cap (see ``SourceSchedule``).
    ///
    /// - Parameters:
    ///   - consecutiveErrors: failures since the last success; values below 1 mean no delay.
    ///   - jitter: a value in [−1, 1]; anything outside is clamped and NaN counts as 0.
    public static func backoffDelayMs(consecutiveErrors: Int, baseMs: Int64, capMs: Int64, jitter: Double) -> Int64 {
        guard consecutiveErrors >= 1, baseMs > 0, capMs > 0 else { return 0 }
        let exponent = min(consecutiveErrors - 1, 62)
        let nominal = min(Double(capMs), Double(baseMs) * Double(sign: .plus, exponent: exponent, significand: 1))
        let unit = jitter.isNaN ? 0 : min(1, max(-1, jitter))
        let jittered = min(Double(capMs), nominal * (1 + jitterFraction * unit))
        return SaturatingMs.clampedMs(jittered.rounded())
    }
}

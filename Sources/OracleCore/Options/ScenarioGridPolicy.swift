#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The knobs of the option scenario grid, with defaults in the spirit of Deribit portfolio margin and
/// SPAN (docs/options.md explains each and why).
///
/// | knob | default | meaning |
/// |---|---|---|
/// | `majorRange` | 0.16 | ± price move for `majors` (BTC, ETH), as Deribit PM |
/// | `minorRange` | 0.25 | ± price move for any other underlying (thinner, jumpier markets) |
/// | `ranges` | [:] | per-underlying override, keyed by pair (`SOL-USD`: 0.30) |
/// | `steps` | 8 | points per side: moves k/steps × range for k = −steps…steps (17 points) |
/// | `volUp`, `volDown` | 0.45, 0.30 | relative vol shocks at 30 days to expiry |
/// | `volShockExponent` | 0.3 | shock × (30/days)^0.3: larger for short expiries … |
/// | `volShockCap` | 2.0 | … at most 2× the 30-day shock (reached at ~3 days) |
/// | `extremeMultiple`, `extremeWeight` | 3, 0.33 | extreme moves ±3 × range counted at 33 % (SPAN) |
/// | `maxDownMove` | 0.95 | an extreme move never takes a price below 5 % of the mark |
/// | `shortOptionMinimum` | 0.01 | per short option at least 1 % of the forward × \|qty\| |
/// | `rate` | 0 | Black-76 rate |
/// | `initialMultiple` | 1.25 | an account's initial requirement on the grid = 1.25 × its maintenance |
public struct ScenarioGridPolicy: Sendable, Equatable {
    public var majors: Set<String> = ["BTC", "ETH"]
    public var majorRange = 0.16
    public var minorRange = 0.25
    public var ranges: [String: Double] = [:]
    public var steps = 8
    public var volUp = 0.45
    public var volDown = 0.30
    public var volShockReferenceDays = 30.0
    public var volShockExponent = 0.3
    public var volShockCap = 2.0
    public var extremeMultiple = 3.0
    public var extremeWeight = 0.33
    public var maxDownMove = 0.95
    public var shortOptionMinimum = 0.01
    public var rate = 0.0
    /// Initial requirement of the grid-margined positions = this × their maintenance (the grid
    /// requirement): the buffer a new position must bring, as linear positions' initial rate is
    /// above their maintenance rate.
    public var initialMultiple = 1.25

    public init() {}

    /// ± price move for an underlying pair (`BTC-USD` → its base `BTC`).
    public func range(for underlying: String) -> Double {
        if let r = ranges[underlying] { return r }
        let base = underlying.split(separator: "-").first.map(String.init) ?? underlying
        return majors.contains(base) ? majorRange : minorRange
    }

    /// The multiplier of the 30-day vol shock for an option `days` from expiry:
    /// min(cap, (30/days)^0.3). 1 at 30 days, 0.47 at a year, 2 (the cap) inside ~3 days.
    public func volShockScale(days: Double) -> Double {
        guard days > 0 else { return volShockCap }
        return min(volShockCap, pow(volShockReferenceDays / days, volShockExponent))
    }

    /// Refuses a policy that would make the grid meaningless (no steps, a vol-down shock that takes σ to
    /// zero or below, a range of 100 %), naming the knob.
    public func validate() throws(OptionError) {
        func need(_ ok: Bool, _ field: String, _ why: String) throws(OptionError) {
            if !ok { throw OptionError(.outOfRange, field: field, why) }
        }
        try need(steps >= 1 && steps <= 100, "steps", "\(steps) must be 1…100")
        for (name, r) in [("major_range", majorRange), ("minor_range", minorRange)] + ranges.map({ ("ranges.\($0.key)", $0.value) }) {
            try need(r.isFinite && r > 0 && r < 1, name, "\(r) must be a fraction in (0, 1)")
        }
        try need(volUp.isFinite && volUp >= 0, "vol_up", "\(volUp) must be ≥ 0")
        try need(volShockCap.isFinite && volShockCap >= 1, "vol_shock_cap", "\(volShockCap) must be ≥ 1")
        try need(volDown.isFinite && volDown >= 0 && volDown * volShockCap < 1, "vol_down",
                 "\(volDown) × cap \(volShockCap) must stay below 1 (a shock may not take σ to 0)")
        try need(volShockExponent.isFinite && volShockExponent >= 0 && volShockReferenceDays > 0, "vol_shock_exponent", "must be ≥ 0")
        try need(extremeMultiple.isFinite && extremeMultiple >= 1, "extreme_multiple", "\(extremeMultiple) must be ≥ 1")
        try need(extremeWeight.isFinite && extremeWeight >= 0 && extremeWeight <= 1, "extreme_weight", "\(extremeWeight) must be in [0, 1]")
        try need(maxDownMove.isFinite && maxDownMove > 0 && maxDownMove < 1, "max_down_move", "\(maxDownMove) must be in (0, 1)")
        try need(shortOptionMinimum.isFinite && shortOptionMinimum >= 0 && shortOptionMinimum < 1, "short_option_minimum", "must be in [0, 1)")
        try need(rate.isFinite && abs(rate) <= 1, "rate", "\(rate) must be a fraction in [−1, 1]")
        try need(initialMultiple.isFinite && initialMultiple >= 1 && initialMultiple <= 10, "initial_multiple",
                 "\(initialMultiple) must be in [1, 10]")
    }
}

import Foundation

/// The option end-to-end tests' own option maths, written from docs/options.md and the fake venue's
/// smile (Sources/fake-venue/OptionVenues.swift), never calling OracleCore: Black-76 with r = 0, the
/// fake's SVI implied vol, and the scenario-grid requirement for one underlying.
enum OptionModel {
    static let dayMs: Int64 = 86_400_000
    static let yearMs = 365.0 * 86_400_000

    /// The fake venue's default smile (FakeVolState): implied vol at log-moneyness k is
    /// √(a + b(ρ(k − m) + √((k − m)² + σ²))) × spike, the same at every expiry (w = T·SVI(k)).
    static let a = 0.16, b = 0.2, rho = -0.3, m = 0.0, sigma = 0.2

    static func fakeVol(strike: Double, forward: Double, spike: Double) -> Double {
        let x = log(strike / forward) - m
        return (a + b * (rho * x + (x * x + sigma * sigma).squareRoot())).squareRoot() * spike
    }

    /// The fake venue's listed expiries: `days` after today's 00:00 UTC, at 08:00 UTC.
    static func listedExpiry(days: Int, nowMs: Int64) -> Int64 {
        nowMs - nowMs % dayMs + Int64(days) * dayMs + 8 * 3_600_000
    }

    static func years(_ expiryMs: Int64, nowMs: Int64) -> Double { Double(expiryMs - nowMs) / yearMs }

    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    static func pdf(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    /// Black-76, r = 0: price per unit of underlying.
    static func price(call: Bool, forward f: Double, strike k: Double, vol s: Double, years t: Double) -> Double {
        guard t > 0, s * t.squareRoot() > 1e-12 else { return max(call ? f - k : k - f, 0) }
        let sd = s * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd, d2 = d1 - sd
        return call ? f * cdf(d1) - k * cdf(d2) : k * cdf(-d2) - f * cdf(-d1)
    }

    static func delta(call: Bool, forward f: Double, strike k: Double, vol s: Double, years t: Double) -> Double {
        let sd = s * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd
        return call ? cdf(d1) : cdf(d1) - 1
    }

    /// Vega per 1.00 of vol (not per point): F·φ(d1)·√T.
    static func vega(forward f: Double, strike k: Double, vol s: Double, years t: Double) -> Double {
        let sd = s * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd
        return f * pdf(d1) * t.squareRoot()
    }

    /// One position on the underlying: an option (`call` set) or linear (`call` nil).
    struct Leg {
        var call: Bool?
        var strike = 0.0
        var expiryMs: Int64 = 0
        var quantity: Double
        var entry: Double

        static func option(call: Bool, strike: Double, expiryMs: Int64, quantity: Double, entry: Double) -> Leg {
            Leg(call: call, strike: strike, expiryMs: expiryMs, quantity: quantity, entry: entry)
        }
        static func linear(quantity: Double, entry: Double) -> Leg { Leg(call: nil, quantity: quantity, entry: entry) }

        func vol(forward: Double, spike: Double) -> Double { OptionModel.fakeVol(strike: strike, forward: forward, spike: spike) }

        /// Value per unit now (the forward itself for a linear leg).
        func value(forward f: Double, spike: Double, nowMs: Int64) -> Double {
            guard let call else { return f }
            return OptionModel.price(call: call, forward: f, strike: strike, vol: vol(forward: f, spike: spike),
                                     years: OptionModel.years(expiryMs, nowMs: nowMs))
        }

        /// |q| × vega per 1.00 of vol (0 for a linear leg): the USD an error of 1.00 in σ would move it.
        func vegaExposure(forward f: Double, spike: Double, nowMs: Int64) -> Double {
            guard call != nil else { return 0 }
            return abs(quantity) * OptionModel.vega(forward: f, strike: strike, vol: vol(forward: f, spike: spike),
                                                    years: OptionModel.years(expiryMs, nowMs: nowMs))
        }
    }

    /// The grid's answer for one underlying (docs/options.md "The scenario grid").
    struct Grid {
        var requirement: Double
        var worstLoss: Double
        var shortMinimum: Double
        /// The worst scenario: the price move as a fraction, and the vol state (-1 down, 0 none, 1 up).
        var worstMove: Double
        var worstVol: Int
        var worstIsExtreme: Bool
    }

    /// The default grid (R = 16 % for BTC, 8 steps, vol −30 %/+45 % × min(2, (30/days)^0.3), extremes
    /// ±3R at 33 % with vol none and up, short minimum 1 % × F × |q|) over `legs` on one underlying
    /// with forward `f`, every option at the fake's σ × `spike`, time held still.
    static func grid(_ legs: [Leg], forward f: Double, spike: Double, nowMs: Int64, range: Double = 0.16) -> Grid {
        let n = 8
        var worst = (pnl: Double.infinity, move: 0.0, vol: 0, extreme: false)
        for v in -1...1 {
            for k in -n...n {
                let move = Double(k) / Double(n) * range
                let p = scenarioPnL(legs, forward: f, spike: spike, nowMs: nowMs, move: move, volState: v)
                if p < worst.pnl { worst = (p, move, v, false) }
            }
        }
        for move in [-min(3 * range, 0.95), 3 * range] {
            for v in 0...1 {
                let p = 0.33 * scenarioPnL(legs, forward: f, spike: spike, nowMs: nowMs, move: move, volState: v)
                if p < worst.pnl { worst = (p, move, v, true) }
            }
        }
        let worstLoss = max(0, -worst.pnl)
        let shortMinimum = legs.filter { $0.call != nil && $0.quantity < 0 }.reduce(0) { $0 + 0.01 * f * -$1.quantity }
        return Grid(requirement: max(worstLoss, shortMinimum), worstLoss: worstLoss, shortMinimum: shortMinimum,
                    worstMove: worst.move, worstVol: worst.vol, worstIsExtreme: worst.extreme)
    }

    /// P&L (unweighted) of `legs` when the forward moves by `move` (a fraction) and every option's σ
    /// takes the vol state (−1 down, 0 none, 1 up), time held still.
    static func scenarioPnL(_ legs: [Leg], forward f: Double, spike: Double, nowMs: Int64, move: Double, volState: Int) -> Double {
        var total = 0.0
        for leg in legs {
            guard let call = leg.call else { total += leg.quantity * f * move; continue }
            let t = years(leg.expiryMs, nowMs: nowMs)
            let s = leg.vol(forward: f, spike: spike)
            let scale = min(2.0, pow(30.0 / (t * 365), 0.3))
            let shocked = s * (volState < 0 ? 1 - 0.30 * scale : volState > 0 ? 1 + 0.45 * scale : 1)
            total += leg.quantity * (price(call: call, forward: f * (1 + move), strike: leg.strike, vol: shocked, years: t)
                                     - price(call: call, forward: f, strike: leg.strike, vol: s, years: t))
        }
        return total
    }

    /// Greeks per unit, r = 0, Deribit units: delta, gamma per USD, vega per vol point, theta per day.
    static func greeks(call: Bool, forward f: Double, strike k: Double, vol s: Double, years t: Double)
        -> (delta: Double, gamma: Double, vega: Double, theta: Double) {
        let sd = s * t.squareRoot()
        let d1 = (log(f / k) + sd * sd / 2) / sd
        return (call ? cdf(d1) : cdf(d1) - 1, pdf(d1) / (f * sd), f * pdf(d1) * t.squareRoot() / 100,
                -f * pdf(d1) * s / (2 * t.squareRoot()) / 365)
    }

    /// Equity of USD collateral plus `legs`: usd + Σ q × (value − entry).
    static func equity(usd: Double, _ legs: [Leg], forward f: Double, spike: Double, nowMs: Int64) -> Double {
        usd + legs.reduce(0) { $0 + $1.quantity * ($1.value(forward: f, spike: spike, nowMs: nowMs) - $1.entry) }
    }
}

/// An account for the option suites, written as the import NDJSON line.
struct OptionAccount {
    var id: String
    var usd: Double
    var legs: [OptionModel.Leg]
    /// Write options by their Deribit name (`BTC-13DEC26-67000-C`) instead of the object form.
    var venueNames = false

    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    static func deribitName(call: Bool, strike: Double, expiryMs: Int64) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(expiryMs) / 1000))
        return "BTC-\(c.day!)\(months[c.month! - 1])\(String(format: "%02d", c.year! % 100))-\(Int(strike))-\(call ? "C" : "P")"
    }

    static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    func json() -> String {
        let positions = legs.map { leg -> String in
            let q = ModelAccount.dec(leg.quantity, 3), e = ModelAccount.dec(leg.entry, 2)
            guard let call = leg.call else { return #"{"pair":"BTC-USD","quantity":"\#(q)","entry_price":"\#(e)"}"# }
            let contract = venueNames
                ? #""\#(Self.deribitName(call: call, strike: leg.strike, expiryMs: leg.expiryMs))""#
                : #"{"underlying":"BTC-USD","right":"\#(call ? "call" : "put")","strike":"\#(Int(leg.strike))","expiry":"\#(Self.iso(leg.expiryMs))"}"#
            return #"{"option":\#(contract),"quantity":"\#(q)","entry_price":"\#(e)"}"#
        }
        return #"{"id":"\#(id)","collateral":[{"asset":"USD","amount":"\#(ModelAccount.dec(usd, 2))"}],"positions":[\#(positions.joined(separator: ","))]}"#
    }
}

/// A number the API writes as a decimal string (or a JSON number).
func apiNumber(_ any: Any?) -> Double? {
    if let s = any as? String { return Double(s) }
    if let n = any as? NSNumber { return n.doubleValue }
    return nil
}

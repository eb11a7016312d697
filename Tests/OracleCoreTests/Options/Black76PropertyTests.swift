import Foundation
import Testing
@testable import OracleCore

/// Properties any correct Black-76 must have, at many seeded random points: put–call parity, each
/// Greek equal to a central finite difference of the price, the expiry and zero-vol limits, and typed
/// errors (never a NaN price) for non-finite or absurd inputs.
@Suite struct Black76PropertyTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * next() }
    }

    /// (F, K, σ, T, r) with K from 0.5F to 2F, σ 5–200 %, T 1 day – 3 years, r −2 %…+8 %.
    static func points(_ n: Int, seed: UInt64) -> [(f: Double, k: Double, sigma: Double, t: Double, r: Double)] {
        var rng = Rng(state: seed)
        return (0..<n).map { _ in
            let f = exp(rng.uniform(log(1.0), log(200_000.0)))
            return (f, f * exp(rng.uniform(log(0.5), log(2.0))), rng.uniform(0.05, 2.0),
                    exp(rng.uniform(log(1 / 365.0), log(3.0))), rng.uniform(-0.02, 0.08))
        }
    }

    @Test func putCallParityAtRandomPoints() throws {
        for p in Self.points(2_000, seed: 7) {
            let c = try Black76.value(.call, forward: p.f, strike: p.k, volatility: p.sigma, years: p.t, rate: p.r)
            let q = try Black76.value(.put, forward: p.f, strike: p.k, volatility: p.sigma, years: p.t, rate: p.r)
            let d = exp(-p.r * p.t)
            // C − P = D(F − K); delta_C − delta_P = D; gamma, vega equal; theta_C − theta_P = r·D(F − K)/365.
            #expect(abs((c.price - q.price) - d * (p.f - p.k)) <= 1e-11 * max(p.f, p.k), "\(p)")
            #expect(abs((c.delta - q.delta) - d) <= 1e-13, "\(p)")
            #expect(abs(c.gamma - q.gamma) <= 1e-12 * abs(c.gamma) + 1e-300, "\(p)")
            #expect(abs(c.vega - q.vega) <= 1e-12 * abs(c.vega), "\(p)")
            #expect(abs((c.theta - q.theta) - p.r * d * (p.f - p.k) / 365) <= 1e-11 * max(p.f, p.k) / 365 + 1e-9 * abs(c.theta), "\(p)")
            // Deribit-style rho: ρ_C − ρ_P = K·T·D/100.
            #expect(abs((c.rho - q.rho) - p.k * p.t * d / 100) <= 1e-11 * p.k * p.t, "\(p)")
            #expect(c.price >= 0 && q.price >= 0)
        }
    }

    @Test func greeksAreFiniteDifferencesOfThePrice() throws {
        var worst = [String: Double]()
        for p in Self.points(400, seed: 11) {
            for right in OptionRight.allCases {
                func price(f: Double? = nil, sigma: Double? = nil, t: Double? = nil, r: Double? = nil) throws -> Double {
                    try Black76.price(right, forward: f ?? p.f, strike: p.k, volatility: sigma ?? p.sigma, years: t ?? p.t, rate: r ?? p.r)
                }
                let g = try Black76.value(right, forward: p.f, strike: p.k, volatility: p.sigma, years: p.t, rate: p.r)
                let hf = p.f * min(1e-4, p.sigma * p.t.squareRoot() * 1e-3), hs = 1e-5, ht = p.t * 1e-5, hr = 1e-6
                let v0 = try price()
                let delta = (try price(f: p.f + hf) - price(f: p.f - hf)) / (2 * hf)
                let gamma = (try price(f: p.f + hf) - 2 * v0 + price(f: p.f - hf)) / (hf * hf)
                let vega = (try price(sigma: p.sigma + hs) - price(sigma: p.sigma - hs)) / (2 * hs) / 100
                let theta = -(try price(t: p.t + ht) - price(t: p.t - ht)) / (2 * ht) / 365
                // Rho holds the spot S = F·e^{−rT}: F moves with r.
                let s = p.f * exp(-p.r * p.t)
                let rho = (try price(f: s * exp((p.r + hr) * p.t), r: p.r + hr) - price(f: s * exp((p.r - hr) * p.t), r: p.r - hr)) / (2 * hr) / 100
                // Errors relative to the natural scale of each Greek (so deep OTM zeros do not divide by ~0).
                let scale = max(p.f, p.k)
                func check(_ name: String, _ analytic: Double, _ numeric: Double, _ unit: Double, _ tol: Double) {
                    let e = abs(analytic - numeric) / unit
                    worst[name] = max(worst[name] ?? 0, e)
                    #expect(e <= tol, "\(name) \(right) \(p): analytic \(analytic) numeric \(numeric)")
                }
                check("delta", g.delta, delta, 1, 1e-7)
                check("gamma", g.gamma, gamma, max(g.gamma, 1 / (scale * p.sigma * p.t.squareRoot()) * 1e-3), 1e-3)
                check("vega", g.vega, vega, scale * p.t.squareRoot() / 100, 1e-7)
                check("theta", g.theta, theta, scale * p.sigma / p.t.squareRoot() / 365 + 1e-300, 1e-6)
                check("rho", g.rho, rho, scale * p.t / 100, 1e-6)
            }
        }
        #expect(worst.count == 5)
    }

    @Test func atAndAfterExpiryIsIntrinsicWithADeltaStep() throws {
        for t in [0.0, -1.0 / 365] {
            let itm = try Black76.value(.call, forward: 110, strike: 100, volatility: 0.5, years: t)
            #expect(itm == OptionGreeks(price: 10, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0))
            let otmPut = try Black76.value(.put, forward: 110, strike: 100, volatility: 0.5, years: t)
            #expect(otmPut == .zero)
            let itmPut = try Black76.value(.put, forward: 90, strike: 100, volatility: 0.5, years: t, rate: 0.05)
            #expect(itmPut == OptionGreeks(price: 10, delta: -1, gamma: 0, vega: 0, theta: 0, rho: 0))
            #expect(try Black76.value(.call, forward: 100, strike: 100, volatility: 0.5, years: t).delta == 0.5)
        }
    }

    @Test func zeroVolatilityAndTheLastSecondsConvergeToIntrinsic() throws {
        let zero = try Black76.value(.call, forward: 120, strike: 100, volatility: 0, years: 0.5, rate: 0.02)
        #expect(abs(zero.price - exp(-0.01) * 20) < 1e-12)
        #expect(abs(zero.delta - exp(-0.01)) < 1e-15 && zero.gamma == 0)
        #expect(try Black76.value(.put, forward: 120, strike: 100, volatility: 0, years: 0.5) == OptionGreeks(price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0))
        // One millisecond before expiry: continuous with the expiry value, nothing non-finite.
        let ms = 1 / Black76.msPerYear
        for (f, k) in [(100.0, 100.0), (101.0, 100.0), (99.0, 100.0)] {
            for right in OptionRight.allCases {
                let near = try Black76.value(right, forward: f, strike: k, volatility: 0.8, years: ms)
                let at = try Black76.value(right, forward: f, strike: k, volatility: 0.8, years: 0)
                #expect(abs(near.price - at.price) < 1e-3 * f, "\(right) \(f)")
                for x in [near.price, near.delta, near.gamma, near.vega, near.theta, near.rho] { #expect(x.isFinite) }
            }
        }
        // Tiny σ√T (below 1e-12) takes the limit instead of dividing by ~0.
        let tiny = try Black76.value(.call, forward: 100, strike: 100, volatility: 1e-15, years: 1)
        #expect(tiny.price == 0 && tiny.delta == 0.5 && tiny.gamma == 0)
    }

    @Test func deepTailsKeepPrecision() throws {
        // A put 50 % out of the money at 20 % vol and 1 week is ~1e-100 USD: an N(x) by 1 − N(−x) would give 0 or noise.
        let p = try Black76.value(.put, forward: 100, strike: 50, volatility: 0.2, years: 7 / 365.0)
        #expect(p.price >= 0 && p.price < 1e-50)
        let c = try Black76.value(.call, forward: 100, strike: 200, volatility: 0.2, years: 7 / 365.0)
        #expect(c.price >= 0 && c.price < 1e-50 && c.delta >= 0)
    }

    @Test(arguments: [
        (Double.nan, 100.0, 0.5, 1.0, 0.0, "forward", OptionError.Code.nonFinite),
        (100, .infinity, 0.5, 1, 0, "strike", .nonFinite),
        (100, 100, .nan, 1, 0, "volatility", .nonFinite),
        (100, 100, 0.5, .infinity, 0, "years", .nonFinite),
        (100, 100, 0.5, 1, .nan, "rate", .nonFinite),
        (0, 100, 0.5, 1, 0, "forward", .outOfRange),
        (-100, 100, 0.5, 1, 0, "forward", .outOfRange),
        (100, 0, 0.5, 1, 0, "strike", .outOfRange),
        (100, 100, -0.1, 1, 0, "volatility", .outOfRange),
        (100, 100, 45.43, 1, 0, "volatility", .outOfRange),     // percent given where a fraction belongs
        (100, 100, 0.5, 1, 3, "rate", .outOfRange),
    ])
    func badInputsAreTypedErrors(_ f: Double, _ k: Double, _ sigma: Double, _ t: Double, _ r: Double, _ field: String, _ code: OptionError.Code) {
        for right in OptionRight.allCases {
            do {
                let v = try Black76.value(right, forward: f, strike: k, volatility: sigma, years: t, rate: r)
                Issue.record("valued \(v)")
            } catch {
                #expect(error.field == field && error.code == code, "\(error)")
            }
            #expect(throws: OptionError.self) { try Black76.price(right, forward: f, strike: k, volatility: sigma, years: t, rate: r) }
        }
    }
}

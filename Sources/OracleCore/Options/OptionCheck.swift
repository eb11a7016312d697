/// The inputs of `oracled option`, checked, and its output: a risk manager's way to reproduce any price
/// or Greek the daemon shows, by hand. Lives in the core so the command stays wiring and the checks
/// (each error names the command-line option) are unit-tested.
public struct OptionCheck: Sendable, Equatable {
    public var right: OptionRight
    public var strike: Double
    public var expiryMs: Int64
    public var forward: Double
    public var volatility: Double
    public var atMs: Int64
    public var rate: Double

    /// Parses the command's text arguments; errors name `--right`, `--strike`, … and what to write.
    public init(right: String, strike: String, expiry: String, forward: String, vol: String, at: String,
                rate: String = "0") throws(OptionError) {
        guard let r = OptionRight(text: right) else {
            throw OptionError(.invalidValue, field: "--right", "\"\(right)\" is not a right; write call or put")
        }
        self.right = r
        self.strike = try OptionContract.checkStrike(strike, field: "--strike").value
        self.expiryMs = try OptionContract.parseExpiry(expiry, field: "--expiry")
        self.atMs = try OptionContract.parseExpiry(at, field: "--at")
        func decimal(_ text: String, _ field: String, _ hint: String) throws(OptionError) -> Double {
            guard let v = DecimalText.parse(text), v.isFinite else {
                throw OptionError(.invalidValue, field: field, "\"\(text)\" is not a decimal; \(hint)")
            }
            return v
        }
        self.forward = try decimal(forward, "--forward", "write the forward in USD, e.g. 116086.34")
        self.volatility = try decimal(vol, "--vol", "write a fraction, e.g. 0.4543 for 45.43 %")
        self.rate = try decimal(rate, "--rate", "write a fraction, e.g. 0.05 for 5 %")
        do {
            try Black76.check(forward: self.forward, strike: self.strike, volatility: self.volatility, years: 0, rate: self.rate)
        } catch {
            let names = ["forward": "--forward", "strike": "--strike", "volatility": "--vol", "rate": "--rate"]
            throw OptionError(error.code, field: names[error.field] ?? error.field, error.message)
        }
    }

    /// Years to expiry (ACT/365) at `--at`.
    public var years: Double { Black76.years(from: atMs, to: expiryMs) }

    public func value() -> OptionGreeks {
        Black76.uncheckedValue(right, forward: forward, strike: strike, volatility: volatility, years: years, rate: rate)
    }

    /// `{"price": …, "delta": …, "gamma": …, "vega": …, "theta": …, "rho": …, "years": …}`: numbers as
    /// JSON numbers with every digit a Double has (round-trips exactly).
    public func json() -> String {
        let v = value()
        return "{\"price\": \(v.price), \"delta\": \(v.delta), \"gamma\": \(v.gamma), \"vega\": \(v.vega), "
            + "\"theta\": \(v.theta), \"rho\": \(v.rho), \"years\": \(years)}"
    }

    /// One labelled line per figure with its unit, for a terminal.
    public func text() -> String {
        let v = value()
        return """
            price  \(v.price) USD
            delta  \(v.delta)
            gamma  \(v.gamma) per USD
            vega   \(v.vega) USD per vol point
            theta  \(v.theta) USD per calendar day
            rho    \(v.rho) USD per rate point
            years  \(years) (ACT/365 from --at to --expiry)
            """
    }
}

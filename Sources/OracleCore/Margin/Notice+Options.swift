extension Notice {
    /// One option position as a notice names it: the contract by its venue name, the σ it was
    /// valued at, its Black-76 price per contract and its value (quantity × price), and its Greeks
    /// × quantity (units of `OptionGreeks`).
    public struct OptionLine: Sendable, Equatable {
        public var contract: OptionContract
        public var quantity: Double
        /// nil at or after expiry (valued at intrinsic, no σ used).
        public var volatility: Double?
        public var price: Double
        public var greeks: OptionGreeks?

        public init(contract: OptionContract, quantity: Double, volatility: Double?, price: Double, greeks: OptionGreeks?) {
            self.contract = contract
            self.quantity = quantity
            self.volatility = volatility
            self.price = price
            self.greeks = greeks
        }

        /// quantity × price: what the position is worth now (negative when short).
        public var value: Double { quantity * price }
    }

    /// What a notice for an account holding options adds: the grid's figures with its per-underlying
    /// Greeks (`Valuation.OptionMargin`, the very figures the requirement came from) and the option lines.
    public struct Options: Sendable, Equatable {
        public var margin: Valuation.OptionMargin
        public var lines: [OptionLine]

        public init(margin: Valuation.OptionMargin, lines: [OptionLine]) {
            self.margin = margin
            self.lines = lines
        }

        /// From the valuation behind the notice; nil when it holds no option.
        public init?(valuation v: Valuation) {
            guard let m = v.optionMargin else { return nil }
            self.init(margin: m, lines: v.positions.compactMap { p in
                p.option.map { OptionLine(contract: $0, quantity: p.quantity, volatility: p.volatility, price: p.valuationPrice, greeks: p.greeks) }
            })
        }
    }
}

extension Notice.Options {
    /// A figure as the notice writes numbers (decimal string), `null` if not finite: a bug must not
    /// put "inf" or a silent 0 into a notice.
    static func dec(_ v: Double?, _ digits: Int) -> String {
        guard let v, v.isFinite else { return "null" }
        return JSONString.quoted(DecimalText.format(v, maxFractionDigits: digits))
    }

    /// Gamma per USD is ~1e-5 for one BTC option: 10 digits keep its significant figures.
    static func lineGreeksJSON(_ g: OptionGreeks) -> String {
        "{\"delta\":" + dec(g.delta, 6) + ",\"gamma\":" + dec(g.gamma, 10) + ",\"vega\":" + dec(g.vega, 4)
            + ",\"theta\":" + dec(g.theta, 4) + "}"
    }

    /// `risk.option_grid`, as `GET /v1/accounts/{id}` writes it.
    func gridJSON() -> String {
        var s = "{\"requirement\":" + Self.dec(margin.requirement, 2) + ",\"initial\":" + Self.dec(margin.initial, 2)
            + ",\"worst_loss\":" + Self.dec(margin.worstLoss, 2) + ",\"short_option_minimum\":" + Self.dec(margin.shortOptionMinimum, 2)
            + ",\"worst_scenario\":"
        if let w = margin.worst {
            s += "{\"driver\":" + JSONString.quoted(w.driver) + ",\"moves\":{"
                + w.moves.sorted { $0.key < $1.key }.map { JSONString.quoted($0.key) + ":" + Self.dec($0.value, 6) }.joined(separator: ",")
                + "},\"vol_shock\":\"" + Self.volShockName(w.volShock) + "\",\"extreme\":" + (w.extreme ? "true" : "false")
                + ",\"weight\":" + Self.dec(w.weight, 4) + ",\"pnl\":" + Self.dec(w.pnl, 2) + "}"
        } else {
            s += "null"
        }
        return s + "}"
    }

    static func volShockName(_ v: VolShock) -> String {
        switch v {
        case .down: "down"
        case .none: "none"
        case .up: "up"
        }
    }

    /// Top-level `greeks`: per underlying (linear positions on it add their quantity to delta), and
    /// the account's vega and theta (USD, so they add across underlyings).
    func greeksJSON() -> String {
        "{\"by_underlying\":{" + margin.risk.map { r in
            JSONString.quoted(r.underlying) + ":{\"delta\":" + Self.dec(r.greeks.delta, 6) + ",\"delta_usd\":" + Self.dec(r.deltaUSD, 2)
                + ",\"gamma\":" + Self.dec(r.greeks.gamma, 10) + ",\"vega\":" + Self.dec(r.greeks.vega, 4)
                + ",\"theta\":" + Self.dec(r.greeks.theta, 4) + ",\"option_value\":" + Self.dec(r.greeks.price, 2) + "}"
        }.joined(separator: ",") + "},\"vega\":" + Self.dec(margin.vega, 4) + ",\"theta\":" + Self.dec(margin.theta, 4) + "}"
    }

    /// `option_positions`: each option by its venue name with σ, price per contract and value.
    func linesJSON() -> String {
        "[" + lines.map { l in
            "{\"name\":" + JSONString.quoted(l.contract.venueName) + ",\"underlying\":" + JSONString.quoted(l.contract.underlying)
                + ",\"right\":\"" + l.contract.right.rawValue + "\",\"strike\":" + JSONString.quoted(l.contract.strike.text)
                + ",\"expiry\":\"" + RFC3339.format(ms: l.contract.expiryMs) + "\",\"quantity\":" + Self.dec(l.quantity, 8)
                + ",\"volatility\":" + Self.dec(l.volatility, 6) + ",\"price\":" + Self.dec(l.price, 6)
                + ",\"value\":" + Self.dec(l.value, 2) + ",\"greeks\":" + (l.greeks.map(Self.lineGreeksJSON) ?? "null") + "}"
        }.joined(separator: ",") + "]"
    }

    /// Appended to the syslog line: ` grid 1234.5 USD worst BTC-USD -16% vol up; BTC-USD delta -1.2 ($-120000) gamma … vega … theta …`.
    func syslogText(currency: String) -> String {
        func f(_ v: Double, _ d: Int) -> String { v.isFinite ? DecimalText.format(v, maxFractionDigits: d) : "nan" }
        var s = " options: grid \(f(margin.requirement, 2)) \(currency)"
        if let w = margin.worst {
            let move = w.moves[w.driver] ?? 0
            s += " worst \(w.driver) \(move >= 0 ? "+" : "")\(f(move * 100, 2))% vol \(Self.volShockName(w.volShock))"
            s += " pnl \(f(w.pnl, 2))"
        }
        for r in margin.risk {
            s += "; \(r.underlying) delta \(f(r.greeks.delta, 4)) (\(f(r.deltaUSD, 2)) \(currency)) gamma \(f(r.greeks.gamma, 8))"
                + " vega \(f(r.greeks.vega, 2)) theta \(f(r.greeks.theta, 2))"
        }
        return s
    }
}

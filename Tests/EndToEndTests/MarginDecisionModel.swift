import Foundation

/// The config and the test's own margin arithmetic for `MarginDecisionEndToEndTests`: conservative
/// prices, BTC and ETH collateral with haircuts (BTC tiered by value), BTC-USD with size tiers.
/// Everything here is written from docs/margin-model.md and docs/margin-levels.md, not by calling
/// OracleCore, so that a wrong figure in a delivered notice shows up as a disagreement.
enum DecisionScenario {
    static let venues: [(name: String, btc: String, eth: String)] = [
        ("coinbase", "BTC-USD", "ETH-USD"), ("kraken", "XBTUSD", "ETHUSD"), ("bitfinex", "tBTCUSD", "tETHUSD"),
    ]
    /// BTC-USD: 5 % / 10 % up to 200,000 of notional, 7.5 % / 15 % above.
    static let btcMaintenance = 0.05, btcInitial = 0.10
    static let btcTierFrom = 200_000.0, btcTierMaintenance = 0.075, btcTierInitial = 0.15
    /// ETH-USD: 1/16 and 1/8, exact in binary, so that a threshold can be hit exactly.
    static let ethMaintenance = 0.0625, ethInitial = 0.125
    /// BTC collateral: 10 % up to 100,000 of value, 20 % above. ETH: 15 %.
    static let btcHaircut = 0.10, btcHaircutTierFrom = 100_000.0, btcHaircutTier = 0.20
    static let ethHaircut = 0.15

    static func config(dir: String, venueURL: String, syslogSocket: String? = nil, pollInterval: String = "200ms",
                       maxAge: String = "3s", margin: String) -> String {
        var s = """
        [daemon]
        socket = "\(dir)/oracled.sock"
        state_dir = "\(dir)/lib"
        spool_dir = "\(dir)/spool"
        poll_interval = "\(pollInterval)"

        """
        if let syslogSocket { s += "syslog_socket = \"\(syslogSocket)\"\n" }
        s += """

        [aggregation]
        min_sources = 3
        max_age = "\(maxAge)"
        max_hold = "1s"
        frozen_cycles = 1000000

        """
        for v in venues { s += MarginScenario.source(v.name, venueURL: venueURL) }
        s += "[[pair]]\nsymbol = \"BTC-USD\"\nmaintenance_margin = \(btcMaintenance)\ninitial_margin = \(btcInitial)\n"
        s += "tiers = [{ from_notional = \(Int(btcTierFrom)), maintenance_margin = \(btcTierMaintenance), initial_margin = \(btcTierInitial) }]\n"
        s += "sources = [\n" + venues.map { "  { source = \"\($0.name)\", symbol = \"\($0.btc)\" },\n" }.joined() + "]\n\n"
        s += "[[pair]]\nsymbol = \"ETH-USD\"\nmaintenance_margin = \(ethMaintenance)\ninitial_margin = \(ethInitial)\n"
        s += "sources = [\n" + venues.map { "  { source = \"\($0.name)\", symbol = \"\($0.eth)\" },\n" }.joined() + "]\n\n"
        s += """
        [[collateral]]
        asset = "BTC"
        pair = "BTC-USD"
        haircut = \(btcHaircut)
        tiers = [{ from_value = \(Int(btcHaircutTierFrom)), haircut = \(btcHaircutTier) }]

        [[collateral]]
        asset = "ETH"
        pair = "ETH-USD"
        haircut = \(ethHaircut)

        [margin]
        currency = "USD"
        warn_ratio = 1.30
        warn_exit_ratio = 1.40
        call_ratio = 1.10
        urgent_ratio = 1.00
        liquidation_ratio = 0.90
        min_trigger_sources = 2
        \(margin)

        """
        return s
    }
}

/// One account's holdings, as the test PUTs them.
struct Holdings {
    var usd: Double = 0
    var btcCollateral: Double = 0
    var ethCollateral: Double = 0
    /// (pair, quantity, entry price)
    var positions: [(pair: String, quantity: Double, entry: Double)] = []

    /// Decimal strings as written (USD to 5 places so a dyadic amount such as 1719.09375 is exact).
    func json(id: String) -> String {
        var c = [#"{"asset":"USD","amount":"\#(Self.dec(usd, 5))"}"#]
        if btcCollateral != 0 { c.append(#"{"asset":"BTC","amount":"\#(Self.dec(btcCollateral, 8))"}"#) }
        if ethCollateral != 0 { c.append(#"{"asset":"ETH","amount":"\#(Self.dec(ethCollateral, 8))"}"#) }
        let p = positions.map { #"{"pair":"\#($0.pair)","quantity":"\#(Self.dec($0.quantity, 4))","entry_price":"\#(Self.dec($0.entry, 4))"}"# }
        return #"{"id":"\#(id)","collateral":[\#(c.joined(separator: ","))],"positions":[\#(p.joined(separator: ","))]}"#
    }

    static func dec(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
    static func round(_ v: Double, _ digits: Int) -> Double { Double(dec(v, digits)) ?? v }
}

/// A mark as a notice (or /v1/prices) publishes it.
struct PublishedMark {
    var price: Double
    var confidence: Double
    /// Conservative side for collateral and longs; shorts take price + confidence.
    var low: Double { max(0, price - confidence) }
}

/// docs/margin-model.md §1–2 and docs/margin-levels.md "Deficit and top-up", re-implemented.
struct DecisionFigures {
    var equity: Double
    var maintenance: Double
    var initial: Double
    var ratio: Double { maintenance > 0 ? equity / maintenance : .infinity }
    /// Holdings the deposit would land on (for the tiered BTC top-up).
    var btcHeldValue: Double
    var marks: [String: PublishedMark]

    static func of(_ h: Holdings, marks: [String: PublishedMark]) -> DecisionFigures? {
        typealias S = DecisionScenario
        var equity = h.usd
        var btcHeld = 0.0
        if h.btcCollateral != 0 {
            guard let m = marks["BTC-USD"] else { return nil }
            btcHeld = h.btcCollateral * m.low
            equity += countedBTC(btcHeld)
        }
        if h.ethCollateral != 0 {
            guard let m = marks["ETH-USD"] else { return nil }
            equity += h.ethCollateral * m.low * (1 - S.ethHaircut)
        }
        var maintenance = 0.0, initial = 0.0
        for p in h.positions {
            guard let m = marks[p.pair] else { return nil }
            let valuation = p.quantity > 0 ? m.price - m.confidence : m.price + m.confidence
            equity += p.quantity * (valuation - p.entry)
            let notional = abs(p.quantity) * m.price
            if p.pair == "BTC-USD" {
                let below = min(notional, S.btcTierFrom), above = max(0, notional - S.btcTierFrom)
                maintenance += below * S.btcMaintenance + above * S.btcTierMaintenance
                initial += below * S.btcInitial + above * S.btcTierInitial
            } else {
                maintenance += notional * S.ethMaintenance
                initial += notional * S.ethInitial
            }
        }
        return DecisionFigures(equity: equity, maintenance: maintenance, initial: initial, btcHeldValue: btcHeld, marks: marks)
    }

    /// 10 % of the first 100,000 of value, 20 % of the rest.
    static func countedBTC(_ value: Double) -> Double {
        typealias S = DecisionScenario
        let below = min(value, S.btcHaircutTierFrom), above = max(0, value - S.btcHaircutTierFrom)
        return below * (1 - S.btcHaircut) + above * (1 - S.btcHaircutTier)
    }

    /// max(0, max(initial, call_exit × maintenance) − equity); call exit = 1.10 + 0.10.
    var deficit: Double { max(0, max(initial, 1.20 * maintenance) - equity) }

    /// Units of `asset` whose counted value alone covers the deficit (nil when it has no price).
    func topUp(_ asset: String) -> Double? {
        let d = deficit
        switch asset {
        case "USD": return d
        case "ETH":
            guard let m = marks["ETH-USD"], m.low > 0 else { return nil }
            return d / (m.low * (1 - DecisionScenario.ethHaircut))
        case "BTC":
            guard let m = marks["BTC-USD"], m.low > 0 else { return nil }
            // Bisection on the counted value added above what is held (the tiers are marginal).
            var lo = 0.0, hi = d / (1 - DecisionScenario.btcHaircutTier) + 1
            let base = Self.countedBTC(btcHeldValue)
            for _ in 0..<200 {
                let mid = (lo + hi) / 2
                if Self.countedBTC(btcHeldValue + mid) - base >= d { hi = mid } else { lo = mid }
            }
            return hi / m.low
        default: return nil
        }
    }

    /// The default ladder: escalation strictly below each threshold.
    static func rawLevel(_ ratio: Double) -> String {
        for (t, name) in [(0.90, "liquidation"), (1.00, "urgent"), (1.10, "margin_call"), (1.30, "warning")] where ratio < t {
            return name
        }
        return "none"
    }
}

/// Reading a delivered notice's figures.
extension Dictionary where Key == String, Value == Any {
    func decimal(_ key: String) -> Double? { (self[key] as? String).flatMap(Double.init) }

    var noticeMarks: [String: PublishedMark] {
        var out: [String: PublishedMark] = [:]
        for (pair, raw) in (self["marks"] as? [String: Any]) ?? [:] {
            guard let m = raw as? [String: Any], let p = m.decimal("price"), let c = m.decimal("confidence") else { continue }
            out[pair] = PublishedMark(price: p, confidence: c)
        }
        return out
    }

    func flag(_ key: String) -> Bool { self[key] as? Bool == true }
}

extension RunningDaemon {
    /// The mark of `pair` when it is `ok` on every source.
    func fullMark(_ pair: String, sources: Int = 3) -> PublishedMark? {
        guard let j = try? get("/v1/prices/\(pair)"), j["status"] as? String == "ok", j["sources_used"] as? Int == sources,
              let p = (j["price"] as? String).flatMap(Double.init) else { return nil }
        return PublishedMark(price: p, confidence: (j["confidence"] as? String).flatMap(Double.init) ?? 0)
    }

    func put(_ id: String, _ h: Holdings) throws -> Int {
        try client.request("PUT", "/v1/accounts/\(id)", body: h.json(id: id)).status
    }
}

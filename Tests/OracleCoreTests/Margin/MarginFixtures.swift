@testable import OracleCore

/// Shared universe and mark builders for the margin tests.
enum MarginFixtures {
    static func pair(_ symbol: String, mm: Double = 0.05, im: Double = 0.10, risk: PairRiskSpec = PairRiskSpec()) -> PairSpec {
        PairSpec(symbol: symbol, sources: [], policy: AggregationPolicy(), maintenanceMargin: mm, initialMargin: im, risk: risk)
    }

    static func universe(policy: MarginPolicy = MarginPolicy(), pairs extra: [PairSpec] = []) -> MarginUniverse {
        MarginUniverse(policy: policy,
                       collateral: [CollateralSpec(asset: "BTC", pair: "BTC-USD", haircut: 0.10),
                                    CollateralSpec(asset: "ETH", pair: "ETH-USD", haircut: 0.15),
                                    CollateralSpec(asset: "USDC", pair: "USDC-USD", haircut: 0.02)],
                       pairs: [pair("BTC-USD"), pair("ETH-USD"), pair("USDC-USD")] + extra)
    }

    static func mark(_ pair: String, _ price: Double?, conf: Double = 0, status: Mark.Status = .ok, sources: Int = 4) -> Mark {
        Mark(pair: pair, price: price, confidence: conf, status: status, sourcesUsed: sources, sourcesTotal: 5,
             updatedAtMs: 0, seq: 1, sources: [])
    }

    static func marks(_ list: Mark...) -> [String: Mark] {
        var d: [String: Mark] = [:]
        for m in list { d[m.pair] = m }
        return d
    }

    static func num(_ s: String) -> VenueNumber { VenueNumber(s) ?? VenueNumber(text: s, value: .nan) }

    static func account(_ id: String = "acct-1", collateral: [(String, String)] = [],
                        positions: [(String, String, String)] = []) -> Account {
        Account(id: id, collateral: collateral.map { CollateralBalance(asset: $0.0, amount: num($0.1)) },
                positions: positions.map { Position(pair: $0.0, quantity: num($0.1), entryPrice: num($0.2)) })
    }
}

import Foundation

/// `--synthetic-pairs N`: N made-up pairs `S0001-USD` … `SNNNN-USD`, listed on every venue (single
/// ticker and batch endpoints), each at a known price so a test or benchmark can compute the
/// mark it expects.
///
/// Rules (also printed by `fake-venue --help`, and followed by `scripts/synthetic-config.py`):
/// - pair i (1-based) is `S` + i zero-padded to `width` digits (4, or more for N ≥ 10 000) + `-USD`;
/// - its price is 100 + i/7 USD on every venue, times `tick` (1 in even wall-clock seconds,
///   1 + 1e-9 in odd ones): no per-venue offset, bid = price − 0.01, ask = price + 0.01,
///   last = price, all written with 8 decimals, so every source's mid and last are the price and
///   so is the mark, within 1e-9 of 100 + i/7 relative. The tick keeps values moving, so sources
///   without a venue timestamp (Binance, Bitfinex, Kraken, Gemini's pricefeed) are not taken for
///   frozen while the others' timestamps advance;
/// - the quote is USD on every venue (the fake lists it; no USDT conversion is needed);
/// - venue spellings follow each venue's usual rule for the base `S0001`: binance/bybit `S0001USD`,
///   okx/kucoin/coinbase `S0001-USD`, kraken `S0001USD`, bitstamp/gemini/htx `s0001usd`,
///   bitfinex `tS0001:USD` (Bitfinex writes a colon when an asset has more than three letters),
///   cryptocom `S0001_USD`, pyth feed id `5` followed by i zero-padded to 63 digits,
///   coingecko `synthetic-0001/usd`.
enum Synthetic {
    static func width(_ count: Int) -> Int { max(4, String(count).count) }

    static func base(_ i: Int, width: Int) -> String {
        "S" + String(repeating: "0", count: max(0, width - String(i).count)) + String(i)
    }

    static func price(_ i: Int) -> Double { 100 + Double(i) / 7 }

    /// The common factor all venues apply at `nowMs` (see the type's rules).
    static func tick(nowMs: Int64) -> Double { (nowMs / 1000) % 2 == 1 ? 1 + 1e-9 : 1 }

    static func pythID(_ i: Int) -> String {
        "5" + String(repeating: "0", count: 63 - String(i).count) + String(i)
    }

    static func geckoID(_ base: String) -> String { "synthetic-" + base.dropFirst() }

    /// True for a synthetic asset name (`S` and digits only).
    static func isSynthetic(_ base: String) -> Bool {
        base.count >= 5 && base.hasPrefix("S") && base.dropFirst().allSatisfy(\.isNumber)
    }

    /// The synthetic base a Pyth id or CoinGecko id stands for, nil when it is not one of ours.
    static func base(pythID id: String, width: Int) -> String? {
        guard id.count == 64, id.hasPrefix("5"), let i = Int(id.dropFirst()), i > 0 else { return nil }
        return base(i, width: width)
    }

    static func base(geckoID id: String) -> String? {
        guard id.hasPrefix("synthetic-") else { return nil }
        let digits = id.dropFirst("synthetic-".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        return "S" + digits
    }
}

import OracleCore

/// Per-venue defaults for `[[source]]` keys an operator may leave out.
///
/// Rate limits are deliberately well below each venue's published public limit (see the
/// venue notes in `Tests/Fixtures/venues/README.md`): oracled shares the IP with whatever else
/// runs on the host, several pairs share one venue's budget, and a ban (Binance 418, Bybit 403,
/// Bitfinex 60 s block, Pyth 60 s of 429) costs far more than a slightly older quote. Several
/// figures were recalled from docs and may be out of date, which is why every one of them is a
/// config value: re-check the venue's page before raising one.
public enum VenueDefaults {
    /// Public production endpoint (scheme + host) of each venue's adapter; nil for `generic`,
    /// which must always name its `base_url`.
    public static func baseURL(for kind: VenueKind) -> String? {
        switch kind {
        case .binance: return "https://api.binance.com"
        case .coinbase: return "https://api.exchange.coinbase.com"
        case .kraken: return "https://api.kraken.com"
        case .bitstamp: return "https://www.bitstamp.net"
        case .gemini: return "https://api.gemini.com"
        case .okx: return "https://www.okx.com"
        case .bybit: return "https://api.bybit.com"
        case .bitfinex: return "https://api-pub.bitfinex.com"
        case .kucoin: return "https://api.kucoin.com"
        case .htx: return "https://api.huobi.pro"
        case .cryptocom: return "https://api.crypto.com"
        case .pyth: return "https://hermes.pyth.network"
        case .coingecko: return "https://api.coingecko.com"
        case .generic: return nil
        }
    }

    /// Default token bucket (sustained requests per second, burst) for each kind.
    ///
    /// | kind | documented public limit | default |
    /// |---|---|---|
    /// | binance | 6000 weight/min, this call weight 2 (≈50/s) | 5/s, burst 10 |
    /// | coinbase | 10/s, bursts to 15 | 5/s, burst 10 |
    /// | kraken | call counter, no public figure | 1/s, burst 3 |
    /// | bitstamp | 400/s; 10,000 per 10 min (≈16/s) | 5/s, burst 10 |
    /// | gemini | 120/min, ≤1/s recommended | 1/s, burst 2 |
    /// | okx | 20 per 2 s | 5/s, burst 10 |
    /// | bybit | 600 per 5 s | 5/s, burst 10 |
    /// | bitfinex | 90/min, breach blocks the IP 60 s | 1/s, burst 2 |
    /// | kucoin | 2000 weight / 30 s, weight 2 | 5/s, burst 10 |
    /// | htx | 10/s | 5/s, burst 10 |
    /// | cryptocom | 100/s | 5/s, burst 10 |
    /// | pyth | 30 per 10 s, then 429 for 60 s | 2/s, burst 5 |
    /// | coingecko | keyless ≈5–15/min | 0.1/s, burst 1 |
    /// | generic | unknown | 1/s, burst 2 |
    public static func rateLimit(for kind: VenueKind) -> (perSecond: Double, burst: Int) {
        switch kind {
        case .binance, .coinbase, .bitstamp, .okx, .bybit, .kucoin, .htx, .cryptocom: return (5, 10)
        case .kraken: return (1, 3)
        case .gemini: return (1, 2)
        case .bitfinex: return (1, 2)
        case .pyth: return (2, 5)
        case .coingecko: return (0.1, 1)
        case .generic: return (1, 2)
        }
    }
}

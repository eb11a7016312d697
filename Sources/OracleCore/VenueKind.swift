/// The adapters oracled knows. Raw values are the `kind` strings of `[[source]]` in oracles.toml.
public enum VenueKind: String, Sendable, Equatable, Hashable, CaseIterable {
    case binance, coinbase, kraken, bitstamp, gemini, okx, bybit, bitfinex, kucoin, htx, cryptocom, pyth, coingecko
    case generic
}

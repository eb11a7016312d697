/// The venue adapters: request URLs, response parsing and the probe's JSON, per `VenueKind`.
///
/// Pure: bytes, status and headers in; a `Quote` or a classified `VenueError` out. No I/O,
/// no clock (the receive time travels in `VenueResponse`), so every rule is tested on
/// recorded bodies in microseconds.
public enum VenueAdapters {
    /// Parses one venue response for `symbol` (the venue's own spelling).
    ///
    /// Throws `VenueError` with the contract classes: the HTTP status is judged first, then
    /// errors the venue signals inside the body, then the quote itself. A body naming a
    /// different instrument than `symbol` is `other`. Decimal text is kept exactly as sent.
    public static func parse(_ kind: VenueKind, symbol: String, response: VenueResponse,
                             generic: GenericAdapterSpec? = nil) throws(VenueError) -> Quote {
        switch kind {
        case .binance: return try BinanceParser.parse(symbol: symbol, response: response)
        case .coinbase: return try CoinbaseParser.parse(symbol: symbol, response: response)
        case .kraken: return try KrakenParser.parse(symbol: symbol, response: response)
        case .bitstamp: return try BitstampParser.parse(symbol: symbol, response: response)
        case .gemini: return try GeminiParser.parse(symbol: symbol, response: response)
        case .okx: return try OKXParser.parse(symbol: symbol, response: response)
        case .bybit: return try BybitParser.parse(symbol: symbol, response: response)
        case .bitfinex: return try BitfinexParser.parse(symbol: symbol, response: response)
        case .kucoin: return try KuCoinParser.parse(symbol: symbol, response: response)
        case .htx: return try HTXParser.parse(symbol: symbol, response: response)
        case .cryptocom: return try CryptoComParser.parse(symbol: symbol, response: response)
        case .pyth: return try PythParser.parse(symbol: symbol, response: response)
        case .coingecko: return try CoinGeckoParser.parse(symbol: symbol, response: response)
        case .generic: return try GenericParser.parse(symbol: symbol, response: response, spec: generic)
        }
    }
}

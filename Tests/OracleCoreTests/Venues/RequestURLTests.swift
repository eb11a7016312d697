import OracleCore
import Testing

/// Request URLs for every venue kind, with the symbol percent-encoded.
@Suite struct RequestURLTests {
    private func url(_ kind: VenueKind, _ symbol: String, base: String = "https://h.test", generic: GenericAdapterSpec? = nil) -> String {
        VenueAdapters.requestURL(for: SourceSpec(name: "s", kind: kind, baseURL: base, generic: generic), symbol: symbol)
    }

    @Test func everyKind() {
        #expect(url(.binance, "BTCUSDT") == "https://h.test/api/v3/ticker/bookTicker?symbol=BTCUSDT")
        #expect(url(.coinbase, "BTC-USD") == "https://h.test/products/BTC-USD/ticker")
        #expect(url(.kraken, "XBTUSD") == "https://h.test/0/public/Ticker?pair=XBTUSD")
        #expect(url(.bitstamp, "BTCUSD") == "https://h.test/api/v2/ticker/btcusd/")
        #expect(url(.gemini, "BTCUSD") == "https://h.test/v1/pubticker/btcusd")
        #expect(url(.okx, "BTC-USDT") == "https://h.test/api/v5/market/ticker?instId=BTC-USDT")
        #expect(url(.bybit, "BTCUSDT") == "https://h.test/v5/market/tickers?category=spot&symbol=BTCUSDT")
        #expect(url(.bitfinex, "tBTCUSD") == "https://h.test/v2/ticker/tBTCUSD")
        #expect(url(.kucoin, "BTC-USDT") == "https://h.test/api/v1/market/orderbook/level1?symbol=BTC-USDT")
        #expect(url(.htx, "BTCUSDT") == "https://h.test/market/detail/merged?symbol=btcusdt")
        #expect(url(.cryptocom, "BTC_USDT") == "https://h.test/exchange/v1/public/get-tickers?instrument_name=BTC_USDT")
        #expect(url(.pyth, "E62DF6C8") == "https://h.test/v2/updates/price/latest?ids%5B%5D=0xe62df6c8")
        #expect(url(.pyth, "0xe62df6c8") == "https://h.test/v2/updates/price/latest?ids%5B%5D=0xe62df6c8")
        #expect(url(.coingecko, "bitcoin/usd") == "https://h.test/api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true")
        #expect(url(.coingecko, "bitcoin") == "https://h.test/api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true")
        let g = GenericAdapterSpec(urlTemplate: "/api/ticker?market={symbol}&x={symbol}", pricePath: "p")
        #expect(url(.generic, "BTC/USD", generic: g) == "https://h.test/api/ticker?market=BTC%2FUSD&x=BTC%2FUSD")
        #expect(url(.generic, "X", generic: nil) == "https://h.test")
    }

    @Test func symbolsCannotChangeThePathOrQuery() {
        #expect(url(.binance, "BTC&symbol=ETH") == "https://h.test/api/v3/ticker/bookTicker?symbol=BTC%26symbol%3DETH")
        #expect(url(.coinbase, "../admin") == "https://h.test/products/..%2Fadmin/ticker")
        #expect(url(.okx, "BTC USDT#x") == "https://h.test/api/v5/market/ticker?instId=BTC%20USDT%23x")
        #expect(url(.kraken, "é") == "https://h.test/0/public/Ticker?pair=%C3%A9")
    }

    @Test func trailingSlashOnBaseURLIsHarmless() {
        #expect(url(.binance, "BTCUSDT", base: "http://127.0.0.1:8080/") == "http://127.0.0.1:8080/api/v3/ticker/bookTicker?symbol=BTCUSDT")
    }
}

import OracleCore
import Testing

/// Batch request URLs: one per venue where the venue answers for the whole market, split where
/// the query lists the symbols, none for venues without a batch endpoint.
@Suite struct BatchRequestURLTests {
    private func requests(_ kind: VenueKind, _ symbols: [String], base: String = "https://h.test/") -> [BatchRequest]? {
        VenueAdapters.batchRequests(for: SourceSpec(name: "s", kind: kind, baseURL: base), symbols: symbols)
    }

    private func urls(_ kind: VenueKind, _ symbols: [String]) -> [String] { (requests(kind, symbols) ?? []).map(\.url) }

    @Test func wholeMarketVenuesAreOneRequestWhateverTheSymbols() {
        let expected: [(VenueKind, String)] = [
            (.binance, "https://h.test/api/v3/ticker/bookTicker"),
            (.bybit, "https://h.test/v5/market/tickers?category=spot"),
            (.kucoin, "https://h.test/api/v1/market/allTickers"),
            (.htx, "https://h.test/market/tickers"),
            (.bitstamp, "https://h.test/api/v2/ticker/"),
            (.cryptocom, "https://h.test/exchange/v1/public/get-tickers"),
            (.gemini, "https://h.test/v1/pricefeed"),
            (.okx, "https://h.test/api/v5/market/tickers?instType=SPOT"),
        ]
        let many = (1...3000).map { "S\($0)USD" }
        for (kind, url) in expected {
            let r = requests(kind, many)
            #expect(r?.count == 1, "\(kind)")
            #expect(r?.first?.url == url, "\(kind)")
            #expect(r?.first?.symbols == many, "\(kind)")
        }
    }

    @Test func listedSymbolsAreJoinedAndEncoded() {
        #expect(urls(.bitfinex, ["tBTCUSD", "tS0001:USD"]) == ["https://h.test/v2/tickers?symbols=tBTCUSD,tS0001%3AUSD"])
        #expect(urls(.kraken, ["XBTUSD", "ETH&X=1"]) == ["https://h.test/0/public/Ticker?pair=XBTUSD,ETH%26X%3D1"])
        #expect(urls(.pyth, ["0xABCD", "ef01"]) == ["https://h.test/v2/updates/price/latest?ids%5B%5D=0xabcd&ids%5B%5D=0xef01&ignore_invalid_price_ids=true"])
        #expect(urls(.coingecko, ["bitcoin/usd", "bitcoin/eur", "ethereum"])
                == ["https://h.test/api/v3/simple/price?ids=bitcoin,ethereum&vs_currencies=usd,eur&include_last_updated_at=true"])
    }

    @Test func splitsAtTheDocumentedLimits() {
        let cases: [(VenueKind, Int, Int)] = [(.pyth, BatchLimits.pythIDs, 120), (.kraken, BatchLimits.krakenPairs, 450),
                                              (.bitfinex, BatchLimits.bitfinexSymbols, 401)]
        for (kind, limit, n) in cases {
            let symbols = (1...n).map { kind == .pyth ? String(repeating: "a", count: 60) + String(format: "%04d", $0) : "S\($0)USD" }
            let r = requests(kind, symbols) ?? []
            #expect(r.count == (n + limit - 1) / limit, "\(kind)")
            #expect(r.map(\.symbols.count) == Array(repeating: limit, count: n / limit) + (n % limit == 0 ? [] : [n % limit]), "\(kind)")
            #expect(r.flatMap(\.symbols) == symbols, "\(kind): every symbol once, in order")
            #expect(r.allSatisfy { $0.url.utf8.count < 8 * 1024 }, "\(kind): URL under 8 KiB")
        }
        // CoinGecko splits by coin id, never separating the currencies of one coin.
        let gecko = (1...150).flatMap { ["coin\($0)/usd", "coin\($0)/eur"] }
        let r = requests(.coingecko, gecko) ?? []
        #expect(r.map(\.symbols.count) == [200, 100])
        #expect(r.allSatisfy { $0.url.contains("vs_currencies=usd,eur&") })
    }

    @Test func okxAsksOncePerInstrumentType() {
        let r = requests(.okx, ["BTC-USDT", "BTC-USDT-SWAP", "ETH-USDT", "BTC-USD-250328", "BTC-USD-250328-60000-C"]) ?? []
        #expect(r.map(\.url) == ["https://h.test/api/v5/market/tickers?instType=SPOT", "https://h.test/api/v5/market/tickers?instType=SWAP",
                                 "https://h.test/api/v5/market/tickers?instType=FUTURES", "https://h.test/api/v5/market/tickers?instType=OPTION"])
        #expect(r.first?.symbols == ["BTC-USDT", "ETH-USDT"])
    }

    @Test func duplicatesAreAskedOnceAndNonBatchVenuesFallBack() {
        #expect(requests(.bitfinex, ["tBTCUSD", "tBTCUSD", "tETHUSD"])?.first?.symbols == ["tBTCUSD", "tETHUSD"])
        #expect(requests(.coinbase, ["BTC-USD", "ETH-USD"]) == nil)
        #expect(requests(.generic, ["A", "B"]) == nil)
        #expect(requests(.binance, []) == nil)
        #expect(!VenueAdapters.hasBatchEndpoint(.coinbase) && VenueAdapters.hasBatchEndpoint(.kraken))
    }

    @Test func batchBodyCapNeverShrinksTheConfiguredOne() {
        #expect(VenueAdapters.batchMaxBodyBytes(for: SourceSpec(name: "s", kind: .kucoin, baseURL: "h", maxBodyBytes: 1024)) == BatchLimits.minBodyBytes)
        #expect(VenueAdapters.batchMaxBodyBytes(for: SourceSpec(name: "s", kind: .kucoin, baseURL: "h", maxBodyBytes: 64 << 20)) == 64 << 20)
    }
}

extension VenueAdapters {
    /// Full request URL for one source and the venue's own symbol spelling (baseURL + path/query;
    /// the symbol is percent-encoded so it can never alter the path or add parameters).
    ///
    /// Bitstamp, Gemini and HTX only know lower-case pair names, so those are lower-cased;
    /// Pyth ids get their `0x` prefix; CoinGecko's "bitcoin/usd" becomes `ids` + `vs_currencies`.
    public static func requestURL(for source: SourceSpec, symbol: String) -> String {
        var base = source.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let e = PercentEncoding.encode
        switch source.kind {
        case .binance:
            return base + "/api/v3/ticker/bookTicker?symbol=" + e(symbol)
        case .coinbase:
            return base + "/products/" + e(symbol) + "/ticker"
        case .kraken:
            return base + "/0/public/Ticker?pair=" + e(symbol)
        case .bitstamp:
            return base + "/api/v2/ticker/" + e(symbol.lowercased()) + "/"
        case .gemini:
            return base + "/v1/pubticker/" + e(symbol.lowercased())
        case .okx:
            return base + "/api/v5/market/ticker?instId=" + e(symbol)
        case .bybit:
            return base + "/v5/market/tickers?category=spot&symbol=" + e(symbol)
        case .bitfinex:
            return base + "/v2/ticker/" + e(symbol)
        case .kucoin:
            return base + "/api/v1/market/orderbook/level1?symbol=" + e(symbol)
        case .htx:
            return base + "/market/detail/merged?symbol=" + e(symbol.lowercased())
        case .cryptocom:
            return base + "/exchange/v1/public/get-tickers?instrument_name=" + e(symbol)
        case .pyth:
            return base + "/v2/updates/price/latest?ids%5B%5D=0x" + e(PythParser.normalizedFeedID(symbol))
        case .coingecko:
            let (id, currency) = CoinGeckoParser.split(symbol)
            return base + "/api/v3/simple/price?ids=" + e(id) + "&vs_currencies=" + e(currency) + "&include_last_updated_at=true"
        case .generic:
            guard let template = source.generic?.urlTemplate else { return base }
            let path = template.replacingOccurrences(of: "{symbol}", with: e(symbol))
            return base + (path.isEmpty || path.hasPrefix("/") || path.hasPrefix("?") ? path : "/" + path)
        }
    }
}

private extension String {
    /// Stdlib-only replacement (OracleCore avoids Foundation on these paths).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

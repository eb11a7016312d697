import Foundation

/// The real response shapes of each venue (see Tests/Fixtures/venues), filled with the fake's prices.
enum Venues {
    static let all = ["binance", "coinbase", "kraken", "bitstamp", "gemini", "okx", "bybit", "bitfinex",
                      "kucoin", "htx", "cryptocom", "pyth", "coingecko"]

    static let pythFeeds: [String: String] = [
        "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43": "BTC",
        "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace": "ETH",
        "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d": "SOL",
        "2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b": "USDT",
        "eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a": "USDC",
    ]
    static let geckoIDs = ["bitcoin": "BTC", "ethereum": "ETH", "solana": "SOL", "tether": "USDT", "usd-coin": "USDC"]

    /// Splits a venue spelling into (base, quote) assets: "XBTUSD", "tUSTUSD", "BTC_USDT", "btcusdt".
    static func assets(_ raw: String, venue: String) -> (String, String)? {
        var s = raw.uppercased().replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "/", with: "")
            .replacingOccurrences(of: ":", with: "")
        if venue == "bitfinex", s.hasPrefix("T") { s.removeFirst() }
        for quote in ["USDT", "USDC", "UST", "USD"] where s.hasSuffix(quote) && s.count > quote.count {
            var base = String(s.dropLast(quote.count))
            if base == "XBT" { base = "BTC" }
            if base == "UST" { base = "USDT" }
            if base == "UDC" { base = "USDC" }
            return (base, quote == "UST" ? "USDT" : quote)
        }
        return nil
    }

    struct Request {
        var venue: String
        var symbol: String
        var base: String
        var quote: String
        /// A `--synthetic-pairs` pair: exact price, 8 decimals, spread of ±0.01.
        var synthetic: Bool { Synthetic.isSynthetic(base) }
    }

    /// Finds venue and symbol in a request path such as `/kraken/0/public/Ticker?pair=XBTUSD`.
    static func route(_ uri: String) -> (venue: String, symbol: String?)? {
        guard let comps = URLComponents(string: "http://x" + uri) else { return nil }
        let parts = comps.path.split(separator: "/").map(String.init)
        guard let venue = parts.first, all.contains(venue) else { return nil }
        let q = Dictionary((comps.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        switch venue {
        case "binance", "bybit", "kucoin", "htx": return (venue, q["symbol"])
        case "kraken": return (venue, q["pair"])
        case "okx": return (venue, q["instId"])
        case "cryptocom": return (venue, q["instrument_name"])
        case "coinbase": return (venue, parts.count >= 3 ? parts[2] : nil)             // /coinbase/products/BTC-USD/ticker
        case "bitstamp": return (venue, parts.count >= 5 ? parts[4] : nil)             // /bitstamp/api/v2/ticker/btcusd/
        case "gemini": return (venue, parts.count >= 4 ? parts[3] : nil)               // /gemini/v1/pubticker/btcusd
        case "bitfinex": return (venue, parts.count >= 4 ? parts[3] : nil)             // /bitfinex/v2/ticker/tBTCUSD
        case "pyth": return (venue, (q["ids[]"] ?? q["ids"]).map { $0.lowercased().replacingOccurrences(of: "0x", with: "") })
        case "coingecko":
            guard let id = q["ids"], let vs = q["vs_currencies"] else { return (venue, nil) }
            return (venue, id + "/" + vs)
        default: return nil
        }
    }

    static func resolve(venue: String, symbol: String, syntheticWidth: Int = 4) -> Request? {
        switch venue {
        case "pyth":
            guard let base = pythFeeds[symbol] ?? Synthetic.base(pythID: symbol, width: syntheticWidth) else { return nil }
            return Request(venue: venue, symbol: symbol, base: base, quote: "USD")
        case "coingecko":
            let parts = symbol.split(separator: "/").map(String.init)
            guard parts.count == 2, let base = geckoIDs[parts[0]] ?? Synthetic.base(geckoID: parts[0]) else { return nil }
            return Request(venue: venue, symbol: symbol, base: base, quote: parts[1].uppercased())
        default:
            guard let (b, q) = assets(symbol, venue: venue) else { return nil }
            return Request(venue: venue, symbol: symbol, base: b, quote: q)
        }
    }

    /// 200 body for a quote; `p` may be NaN/0/negative/huge by fault.
    static func body(_ r: Request, price p: Double, tsMs: Int64, wrongPair: Bool) -> String {
        let (bid, ask) = book(r, p)
        let f = { (x: Double) in format(x, synthetic: r.synthetic) }
        let sym = wrongPair ? "ETH" + r.quote : r.symbol
        let sec = tsMs / 1000
        let iso: String = {
            let d = Date(timeIntervalSince1970: Double(tsMs) / 1000)
            let fmt = ISO8601DateFormatter()
            fmt.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return fmt.string(from: d)
        }()
        switch r.venue {
        case "binance":
            return #"{"symbol":"\#(sym)","bidPrice":"\#(f(bid))","bidQty":"1.00000000","askPrice":"\#(f(ask))","askQty":"1.00000000"}"#
        case "coinbase":
            return #"{"ask":"\#(f(ask))","bid":"\#(f(bid))","volume":"1000.0","trade_id":12345,"price":"\#(f(p))","size":"0.01","time":"\#(iso)"}"#
        case "kraken":
            let key = krakenResultKey(base: r.base, quote: r.quote)
            return #"{"error":[],"result":{"\#(key)":{"a":["\#(f(ask))","1","1.000"],"b":["\#(f(bid))","1","1.000"],"c":["\#(f(p))","0.1"],"v":["1","2"],"p":["1","2"],"t":[1,2],"l":["1","1"],"h":["1","1"],"o":"\#(f(p))"}}}"#
        case "bitstamp":
            return #"{"timestamp":"\#(sec)","last":"\#(f(p))","bid":"\#(f(bid))","ask":"\#(f(ask))","volume":"10.0","pair":"\#(wrongPair ? "ETH" : r.base)/\#(r.quote)"}"#
        case "gemini":
            return #"{"bid":"\#(f(bid))","ask":"\#(f(ask))","volume":{"\#(r.base)":"10.0","\#(r.quote)":"100.0","timestamp":\#(tsMs)},"last":"\#(f(p))"}"#
        case "okx":
            return #"{"code":"0","msg":"","data":[{"instType":"SPOT","instId":"\#(wrongPair ? "ETH-" + r.quote : r.symbol)","last":"\#(f(p))","askPx":"\#(f(ask))","bidPx":"\#(f(bid))","ts":"\#(tsMs)"}]}"#
        case "bybit":
            return #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"\#(sym)","bid1Price":"\#(f(bid))","ask1Price":"\#(f(ask))","lastPrice":"\#(f(p))"}]},"retExtInfo":{},"time":\#(tsMs)}"#
        case "bitfinex":
            return "[\(f(bid)),1.5,\(f(ask)),2.5,-1,-0.001,\(f(p)),1000,\(f(p * 1.01)),\(f(p * 0.99))]"
        case "kucoin":
            return #"{"code":"200000","data":{"time":\#(tsMs),"sequence":"1","price":"\#(f(p))","size":"0.1","bestBid":"\#(f(bid))","bestBidSize":"1","bestAsk":"\#(f(ask))","bestAskSize":"1"}}"#
        case "htx":
            return #"{"ch":"market.\#(wrongPair ? "eth" + r.quote.lowercased() : r.symbol.lowercased()).detail.merged","status":"ok","ts":\#(tsMs),"tick":{"id":1,"close":\#(f(p)),"vol":5.9E8,"bid":[\#(f(bid)),1.0],"ask":[\#(f(ask)),1.0]}}"#
        case "cryptocom":
            let inst = wrongPair ? "ETH_" + r.quote : r.symbol
            return #"{"id":-1,"method":"public/get-tickers","code":0,"result":{"data":[{"i":"\#(inst)","a":"\#(f(p))","c":"0.01","b":"\#(f(bid))","k":"\#(f(ask))","t":\#(tsMs)}]}}"#
        case "pyth":
            let scaled: String = p.isNaN ? "NaN" : String(format: "%.0f", p * 1e8)
            return #"{"binary":{"encoding":"hex","data":["00"]},"parsed":[{"id":"\#(r.symbol)","price":{"price":"\#(scaled)","conf":"\#(String(format: "%.0f", abs(p) * 1e8 * 0.0002))","expo":-8,"publish_time":\#(sec)},"ema_price":{"price":"\#(scaled)","conf":"1","expo":-8,"publish_time":\#(sec)}}]}"#
        case "coingecko":
            let parts = r.symbol.split(separator: "/")
            return #"{"\#(parts[0])":{"\#(parts[1])":\#(f(p)),"last_updated_at":\#(sec)}}"#
        default:
            return "{}"
        }
    }

    /// Best bid and ask around `p`: ±0.005 % for the built-in pairs, ±0.01 for synthetic ones
    /// (so their mid is exactly the price).
    static func book(_ r: Request, _ p: Double) -> (bid: Double, ask: Double) {
        r.synthetic ? (p - 0.01, p + 0.01) : (p * 0.99995, p * 1.00005)
    }

    /// A price as the venues write it (8 decimals for synthetic pairs, so nothing is rounded away).
    static func format(_ x: Double, synthetic: Bool) -> String {
        if x.isNaN { return "NaN" }
        if abs(x) >= 1e100 { return String(format: "%.0e", x) }
        if synthetic { return String(format: "%.8f", x) }
        return String(format: abs(x) < 10 ? "%.6f" : "%.2f", x)
    }

    /// Kraken's result key: legacy assets are four letters, `X` (crypto) or `Z` (fiat) before a
    /// three-letter code (`XXBTZUSD`, `XETHZUSD`, `USDTZUSD`); newer assets are as requested (`SOLUSD`).
    static func krakenResultKey(base: String, quote: String) -> String {
        let fiat: Set<String> = ["USD", "EUR", "GBP", "JPY", "CAD", "CHF", "AUD"]
        let b = base == "BTC" ? "XBT" : base
        let q = quote
        let legacyCrypto: Set<String> = ["XBT", "ETH", "LTC", "XRP", "ETC", "XMR", "ZEC", "XLM", "XDG"]
        if legacyCrypto.contains(b), fiat.contains(q) { return "X" + b + "Z" + q }
        if b == "USDT", fiat.contains(q) { return b + "Z" + q }
        return b + q
    }

    /// The venue's own way of saying "no such instrument".
    static func unknownSymbol(_ venue: String) -> (Int, String) {
        switch venue {
        case "binance": return (400, #"{"code":-1121,"msg":"Invalid symbol."}"#)
        case "coinbase": return (404, #"{"message":"NotFound"}"#)
        case "kraken": return (200, #"{"error":["EQuery:Unknown asset pair"]}"#)
        case "okx": return (200, #"{"code":"51001","msg":"Instrument ID does not exist","data":[]}"#)
        case "bybit": return (200, #"{"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":1}"#)
        case "bitfinex": return (500, #"["error",10020,"symbol: invalid"]"#)
        case "kucoin": return (200, #"{"code":"200000","data":null}"#)
        case "htx": return (200, #"{"status":"error","err-code":"invalid-parameter","err-msg":"invalid symbol","data":null}"#)
        case "cryptocom": return (400, #"{"id":-1,"method":"public/get-tickers","code":40004,"message":"Invalid instrument_name"}"#)
        case "pyth": return (404, "Price ids not found: unknown")
        case "coingecko": return (200, "{}")
        case "gemini": return (400, #"{"result":"error","reason":"InvalidSymbol","message":"not a valid symbol"}"#)
        default: return (404, #"{"status":"error","reason":"Not found","code":"API0000"}"#)
        }
    }
}

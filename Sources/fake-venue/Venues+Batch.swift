import Foundation

/// The venues' multi-symbol ticker endpoints, in their real shapes (see oracled's batch parsers
/// and README "Batch endpoints").
extension Venues {
    /// A batch request: the venue and the symbols it names (nil: the whole market).
    struct BatchRoute {
        var venue: String
        var symbols: [String]?
        /// Pyth's `ignore_invalid_price_ids=true`: unknown ids are left out instead of a 404.
        var ignoreInvalid = false
        /// OKX `instType`: the fake lists SPOT instruments only.
        var instType: String?
    }

    /// Recognises a batch endpoint; nil for single-ticker and unknown routes.
    static func batchRoute(_ uri: String) -> BatchRoute? {
        guard let comps = URLComponents(string: "http://x" + uri) else { return nil }
        let parts = comps.path.split(separator: "/").map(String.init)
        guard let venue = parts.first else { return nil }
        let items = comps.queryItems ?? []
        func q(_ name: String) -> String? { items.first { $0.name == name }?.value }
        func list(_ name: String) -> [String]? { q(name).map { $0.split(separator: ",").map(String.init) } }
        let path = Array(parts.dropFirst())
        switch venue {
        case "binance" where path == ["api", "v3", "ticker", "bookTicker"] && q("symbol") == nil:
            // `symbols=["A","B"]`, or nothing for the whole market.
            let symbols = q("symbols").map { raw -> [String] in
                let bare = String(raw.unicodeScalars.filter { $0 != "[" && $0 != "]" && $0 != "\"" && $0 != " " }.map(Character.init))
                return bare.split(separator: ",").map(String.init)
            }
            return BatchRoute(venue: venue, symbols: symbols)
        case "okx" where path == ["api", "v5", "market", "tickers"]:
            return BatchRoute(venue: venue, symbols: nil, instType: q("instType") ?? "")
        case "bybit" where path == ["v5", "market", "tickers"] && q("symbol") == nil:
            return BatchRoute(venue: venue, symbols: nil)
        case "kucoin" where path == ["api", "v1", "market", "allTickers"]:
            return BatchRoute(venue: venue, symbols: nil)
        case "htx" where path == ["market", "tickers"]:
            return BatchRoute(venue: venue, symbols: nil)
        case "bitfinex" where path == ["v2", "tickers"]:
            let symbols = list("symbols")
            return BatchRoute(venue: venue, symbols: symbols == ["ALL"] ? nil : symbols ?? [])
        case "kraken" where path == ["0", "public", "Ticker"] && (q("pair") == nil || q("pair")!.contains(",")):
            return BatchRoute(venue: venue, symbols: list("pair"))
        case "bitstamp" where path == ["api", "v2", "ticker"]:
            return BatchRoute(venue: venue, symbols: nil)
        case "cryptocom" where path == ["exchange", "v1", "public", "get-tickers"] && q("instrument_name") == nil:
            return BatchRoute(venue: venue, symbols: nil)
        case "gemini" where path == ["v1", "pricefeed"]:
            return BatchRoute(venue: venue, symbols: nil)
        case "pyth" where path == ["v2", "updates", "price", "latest"]:
            let ids = items.filter { $0.name == "ids[]" || $0.name == "ids" }.compactMap(\.value)
                .map { $0.lowercased().replacingOccurrences(of: "0x", with: "") }
            let ignore = q("ignore_invalid_price_ids") == "true"
            guard ids.count > 1 || ignore else { return nil }
            return BatchRoute(venue: venue, symbols: ids, ignoreInvalid: ignore)
        case "coingecko" where path == ["api", "v3", "simple", "price"]:
            guard let ids = list("ids"), let vs = list("vs_currencies"), ids.count > 1 || vs.count > 1 else { return nil }
            return BatchRoute(venue: venue, symbols: ids.flatMap { id in vs.map { id + "/" + $0 } })
        default:
            return nil
        }
    }

    /// The venue's spelling of `base`/`quote`, as its whole-market answer lists it.
    static func spelling(venue: String, base: String, quote: String, syntheticWidth: Int) -> String? {
        switch venue {
        case "binance", "bybit": return base + quote
        case "okx", "kucoin", "coinbase": return base + "-" + quote
        case "kraken": return (base == "BTC" ? "XBT" : base) + quote
        case "bitstamp", "gemini", "htx": return (base + quote).lowercased()
        case "cryptocom": return base + "_" + quote
        case "bitfinex":
            let b = base == "USDT" ? "UST" : base, q = quote == "USDT" ? "UST" : quote
            return "t" + b + (b.count > 3 || q.count > 3 ? ":" : "") + q
        case "pyth":
            guard quote == "USD" else { return nil }
            if let id = pythFeeds.first(where: { $0.value == base })?.key { return id }
            guard Synthetic.isSynthetic(base), let i = Int(base.dropFirst()) else { return nil }
            return Synthetic.pythID(i)
        case "coingecko":
            let id = geckoIDs.first(where: { $0.value == base })?.key ?? (Synthetic.isSynthetic(base) ? Synthetic.geckoID(base) : nil)
            return id.map { $0 + "/" + quote.lowercased() }
        default: return nil
        }
    }

    /// Every instrument the fake lists on `venue`: each priced base against USD, and the
    /// built-in bases against USDT and USDC too.
    static func market(venue: String, bases: [String], syntheticWidth: Int) -> [Request] {
        var out: [Request] = []
        for base in bases {
            let quotes = Synthetic.isSynthetic(base) ? ["USD"] : ["USD", "USDT", "USDC"].filter { $0 != base }
            for quote in quotes {
                guard let symbol = spelling(venue: venue, base: base, quote: quote, syntheticWidth: syntheticWidth) else { continue }
                out.append(Request(venue: venue, symbol: symbol, base: base, quote: quote))
            }
        }
        return out
    }

    /// One priced entry of a batch answer.
    struct Entry {
        var request: Request
        var price: Double
        var tsMs: Int64
        var wrongPair: Bool
    }

    /// The whole batch body in the venue's shape.
    static func batchBody(venue: String, entries: [Entry], nowMs: Int64) -> String {
        var parts: [String] = []
        parts.reserveCapacity(entries.count)
        if venue == "coingecko" {
            // One object per coin id with every requested currency.
            var order: [String] = []
            var byID: [String: [(String, Entry)]] = [:]
            for e in entries {
                let pieces = e.request.symbol.split(separator: "/").map(String.init)
                if byID[pieces[0]] == nil { order.append(pieces[0]) }
                byID[pieces[0], default: []].append((pieces[1], e))
            }
            for id in order {
                let members = byID[id]!
                let prices = members.map { "\"\($0.0)\":\(format($0.1.price, synthetic: $0.1.request.synthetic))" }.joined(separator: ",")
                parts.append("\"\(id)\":{\(prices),\"last_updated_at\":\(members[0].1.tsMs / 1000)}")
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
        for e in entries { parts.append(entry(e)) }
        let list = parts.joined(separator: ",")
        switch venue {
        case "okx": return #"{"code":"0","msg":"","data":[\#(list)]}"#
        case "bybit": return #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[\#(list)]},"retExtInfo":{},"time":\#(nowMs)}"#
        case "kucoin": return #"{"code":"200000","data":{"time":\#(nowMs),"ticker":[\#(list)]}}"#
        case "htx": return #"{"data":[\#(list)],"status":"ok","ts":\#(nowMs)}"#
        case "kraken": return #"{"error":[],"result":{\#(list)}}"#
        case "cryptocom": return #"{"id":-1,"method":"public/get-tickers","code":0,"result":{"data":[\#(list)]}}"#
        case "pyth": return #"{"binary":{"encoding":"hex","data":["00"]},"parsed":[\#(list)]}"#
        default: return "[" + list + "]"   // binance, bitfinex, bitstamp, gemini
        }
    }

    /// One entry of a batch answer (not used for CoinGecko, whose entries group by coin).
    static func entry(_ e: Entry) -> String {
        let r = e.request, p = e.price
        let (bid, ask) = book(r, p)
        let f = { (x: Double) in format(x, synthetic: r.synthetic) }
        let sym = e.wrongPair ? spelling(venue: r.venue, base: "ETH", quote: r.quote, syntheticWidth: 4) ?? "ETH" : r.symbol
        let sec = e.tsMs / 1000
        switch r.venue {
        case "binance":
            return #"{"symbol":"\#(sym)","bidPrice":"\#(f(bid))","bidQty":"1.00000000","askPrice":"\#(f(ask))","askQty":"1.00000000"}"#
        case "okx":
            return #"{"instType":"SPOT","instId":"\#(sym)","last":"\#(f(p))","lastSz":"0.1","askPx":"\#(f(ask))","askSz":"1","bidPx":"\#(f(bid))","bidSz":"1","ts":"\#(e.tsMs)"}"#
        case "bybit":
            return #"{"symbol":"\#(sym)","bid1Price":"\#(f(bid))","bid1Size":"1","ask1Price":"\#(f(ask))","ask1Size":"1","lastPrice":"\#(f(p))","volume24h":"10"}"#
        case "kucoin":
            return #"{"symbol":"\#(sym)","symbolName":"\#(sym)","buy":"\#(f(bid))","sell":"\#(f(ask))","last":"\#(f(p))","changeRate":"0.01","vol":"10"}"#
        case "htx":
            return #"{"symbol":"\#(sym)","open":\#(f(p)),"high":\#(f(p)),"low":\#(f(p)),"close":\#(f(p)),"amount":1.0,"vol":5.9E8,"count":1,"bid":\#(f(bid)),"bidSize":1.0,"ask":\#(f(ask)),"askSize":1.0}"#
        case "bitfinex":
            return "[\"\(sym)\",\(f(bid)),1.5,\(f(ask)),2.5,-1,-0.001,\(f(p)),1000,\(f(p)),\(f(p))]"
        case "kraken":
            let key = e.wrongPair ? "XETHZ" + r.quote : krakenResultKey(base: r.base, quote: r.quote)
            return #""\#(key)":{"a":["\#(f(ask))","1","1.000"],"b":["\#(f(bid))","1","1.000"],"c":["\#(f(p))","0.1"],"v":["1","2"],"o":"\#(f(p))"}"#
        case "bitstamp":
            let pair = (e.wrongPair ? "ETH" : r.base) + "/" + r.quote
            return #"{"timestamp":"\#(sec)","open":"\#(f(p))","high":"\#(f(p))","low":"\#(f(p))","last":"\#(f(p))","volume":"10.0","vwap":"\#(f(p))","bid":"\#(f(bid))","ask":"\#(f(ask))","side":"0","open_24":"\#(f(p))","percent_change_24":"0.10","pair":"\#(pair)"}"#
        case "cryptocom":
            return #"{"i":"\#(sym)","h":"\#(f(p))","l":"\#(f(p))","a":"\#(f(p))","v":"1","vv":"1","c":"0.01","b":"\#(f(bid))","k":"\#(f(ask))","oi":"0","t":\#(e.tsMs)}"#
        case "gemini":
            return #"{"pair":"\#(sym.uppercased())","price":"\#(f(p))","percentChange24h":"0.0100"}"#
        case "pyth":
            let scaled = p.isNaN ? "NaN" : String(format: "%.0f", p * 1e8)
            let conf = String(format: "%.0f", abs(p) * 1e8 * 0.0002)
            return #"{"id":"\#(r.symbol)","price":{"price":"\#(scaled)","conf":"\#(conf)","expo":-8,"publish_time":\#(sec)},"ema_price":{"price":"\#(scaled)","conf":"1","expo":-8,"publish_time":\#(sec)}}"#
        default:
            return "{}"
        }
    }
}

import OracleCore

/// Hand-written batch bodies in each venue's documented shape, for the batch parser tests.
/// Written here from the venues' documentation, independently of fake-venue and the parsers.
enum BatchBodies {
    static let kinds: [VenueKind] = [.binance, .okx, .bybit, .kucoin, .htx, .bitfinex, .kraken, .bitstamp, .cryptocom, .gemini, .pyth, .coingecko]

    struct Entry {
        var i: Int
        var bid = "99.75", ask = "100.25", last = "100.50"
        /// Replaces the entry's main price with a string that is not a number.
        var malformed = false
    }

    static let tsMs: Int64 = 1_711_356_300_117

    /// The venue's spelling of synthetic pair i.
    static func symbol(_ kind: VenueKind, _ i: Int) -> String {
        switch kind {
        case .binance, .bybit, .kraken: return "S\(i)USD"
        case .okx, .kucoin: return "S\(i)-USD"
        case .bitfinex: return "tS\(i):USD"
        case .bitstamp, .gemini, .htx: return "s\(i)usd"
        case .cryptocom: return "S\(i)_USD"
        case .pyth: return String(repeating: "ab", count: 28) + String(format: "%08d", i)
        case .coingecko: return "coin-\(i)/usd"
        case .coinbase, .generic: return "S\(i)-USD"
        }
    }

    /// True when the venue's batch entry carries a book (bid/ask).
    static func hasBook(_ kind: VenueKind) -> Bool { ![.gemini, .pyth, .coingecko].contains(kind) }
    /// True when the venue's batch entry carries a last price.
    static func hasLast(_ kind: VenueKind) -> Bool { kind != .binance }

    static func body(_ kind: VenueKind, _ entries: [Entry]) -> [UInt8] {
        let t = tsMs
        func q(_ s: String) -> String { "\"\(s)\"" }
        let parts: [String] = entries.map { e in
            let s = symbol(kind, e.i)
            let bid = e.malformed ? "\"abc\"" : q(e.bid)
            switch kind {
            case .binance: return #"{"symbol":"\#(s)","bidPrice":\#(bid),"bidQty":"1.0","askPrice":"\#(e.ask)","askQty":"2.0"}"#
            case .okx: return #"{"instType":"SPOT","instId":"\#(s)","last":"\#(e.last)","askPx":"\#(e.ask)","bidPx":\#(bid),"ts":"\#(t)"}"#
            case .bybit: return #"{"symbol":"\#(s)","bid1Price":\#(bid),"ask1Price":"\#(e.ask)","lastPrice":"\#(e.last)"}"#
            case .kucoin: return #"{"symbol":"\#(s)","symbolName":"\#(s)","buy":\#(bid),"sell":"\#(e.ask)","last":"\#(e.last)"}"#
            case .htx: return #"{"symbol":"\#(s)","close":\#(e.last),"bid":\#(e.malformed ? "\"abc\"" : e.bid),"bidSize":1.5,"ask":\#(e.ask),"askSize":2}"#
            case .bitfinex: return #"["\#(s)",\#(e.malformed ? "\"abc\"" : e.bid),1.5,\#(e.ask),2.5,-1,-0.01,\#(e.last),10,11,9]"#
            case .kraken: return #""\#(s)":{"a":["\#(e.ask)","1","1.000"],"b":[\#(bid),"1","1.000"],"c":["\#(e.last)","0.1"]}"#
            case .bitstamp:
                let pair = "S\(e.i)/USD"
                return #"{"timestamp":"\#(t / 1000)","last":"\#(e.last)","bid":\#(bid),"ask":"\#(e.ask)","pair":"\#(pair)"}"#
            case .cryptocom: return #"{"i":"\#(s)","a":"\#(e.last)","b":\#(bid),"k":"\#(e.ask)","c":"0.01","t":\#(t)}"#
            case .gemini: return #"{"pair":"\#(s.uppercased())","price":\#(e.malformed ? "\"abc\"" : q(e.last)),"percentChange24h":"0.01"}"#
            case .pyth:
                let mantissa = e.malformed ? "12a" : e.last.replacingOccurrences(of: ".", with: "")
                return #"{"id":"\#(s)","price":{"price":"\#(mantissa)","conf":"5","expo":-2,"publish_time":\#(t / 1000)}}"#
            case .coingecko:
                let id = s.split(separator: "/")[0]
                return #""\#(id)":{"usd":\#(e.malformed ? "\"abc\"" : e.last),"last_updated_at":\#(t / 1000)}"#
            case .coinbase, .generic: return "{}"
            }
        }
        let list = parts.joined(separator: ",")
        let text: String
        switch kind {
        case .okx: text = #"{"code":"0","msg":"","data":[\#(list)]}"#
        case .bybit: text = #"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[\#(list)]},"retExtInfo":{},"time":\#(t)}"#
        case .kucoin: text = #"{"code":"200000","data":{"time":\#(t),"ticker":[\#(list)]}}"#
        case .htx: text = #"{"status":"ok","ts":\#(t),"data":[\#(list)]}"#
        case .kraken: text = #"{"error":[],"result":{\#(list)}}"#
        case .cryptocom: text = #"{"id":-1,"method":"public/get-tickers","code":0,"result":{"data":[\#(list)]}}"#
        case .pyth: text = #"{"binary":{"encoding":"hex","data":[]},"parsed":[\#(list)]}"#
        case .coingecko: text = "{" + list + "}"
        default: text = "[" + list + "]"
        }
        return Array(text.utf8)
    }

    static func response(_ kind: VenueKind, _ entries: [Entry], status: Int = 200) -> VenueResponse {
        VenueResponse(status: status, body: body(kind, entries), receivedAtMs: 1_700_000_000_000)
    }
}

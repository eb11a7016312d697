/// One request of a batch: the URL and the configured symbols its answer carries.
public struct BatchRequest: Sendable, Equatable {
    public var url: String
    /// Configured (venue) spellings to read from the answer, without duplicates.
    public var symbols: [String]

    public init(url: String, symbols: [String]) {
        self.url = url
        self.symbols = symbols
    }
}

/// How many symbols one batch request may name, where the venue's query lists them.
///
/// None of these venues publishes a maximum; the limit is the URL. Proxies and servers commonly
/// refuse request lines over 8 KiB, so each split keeps the URL under about 4 KiB with the
/// venue's longest usual spelling (a Pyth id is 64 hex digits plus `ids%5B%5D=0x`, 78 bytes;
/// a Bitfinex or Kraken pair about 12 bytes; a CoinGecko id up to about 30).
public enum BatchLimits {
    public static let pythIDs = 50
    public static let bitfinexSymbols = 200
    public static let krakenPairs = 200
    public static let coingeckoIDs = 100
    /// A batch answer's body cap: at least this, or the source's `max_body` when larger.
    /// Whole-market answers are big by design (KuCoin `allTickers` is about 1 MB, OKX spot
    /// tickers about 300 KB), while `max_body` is sized for one ticker; 4 MiB still stops a
    /// venue streaming garbage long before it matters to the daemon's memory.
    public static let minBodyBytes = 4 * 1024 * 1024
}

extension VenueAdapters {
    /// True when the venue has a multi-symbol ticker endpoint oracled uses. Coinbase has none
    /// (its `/products/{id}/ticker` is one product per call) and `generic` cannot know one.
    public static func hasBatchEndpoint(_ kind: VenueKind) -> Bool {
        switch kind {
        case .coinbase, .generic: return false
        default: return true
        }
    }

    /// The body cap for a batch request of `source` (see `BatchLimits.minBodyBytes`).
    public static func batchMaxBodyBytes(for source: SourceSpec) -> Int {
        max(source.maxBodyBytes, BatchLimits.minBodyBytes)
    }

    /// The requests that fetch every one of `symbols` (venue spellings) from `source` in as few
    /// calls as the venue allows; nil when the venue has no batch endpoint.
    ///
    /// Whole-market endpoints (Binance, Bybit, KuCoin, HTX, Bitstamp, Crypto.com, Gemini) are one
    /// request whatever the symbols; OKX is one per instrument type (SPOT, SWAP, FUTURES, OPTION)
    /// its symbols belong to. Binance is asked without `symbol`: `symbols=[…]` would cost the same
    /// request weight (4) but fail entirely for one delisted symbol, while the whole-market answer
    /// only lacks that symbol. Endpoints that list the symbols in the query are split by
    /// `BatchLimits`.
    public static func batchRequests(for source: SourceSpec, symbols: [String]) -> [BatchRequest]? {
        let symbols = BatchCollector.unique(symbols)
        guard hasBatchEndpoint(source.kind), !symbols.isEmpty else { return nil }
        var base = source.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let e = PercentEncoding.encode
        func listed(_ limit: Int, _ url: ([String]) -> String) -> [BatchRequest] {
            stride(from: 0, to: symbols.count, by: limit).map { start in
                let chunk = Array(symbols[start..<min(start + limit, symbols.count)])
                return BatchRequest(url: url(chunk), symbols: chunk)
            }
        }
        switch source.kind {
        case .binance:
            return [BatchRequest(url: base + "/api/v3/ticker/bookTicker", symbols: symbols)]
        case .bybit:
            return [BatchRequest(url: base + "/v5/market/tickers?category=spot", symbols: symbols)]
        case .kucoin:
            return [BatchRequest(url: base + "/api/v1/market/allTickers", symbols: symbols)]
        case .htx:
            return [BatchRequest(url: base + "/market/tickers", symbols: symbols)]
        case .bitstamp:
            return [BatchRequest(url: base + "/api/v2/ticker/", symbols: symbols)]
        case .cryptocom:
            return [BatchRequest(url: base + "/exchange/v1/public/get-tickers", symbols: symbols)]
        case .gemini:
            return [BatchRequest(url: base + "/v1/pricefeed", symbols: symbols)]
        case .okx:
            var order: [String] = []
            var byType: [String: [String]] = [:]
            for s in symbols {
                let t = OKXInstrumentType.of(s)
                if byType[t] == nil { order.append(t) }
                byType[t, default: []].append(s)
            }
            return order.map { BatchRequest(url: base + "/api/v5/market/tickers?instType=" + $0, symbols: byType[$0]!) }
        case .bitfinex:
            return listed(BatchLimits.bitfinexSymbols) { base + "/v2/tickers?symbols=" + $0.map(e).joined(separator: ",") }
        case .kraken:
            return listed(BatchLimits.krakenPairs) { base + "/0/public/Ticker?pair=" + $0.map(e).joined(separator: ",") }
        case .pyth:
            return listed(BatchLimits.pythIDs) { chunk in
                base + "/v2/updates/price/latest?" + chunk.map { "ids%5B%5D=0x" + e(PythParser.normalizedFeedID($0)) }.joined(separator: "&")
                    + "&ignore_invalid_price_ids=true"
            }
        case .coingecko:
            // Split by coin id so every currency of one coin stays in the request that names it.
            var ids: [String] = []
            var byID: [String: [String]] = [:]
            for s in symbols {
                let id = CoinGeckoParser.split(s).id
                if byID[id] == nil { ids.append(id) }
                byID[id, default: []].append(s)
            }
            return stride(from: 0, to: ids.count, by: BatchLimits.coingeckoIDs).map { start in
                let chunk = Array(ids[start..<min(start + BatchLimits.coingeckoIDs, ids.count)])
                let members = chunk.flatMap { byID[$0]! }
                var currencies: [String] = []
                for s in members {
                    let c = CoinGeckoParser.split(s).currency
                    if !currencies.contains(c) { currencies.append(c) }
                }
                let url = base + "/api/v3/simple/price?ids=" + chunk.map(e).joined(separator: ",")
                    + "&vs_currencies=" + currencies.map(e).joined(separator: ",") + "&include_last_updated_at=true"
                return BatchRequest(url: url, symbols: members)
            }
        case .coinbase, .generic:
            return nil
        }
    }

    /// Parses one batch answer for `symbols` (venue spellings): a quote or an error per symbol.
    ///
    /// One pass over the entries; only the configured symbols are read (the others are
    /// skipped by name, without building a String); a malformed entry spoils only its own
    /// quote; a symbol the answer does not carry gets an `unknown_symbol` error naming it. The
    /// whole-body rules (HTTP status, HTML, the venue's error envelope, rate limits) are the
    /// single-ticker ones and, when they fail, give every symbol the same error. Each quote is
    /// built by the same function as the single-ticker parser's, so an entry gives the same
    /// quote either way (Gemini's pricefeed and KuCoin's allTickers carry other fields: see
    /// their `parseBatch`). Venues without a batch endpoint fall back to parsing the body as a
    /// single ticker for each symbol.
    public static func parseBatch(_ kind: VenueKind, symbols: [String], response: VenueResponse,
                                  generic: GenericAdapterSpec? = nil) -> [String: Result<Quote, VenueError>] {
        parseBatchAnswer(kind, symbols: symbols, response: response, generic: generic).results
    }

    /// `parseBatch` with the whole-body verdict kept apart (the scheduler backs off on it).
    /// Prepares the symbols' lookup for this one call; a caller parsing the same symbols every
    /// cycle keeps a `BatchParsePlan` and uses `parseBatchAnswer(_:response:generic:)`.
    public static func parseBatchAnswer(_ kind: VenueKind, symbols: [String], response: VenueResponse,
                                        generic: GenericAdapterSpec? = nil) -> BatchAnswer {
        parseBatchAnswer(BatchParsePlan(kind: kind, symbols: symbols, indexed: false), response: response, generic: generic)
    }

    /// `parseBatch` for the symbols of a prepared plan (same answer as with the plan's symbols).
    public static func parseBatchAnswer(_ plan: BatchParsePlan, response: VenueResponse,
                                        generic: GenericAdapterSpec? = nil) -> BatchAnswer {
        switch plan.kind {
        case .binance: return BinanceParser.parseBatch(plan: plan, response: response)
        case .okx: return OKXParser.parseBatch(plan: plan, response: response)
        case .bybit: return BybitParser.parseBatch(plan: plan, response: response)
        case .kucoin: return KuCoinParser.parseBatch(plan: plan, response: response)
        case .htx: return HTXParser.parseBatch(plan: plan, response: response)
        case .bitfinex: return BitfinexParser.parseBatch(plan: plan, response: response)
        case .kraken: return KrakenParser.parseBatch(plan: plan, response: response)
        case .bitstamp: return BitstampParser.parseBatch(plan: plan, response: response)
        case .cryptocom: return CryptoComParser.parseBatch(plan: plan, response: response)
        case .gemini: return GeminiParser.parseBatch(plan: plan, response: response)
        case .pyth: return PythParser.parseBatch(plan: plan, response: response)
        case .coingecko: return CoinGeckoParser.parseBatch(plan: plan, response: response)
        case .coinbase, .generic:
            let kind = plan.kind
            var outcomes: [Result<Quote, VenueError>] = []
            outcomes.reserveCapacity(plan.symbols.count)
            var bodyError: VenueError?
            for symbol in plan.symbols {
                do throws(VenueError) {
                    outcomes.append(.success(try parse(kind, symbol: symbol, response: response, generic: generic)))
                } catch {
                    outcomes.append(.failure(error))
                    bodyError = bodyError ?? error
                }
            }
            // In the plan's order, so `plan.index(of:)` finds each symbol's outcome.
            let anySuccess = outcomes.contains { if case .success = $0 { true } else { false } }
            return BatchAnswer(bodyError: anySuccess ? nil : bodyError, symbols: plan.symbols, outcomes: outcomes)
        }
    }
}

/// OKX's instrument type from an instrument id: `BTC-USDT` SPOT, `BTC-USDT-SWAP` SWAP,
/// `BTC-USD-250328` FUTURES, `BTC-USD-250328-60000-C` OPTION.
enum OKXInstrumentType {
    static func of(_ instID: String) -> String {
        let parts = instID.uppercased().split(separator: "-")
        if parts.count >= 5 { return "OPTION" }
        if parts.count >= 3 {
            if parts.last == "SWAP" { return "SWAP" }
            return "FUTURES"
        }
        return "SPOT"
    }
}

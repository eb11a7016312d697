/// Request URLs and response parsing for the implied-volatility sources, per `VolSourceKind`.
///
/// Pure, like `VenueAdapters`: bytes and status in, a `VolAnswer` out; the request time is a
/// parameter (DVOL asks for a time window), never read from a clock.
public enum VolAdapters {
    /// How far back the DVOL request reaches: an hour of one-minute candles is a few kB, and a
    /// level older than that would be stale under any sensible `max_age` anyway.
    public static let dvolWindowMs: Int64 = 3_600_000

    /// The full request URL for `underlying` ("BTC"); the underlying is percent-encoded.
    /// `quote` is the OKX underlying's quote currency (`uly=BTC-USD`).
    public static func requestURL(_ kind: VolSourceKind, baseURL: String, underlying: String,
                                  quote: String = "USD", nowMs: Int64) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let e = PercentEncoding.encode
        switch kind {
        case .deribitOptions:
            return base + "/api/v2/public/get_book_summary_by_currency?currency=" + e(underlying) + "&kind=option"
        case .deribitDVOL:
            return base + "/api/v2/public/get_volatility_index_data?currency=" + e(underlying)
                + "&resolution=60&start_timestamp=\(nowMs - dvolWindowMs)&end_timestamp=\(nowMs)"
        case .okxOptions:
            return base + "/api/v5/public/opt-summary?uly=" + e(underlying + "-" + quote)
        case .bybitOptions:
            return base + "/v5/market/tickers?category=option&baseCoin=" + e(underlying)
        }
    }

    /// Parses one response of `kind`. Never throws: a whole-body failure is `bodyError`, a bad
    /// entry is a reject, and only entries for `underlying` (when given) are kept.
    public static func parse(_ kind: VolSourceKind, response: VenueResponse, underlying: String? = nil) -> VolAnswer {
        var answer: VolAnswer
        switch kind {
        case .deribitOptions: answer = DeribitOptionsParser.parseSummary(response: response)
        case .deribitDVOL: answer = DeribitDVOLParser.parse(response: response)
        case .okxOptions: answer = OKXOptionsParser.parse(response: response)
        case .bybitOptions: answer = BybitOptionsParser.parse(response: response)
        }
        if let underlying {
            answer.quotes.removeAll { $0.option.underlying != underlying }
        }
        return answer
    }

    /// Deribit `public/ticker` for one option (refuses an answer for another instrument).
    public static func parseDeribitTicker(instrument: String, response: VenueResponse) -> VolAnswer {
        DeribitOptionsParser.parseTicker(instrument: instrument, response: response)
    }

    /// A recorded Bybit websocket `tickers.{symbol}` push for one option.
    public static func parseBybitTickerMessage(response: VenueResponse) -> VolAnswer {
        BybitOptionsParser.parseTickerMessage(response: response)
    }
}

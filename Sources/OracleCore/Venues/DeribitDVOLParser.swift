/// Deribit's DVOL index: `public/get_volatility_index_data?currency=BTC&resolution=60&start_timestamp=…&end_timestamp=…`.
///
/// `result.data` is a list of candles `[timestamp_ms, open, high, low, close]` in index points
/// (DVOL 52.3 = 52.3 % annualised 30-day implied volatility); `result.continuation` pages older
/// data. The level used is the close of the newest candle, whatever order the venue sends.
/// Errors use Deribit's JSON-RPC `error` object (see `DeribitOptionsParser.verdict`).
enum DeribitDVOLParser {
    static let label = "deribit"

    static func parse(response: VenueResponse) -> VolAnswer {
        VolTriage.parse(response, triageAs: .generic, label: label, bodyVerdict: DeribitOptionsParser.verdict) { (s, root) throws(VenueError) -> VolAnswer in
            let result = try s.volContainer(s.member("result", of: try s.volContainer(root, .object, "(root)", label)), .object, "result", label)
            let data = try s.volContainer(s.member("data", of: result), .array, "result.data", label)
            var best: VolIndexLevel?
            var firstError: VenueError?
            s.forEachElement(of: data) { i, candle in
                do throws(VenueError) {
                    guard candle.kind == .array, s.count(of: candle) >= 5 else {
                        throw VenueError(.other, "\(label): result.data[\(i)] is not a [ts,open,high,low,close] candle")
                    }
                    guard let ts = try s.volTimestamp(s.element(0, of: candle), "data[][0]", label), ts > 0,
                          let close = try s.volNumber(s.element(4, of: candle), "data[][4]", label),
                          close > 0, close / 100 <= VolQuote.maxPlausibleIV else {
                        throw VenueError(.other, "\(label): result.data[\(i)] has no usable timestamp and close")
                    }
                    if best.map({ ts > $0.timestampMs }) ?? true { best = VolIndexLevel(value: close / 100, timestampMs: ts) }
                } catch {
                    if firstError == nil { firstError = error }
                }
                return true
            }
            guard let best else {
                throw firstError ?? VenueError(.other, "\(label): result.data is empty; widen start_timestamp (DVOL candles are published per resolution)")
            }
            return VolAnswer(indexLevel: best)
        }
    }
}

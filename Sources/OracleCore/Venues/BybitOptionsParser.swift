/// Bybit v5 `GET /v5/market/tickers?category=option&baseCoin=BTC`: every option ticker of a coin.
///
/// `{"retCode":0,"result":{"category":"option","list":[{symbol:"BTC-25DEC26-60000-C", markIv:"0.52",
/// bid1Iv, ask1Iv, underlyingPrice, …}]},"time":ms}`: numbers are strings, IVs fractions, a zero
/// bid/ask IV means no quote on that side, `underlyingPrice` is the forward of that expiry; the
/// tickers carry no time of their own, so the envelope `time` stamps them all. The websocket
/// `tickers.{symbol}` push (`{"topic":…,"ts":ms,"data":{symbol, markPriceIv, underlyingPrice, …}}`)
/// is read by `parseTickerMessage`. Errors: `retCode` ≠ 0 (`BybitParser.verdict`).
enum BybitOptionsParser {
    static let label = "bybit"

    static func parse(response: VenueResponse) -> VolAnswer {
        VolTriage.parse(response, triageAs: .bybit, label: label, bodyVerdict: BybitParser.verdict) { (s, root) throws(VenueError) -> VolAnswer in
            let root = try s.volContainer(root, .object, "(root)", label)
            let (result, time, _, _, _) = s.members(of: root, wanted: 2, "result", "time")
            let list = try s.volContainer(s.member("list", of: try s.volContainer(result, .object, "result", label)), .array, "result.list", label)
            let stamp = try s.volTimestamp(time, "time", label)
            var answer = VolAnswer()
            s.forEachElement(of: list) { i, e in
                let (name, mark, fwd, bid, ask) = s.members(of: e, wanted: 5, "symbol", "markIv", "underlyingPrice", "bid1Iv", "ask1Iv")
                let instrument = s.stringText(name) ?? "result.list[\(i)]"
                do throws(VenueError) {
                    guard e.kind == .object, s.stringText(name) != nil else {
                        throw VenueError(.other, "\(label): result.list[\(i)] has no symbol")
                    }
                    answer.quotes.append(try VolTriage.quote(
                        label: label, name: instrument, parse: VolInstrument.dayMonthYear,
                        markIV: s.volNumber(mark, "markIv", label), ivScale: 1,
                        bidIV: s.volNumber(bid, "bid1Iv", label), askIV: s.volNumber(ask, "ask1Iv", label),
                        forward: s.volNumber(fwd, "underlyingPrice", label), timestampMs: stamp))
                } catch {
                    answer.rejects.append((instrument, error))
                }
                return true
            }
            return answer
        }
    }

    /// The websocket form of one option ticker (a recorded push, as in the shared fixtures).
    static func parseTickerMessage(response: VenueResponse) -> VolAnswer {
        VolTriage.parse(response, triageAs: .bybit, label: label, bodyVerdict: BybitParser.verdict) { (s, root) throws(VenueError) -> VolAnswer in
            let root = try s.volContainer(root, .object, "(root)", label)
            let (data, ts, _, _, _) = s.members(of: root, wanted: 2, "data", "ts")
            let d = try s.volContainer(data, .object, "data", label)
            let (name, mark, fwd, bid, ask) = s.members(of: d, wanted: 5, "symbol", "markPriceIv", "underlyingPrice", "bidIv", "askIv")
            return VolAnswer(quotes: [try VolTriage.quote(
                label: label, name: s.stringText(name) ?? "", parse: VolInstrument.dayMonthYear,
                markIV: s.volNumber(mark, "markPriceIv", label), ivScale: 1,
                bidIV: s.volNumber(bid, "bidIv", label), askIV: s.volNumber(ask, "askIv", label),
                forward: s.volNumber(fwd, "underlyingPrice", label), timestampMs: s.volTimestamp(ts, "ts", label))])
        }
    }
}

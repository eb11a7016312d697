/// Deribit implied volatilities: `public/get_book_summary_by_currency?currency=BTC&kind=option`
/// (every option of a currency) and `public/ticker?instrument_name=…` (one option).
///
/// JSON-RPC over HTTP: `{"jsonrpc":"2.0","result":…,"usIn":…}` on success and
/// `{"jsonrpc":"2.0","error":{"code":…,"message":…,"data":{…}}}` on failure (HTTP 400, or 429
/// for code 10028 too_many_requests). `mark_iv`, `bid_iv`, `ask_iv` are in percent and may be
/// null; `underlying_price` is the forward for that expiry; times are Unix ms numbers
/// (`creation_timestamp` in the summary, `timestamp` in the ticker).
enum DeribitOptionsParser {
    static let label = "deribit"

    /// The book summary: one quote per `result[]` entry; a malformed entry is a reject.
    static func parseSummary(response: VenueResponse) -> VolAnswer {
        VolTriage.parse(response, triageAs: .generic, label: label, bodyVerdict: verdict) { (s, root) throws(VenueError) -> VolAnswer in
            let result = try s.volContainer(s.member("result", of: try s.volContainer(root, .object, "(root)", label)), .array, "result", label)
            var answer = VolAnswer()
            s.forEachElement(of: result) { i, e in
                let (name, mark, fwd, ts, bid, ask) = s.volMembers(of: e, "instrument_name", "mark_iv", "underlying_price", "creation_timestamp", "bid_iv", "ask_iv")
                let instrument = s.stringText(name) ?? "result[\(i)]"
                do throws(VenueError) {
                    guard e.kind == .object, s.stringText(name) != nil else {
                        throw VenueError(.other, "\(label): result[\(i)] has no instrument_name")
                    }
                    answer.quotes.append(try VolTriage.quote(
                        label: label, name: instrument, parse: VolInstrument.dayMonthYear,
                        markIV: s.volNumber(mark, "mark_iv", label), ivScale: 0.01,
                        bidIV: s.volNumber(bid, "bid_iv", label), askIV: s.volNumber(ask, "ask_iv", label),
                        forward: s.volNumber(fwd, "underlying_price", label),
                        timestampMs: s.volTimestamp(ts, "creation_timestamp", label)))
                } catch {
                    answer.rejects.append((instrument, error))
                }
                return true
            }
            return answer
        }
    }

    /// One ticker; the answer must name `instrument` (a misrouted answer is refused).
    static func parseTicker(instrument: String, response: VenueResponse) -> VolAnswer {
        VolTriage.parse(response, triageAs: .generic, label: label, bodyVerdict: verdict) { (s, root) throws(VenueError) -> VolAnswer in
            let r = try s.volContainer(s.member("result", of: try s.volContainer(root, .object, "(root)", label)), .object, "result", label)
            let (name, mark, fwd, ts, _) = s.members(of: r, wanted: 4, "instrument_name", "mark_iv", "underlying_price", "timestamp")
            let (bid, ask, _, _, _) = s.members(of: r, wanted: 2, "bid_iv", "ask_iv")
            let answered = s.stringText(name) ?? ""
            guard answered == instrument else {
                throw VenueError(.other, "\(label): asked for '\(instrument)' but the answer is for '\(answered.prefix(60))'; refusing a misrouted ticker")
            }
            return VolAnswer(quotes: [try VolTriage.quote(
                label: label, name: answered, parse: VolInstrument.dayMonthYear,
                markIV: s.volNumber(mark, "mark_iv", label), ivScale: 0.01,
                bidIV: s.volNumber(bid, "bid_iv", label), askIV: s.volNumber(ask, "ask_iv", label),
                forward: s.volNumber(fwd, "underlying_price", label),
                timestampMs: s.volTimestamp(ts, "timestamp", label))])
        }
    }

    /// Deribit's `error` object, classified by its JSON-RPC code (API v2 error table).
    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, let error = s.member("error", of: root), error.kind == .object else { return nil }
        let code = s.codeText(s.member("code", of: error)) ?? "?"
        var msg = s.stringText(s.member("message", of: error)) ?? ""
        if let data = s.member("data", of: error), data.kind == .object, let reason = s.stringText(s.member("reason", of: data)) {
            msg += " (\(reason))"
        }
        let cls: VenueError.Class
        switch code {
        case "10028": cls = .rateLimited                                            // too_many_requests
        case "13020": cls = .unknownSymbol                                          // not_found
        case "10040", "10041", "10047", "11098", "13028", "13888", "-32000": cls = .unavailable   // retry, settlement in progress, queue full, temporarily unavailable, timed out, internal
        case "-32602", "-32600", "-32601", "11029", "11050":                        // invalid params/request: the reason says whether it was the instrument
            cls = ErrorText.classify(msg) == .unknownSymbol ? .unknownSymbol : .badRequest
        default: cls = ErrorText.classify(msg)
        }
        return BodyVerdict(cls, "\(code) \(msg)")
    }
}

/// OKX `GET /api/v5/public/opt-summary?uly=BTC-USD`: the option market summary of one underlying.
///
/// `{"code":"0","msg":"","data":[{instId:"BTC-USD-261225-60000-C", markVol:"0.52", bidVol,
/// askVol, fwdPx, ts:"1597026383085", …}]}`: every number is a string, volatilities are
/// fractions, `fwdPx` is the forward of that expiry, an empty field is `""`. Errors are OKX's
/// usual `code` ≠ "0" envelope (`OKXParser.verdict`).
enum OKXOptionsParser {
    static let label = "okx"

    static func parse(response: VenueResponse) -> VolAnswer {
        VolTriage.parse(response, triageAs: .okx, label: label, bodyVerdict: OKXParser.verdict) { (s, root) throws(VenueError) -> VolAnswer in
            let data = try s.volContainer(s.member("data", of: try s.volContainer(root, .object, "(root)", label)), .array, "data", label)
            var answer = VolAnswer()
            s.forEachElement(of: data) { i, e in
                let (name, mark, fwd, ts, bid, ask) = s.volMembers(of: e, "instId", "markVol", "fwdPx", "ts", "bidVol", "askVol")
                let instrument = s.stringText(name) ?? "data[\(i)]"
                do throws(VenueError) {
                    guard e.kind == .object, s.stringText(name) != nil else {
                        throw VenueError(.other, "\(label): data[\(i)] has no instId")
                    }
                    answer.quotes.append(try VolTriage.quote(
                        label: label, name: instrument, parse: VolInstrument.okxStyle,
                        markIV: s.volNumber(mark, "markVol", label), ivScale: 1,
                        bidIV: s.volNumber(bid, "bidVol", label), askIV: s.volNumber(ask, "askVol", label),
                        forward: s.volNumber(fwd, "fwdPx", label), timestampMs: s.volTimestamp(ts, "ts", label)))
                } catch {
                    answer.rejects.append((instrument, error))
                }
                return true
            }
            return answer
        }
    }
}

extension CryptoComParser {
    /// `GET /exchange/v1/public/get-tickers` without `instrument_name`: every instrument in
    /// `result.data[]` (`i` name, `b` bid, `k` ask, `a` last, `t` ms), matched on `i`.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .cryptocom, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .cryptocom)
            let result = try s.requireObject(s.member("result", of: root), "result", .cryptocom)
            let data = try s.requireArray(s.member("data", of: result), "result.data", .cryptocom)
            s.forEachElement(of: data) { _, e in
                c.sawEntry()
                let (name, bid, ask, last, t) = s.members(of: e, wanted: 5, "i", "b", "k", "a", "t")
                if let i = lookup.symbol(in: s, name) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: bid, ask: ask, last: last, t: t) }
                }
                return true
            }
        }
    }
}

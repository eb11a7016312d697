extension BybitParser {
    /// `GET /v5/market/tickers?category=spot` without `symbol`: every spot ticker in
    /// `result.list[]`, matched on `symbol`; the envelope `time` stamps each of them.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .bybit, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .bybit)
            let (result, time, _, _, _) = s.members(of: root, wanted: 2, "result", "time")
            let list = try s.requireArray(s.member("list", of: try s.requireObject(result, "result", .bybit)), "result.list", .bybit)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                let (name, bid, ask, last, _) = s.members(of: e, wanted: 4, "symbol", "bid1Price", "ask1Price", "lastPrice")
                if let i = lookup.symbol(in: s, name) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: bid, ask: ask, last: last, time: time) }
                }
                return true
            }
        }
    }
}

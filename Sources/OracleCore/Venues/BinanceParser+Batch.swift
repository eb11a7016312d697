extension BinanceParser {
    /// `GET /api/v3/ticker/bookTicker` without `symbol`: `[{"symbol","bidPrice","bidQty","askPrice","askQty"}, …]`
    /// for every listed symbol. Entries are matched on `symbol`.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .binance, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let list = try s.requireArray(root, "(root)", .binance)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                let (name, bid, ask, _, _) = s.members(of: e, wanted: 3, "symbol", "bidPrice", "askPrice")
                if let i = lookup.symbol(in: s, name) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: bid, ask: ask) }
                }
                return true
            }
        }
    }
}

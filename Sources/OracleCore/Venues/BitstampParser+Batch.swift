extension BitstampParser {
    /// `GET /api/v2/ticker/` (no pair): an array of the per-pair ticker objects for every market,
    /// matched on `pair` ("BTC/USD" for the configured `btcusd`).
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .bitstamp, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let list = try s.requireArray(root, "(root)", .bitstamp)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                let (pair, bid, ask, last, ts) = s.members(of: e, wanted: 5, "pair", "bid", "ask", "last", "timestamp")
                if let i = lookup.symbol(in: s, pair) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: bid, ask: ask, last: last, ts: ts) }
                }
                return true
            }
        }
    }
}

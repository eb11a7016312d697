extension HTXParser {
    /// `GET /market/tickers`: `{"status":"ok","ts":ms,"data":[{symbol,close,bid,bidSize,ask,askSize,…}]}`
    /// with lower-case symbols and bid/ask as bare numbers (merged sends `[price, size]`); the
    /// envelope `ts` stamps every entry.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .htx, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .htx)
            let (data, ts, _, _, _) = s.members(of: root, wanted: 2, "data", "ts")
            let list = try s.requireArray(data, "data", .htx)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                let (name, bid, ask, close, _) = s.members(of: e, wanted: 4, "symbol", "bid", "ask", "close")
                if let i = lookup.symbol(in: s, name) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: bid, ask: ask, close: close, ts: ts) }
                }
                return true
            }
        }
    }
}

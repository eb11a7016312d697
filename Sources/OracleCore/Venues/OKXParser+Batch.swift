extension OKXParser {
    /// `GET /api/v5/market/tickers?instType=SPOT`: the ticker envelope with one `data[]` entry per
    /// instrument of that type, matched on `instId`.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .okx, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .okx)
            let data = try s.requireArray(s.member("data", of: root), "data", .okx)
            s.forEachElement(of: data) { _, e in
                c.sawEntry()
                let (inst, bid, ask, last, ts) = s.members(of: e, wanted: 5, "instId", "bidPx", "askPx", "last", "ts")
                if let i = lookup.symbol(in: s, inst) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: bid, ask: ask, last: last, ts: ts) }
                }
                return true
            }
        }
    }
}

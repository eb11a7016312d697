extension GeminiParser {
    /// `GET /v1/pricefeed`: `[{"pair":"BTCUSD","price":"9500.00","percentChange24h":"-0.0081"}, …]`
    /// for every market, matched on `pair`.
    ///
    /// Differs from pubticker: the pricefeed has one price per pair (the last trade) and no book
    /// and no timestamp, so the quote is `last` only, stamped with the receive time. The mark
    /// then uses Gemini's last price where it used its mid, and the spread check has nothing to
    /// judge for this source.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .gemini, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let list = try s.requireArray(root, "(root)", .gemini)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                let (pair, price, _, _, _) = s.members(of: e, wanted: 2, "pair", "price")
                if let i = lookup.symbol(in: s, pair) {
                    c.offer(i) { () throws(VenueError) -> Quote in try quote(s, bid: nil, ask: nil, last: price, ts: nil) }
                }
                return true
            }
        }
    }
}

extension KuCoinParser {
    /// `GET /api/v1/market/allTickers`: `{"code":"200000","data":{"time":ms,"ticker":[{symbol,buy,sell,last,…}]}}`.
    ///
    /// Differs from level1: the best bid and ask are `buy`/`sell`, the last price is `last`, and
    /// the one `data.time` (the snapshot time) stamps every entry, where level1 carries its own.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .kucoin, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .kucoin)
            let data = try s.requireObject(s.member("data", of: root), "data", .kucoin)
            let (time, ticker, _, _, _) = s.members(of: data, wanted: 2, "time", "ticker")
            let list = try s.requireArray(ticker, "data.ticker", .kucoin)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                let (name, buy, sell, last, _) = s.members(of: e, wanted: 4, "symbol", "buy", "sell", "last")
                if let i = lookup.symbol(in: s, name) {
                    c.offer(i) { () throws(VenueError) -> Quote in
                        try quote(s, bid: (buy, "buy"), ask: (sell, "sell"), last: (last, "last"), time: time)
                    }
                }
                return true
            }
        }
    }
}

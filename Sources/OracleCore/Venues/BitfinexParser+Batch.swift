extension BitfinexParser {
    /// `GET /v2/tickers?symbols=tBTCUSD,fUSD`: an array of ticker arrays, each the single
    /// ticker with its `SYMBOL` prepended, so every field sits one index later:
    /// trading `[SYMBOL, BID, BID_SIZE, ASK, ASK_SIZE, …, LAST_PRICE (7), …]`, funding
    /// `[SYMBOL, FRR, BID (2), …, ASK (5), …, LAST_PRICE (10), …]`. Unknown symbols are left out.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let wanted = plan.symbols
        let lookup = plan.lookup
        return ResponseTriage.parseBatch(response, venue: .bitfinex, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let list = try s.requireArray(root, "(root)", .bitfinex)
            s.forEachElement(of: list) { _, e in
                c.sawEntry()
                guard e.kind == .array, let i = lookup.symbol(in: s, s.firstElement(of: e)) else { return true }
                let funding = wanted[i].utf8.first == UInt8(ascii: "f")
                let (bidIndex, askIndex, lastIndex, minCount) = funding ? (2, 5, 10, 11) : (1, 3, 7, 8)
                c.offer(i) { () throws(VenueError) -> Quote in
                    var bid: JSONSpan?, ask: JSONSpan?, last: JSONSpan?
                    var count = 0
                    s.forEachElement(of: e) { k, v in
                        if k == bidIndex { bid = v } else if k == askIndex { ask = v } else if k == lastIndex { last = v }
                        count = k + 1
                        return true
                    }
                    guard count >= minCount else {
                        throw VenueError(.other, "bitfinex: ticker array has \(count) fields, expected at least \(minCount) for '\(wanted[i])'")
                    }
                    return try quote(s, bid: bid, ask: ask, last: last)
                }
                return true
            }
        }
    }
}

extension CoinGeckoParser {
    /// `GET /api/v3/simple/price?ids=bitcoin,ethereum&vs_currencies=usd,eur&include_last_updated_at=true`:
    /// `{"bitcoin":{"usd":…,"eur":…,"last_updated_at":s},"ethereum":{…}}` — one object per coin id
    /// with every requested currency; a configured "bitcoin/eur" reads the `eur` member of
    /// `bitcoin`. Unknown ids are left out of the object.
    static func parseBatch(plan: BatchParsePlan, response: VenueResponse) -> BatchAnswer {
        let byID = plan.coinTargets
        return ResponseTriage.parseBatch(response, venue: .coingecko, wanted: plan.symbols, bodyVerdict: verdict) { (s, root, c) throws(VenueError) in
            let root = try s.requireObject(root, "(root)", .coingecko)
            s.forEachMember(of: root) { k, v in
                c.sawEntry()
                // Coin ids are exact lower-case strings; the answer holds only the requested ones.
                guard let targets = byID[s.text(of: k)] else { return true }
                for target in targets {
                    let (i, currency) = (target.index, target.currency)
                    c.offer(i) { () throws(VenueError) -> Quote in
                        let coin = try s.requireObject(v, "<id>", .coingecko)
                        return try quote(s, coin: coin, id: s.text(of: k), currency: currency)
                    }
                }
                return true
            }
        }
    }
}

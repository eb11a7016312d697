/// Coinbase Exchange `GET /products/BTC-USD/ticker`.
///
/// Body: `bid`, `ask`, `price` (last), `time` (ISO-8601 with microseconds, truncated to ms);
/// `trade_id` is sometimes an int and sometimes a string and `rfq_volume` may appear — both
/// ignored. Errors: HTTP status plus `{"message": ...}` (404 `NotFound` for an unknown product).
enum CoinbaseParser {
    static func parse(symbol: String, response: VenueResponse) throws(VenueError) -> Quote {
        try ResponseTriage.parse(response, venue: .coinbase, bodyVerdict: verdict) { (s, root) throws(VenueError) -> Quote in
            let root = try s.requireObject(root, "(root)", .coinbase)
            var bid: JSONSpan?, ask: JSONSpan?, price: JSONSpan?, time: JSONSpan?
            s.forEachMember(of: root) { k, v in
                if s.string(k, equals: "bid") { bid = v }
                else if s.string(k, equals: "ask") { ask = v }
                else if s.string(k, equals: "price") { price = v }
                else if s.string(k, equals: "time") { time = v }
                return bid == nil || ask == nil || price == nil || time == nil
            }
            return try Quote(bid: s.decimal(bid, "bid", .coinbase),
                             ask: s.decimal(ask, "ask", .coinbase),
                             last: s.decimal(price, "price", .coinbase),
                             exchangeTimestampMs: s.isoTimestamp(time, "time", .coinbase)).requiringPrice(.coinbase)
        }
    }

    /// `{"message": "NotFound"}` and friends: a message and none of the ticker fields.
    static func verdict(_ s: JSONScanner, _ root: JSONSpan) -> BodyVerdict? {
        guard root.kind == .object, s.member("bid", of: root) == nil, s.member("price", of: root) == nil,
              let message = s.stringText(s.member("message", of: root)) else { return nil }
        return BodyVerdict(ErrorText.classify(message), message)
    }
}

/// What one venue said about one instrument in one response, before any judgement.
///
/// Parsers fill only what the body holds: Binance has no `last` and no timestamp, Pyth and
/// CoinGecko have no book. Sanity checks (crossed book, zero, absurd values) belong to the
/// aggregation, which can say *why* a value was not used.
public struct Quote: Sendable, Equatable {
    public var bid: VenueNumber?
    public var ask: VenueNumber?
    public var last: VenueNumber?
    /// The venue's own timestamp in Unix milliseconds, when the body carries one.
    public var exchangeTimestampMs: Int64?
    /// The venue's own uncertainty (Pyth `conf`), in price units, when it publishes one.
    public var confidence: VenueNumber?

    public init(bid: VenueNumber? = nil, ask: VenueNumber? = nil, last: VenueNumber? = nil,
                exchangeTimestampMs: Int64? = nil, confidence: VenueNumber? = nil) {
        self.bid = bid
        self.ask = ask
        self.last = last
        self.exchangeTimestampMs = exchangeTimestampMs
        self.confidence = confidence
    }
}

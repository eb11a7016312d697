/// Classifies a venue's free-text error message when its code alone does not say enough
/// (Coinbase and Bitstamp send only text; Bybit's 10001 covers any bad parameter and only
/// the text says it was the symbol; plain-text bodies from Pyth; generic adapters).
///
/// Order matters: a rate limit is recognised before anything else (it is the one class the
/// scheduler must never hammer through), then a bad symbol, then an outage, then a bad request.
enum ErrorText {
    static func classify(_ text: String) -> VenueError.Class {
        let t = text.lowercased()
        if t.contains("rate limit") || t.contains("ratelimit") || t.contains("rate-limit") || t.contains("too many")
            || t.contains("too frequent") || t.contains("throttl") || t.contains("too much request") {
            return .rateLimited
        }
        if t.contains("symbol") || t.contains("instrument") || t.contains("not found") || t.contains("notfound")
            || t.contains("unknown asset") || t.contains("unknown pair") || t.contains("currency pair")
            || t.contains("product") || t.contains("does not exist") || t.contains("not exist") {
            return .unknownSymbol
        }
        if t.contains("unavailable") || t.contains("maintenance") || t.contains("busy") || t.contains("internal")
            || t.contains("timeout") || t.contains("timed out") || t.contains("try again") || t.contains("overload") {
            return .unavailable
        }
        if t.contains("invalid") || t.contains("parameter") || t.contains("bad request") || t.contains("missing") {
            return .badRequest
        }
        return .other
    }
}

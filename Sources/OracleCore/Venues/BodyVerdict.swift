/// A venue's own statement, read from its body, that a response is an error.
///
/// Venues signal errors inside HTTP 200 bodies (Kraken's `error` array, OKX `code`, Bybit
/// `retCode`) and also explain their 4xx/5xx answers in the body; each parser turns its
/// venue's codes into one of these, and `ResponseTriage` weighs it against the HTTP status.
struct BodyVerdict: Sendable, Equatable {
    var errorClass: VenueError.Class
    /// The venue's own code and message, e.g. "51001 Instrument ID does not exist".
    var message: String

    init(_ errorClass: VenueError.Class, _ message: String) {
        self.errorClass = errorClass
        self.message = message.count > 200 ? String(message.prefix(200)) + "…" : message
    }
}

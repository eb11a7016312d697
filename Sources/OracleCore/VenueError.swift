/// A venue's answer that is not a quote, classified so the scheduler knows what to do.
///
/// The class names are a contract (`oracled probe --json` prints them): `unknown_symbol`
/// (configuration error: do not hammer), `rate_limited` (slow down, honour `retryAfterSeconds`),
/// `unavailable` (venue-side failure: back off and retry), `bad_request` (our request is wrong),
/// `other` (anything else, including undecodable bodies).
public struct VenueError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Class: String, Sendable, Equatable, CaseIterable {
        case unknownSymbol = "unknown_symbol"
        case rateLimited = "rate_limited"
        case unavailable = "unavailable"
        case badRequest = "bad_request"
        case other = "other"
    }

    public var errorClass: Class
    /// Seconds from the `Retry-After` header (delta-seconds or HTTP-date), nil when absent.
    public var retryAfterSeconds: Int?
    /// Venue-specific hint in milliseconds until a rate-limit window resets
    /// (KuCoin `gw-ratelimit-reset`, Bybit `X-Bapi-Limit-Reset-Timestamp`), used for scheduling only.
    public var resetHintMs: Int64?
    /// A short human reason: the venue's own code and message where it gave one.
    public var message: String

    public init(_ errorClass: Class, _ message: String, retryAfterSeconds: Int? = nil, resetHintMs: Int64? = nil) {
        self.errorClass = errorClass
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.resetHintMs = resetHintMs
    }

    public var description: String { "\(errorClass.rawValue): \(message)" }
}

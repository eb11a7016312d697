/// A European, cash-settled option on one of the oracle's pairs (crypto style: BTC, ETH, SOL options
/// settled in USD at expiry against the mark).
///
/// The strike keeps the text it was written with (`VenueNumber`), as positions' quantities do, so a
/// contract echoes back as "60000" rather than "60000.0". Expiry is Unix milliseconds UTC; venue names
/// carry only a date, and crypto venues (Deribit, Bybit, OKX) all expire at 08:00 UTC on that date.
public struct OptionContract: Sendable, Equatable, Hashable {
    /// The pair whose mark is the forward, as the oracle names it (`BTC-USD`).
    public var underlying: String
    public var right: OptionRight
    /// Strike in the quote currency of `underlying` (USD for `BTC-USD`); always finite and > 0.
    public var strike: VenueNumber
    /// Expiry instant, Unix ms UTC.
    public var expiryMs: Int64

    /// Hour of day (UTC) at which dated crypto options expire on Deribit, Bybit and OKX.
    public static let venueExpiryHourUTC = 8

    public init(underlying: String, right: OptionRight, strike: VenueNumber, expiryMs: Int64) {
        self.underlying = underlying
        self.right = right
        self.strike = strike
        self.expiryMs = expiryMs
    }

    /// Builds a contract from the four text fields of the JSON form, naming `prefix.field` in any error
    /// (`positions[2].option.strike`) so the account importer can pass its own path.
    public init(underlying: String, right: String, strike: String, expiry: String,
                fieldPrefix prefix: String = "option") throws(OptionError) {
        self.underlying = try Self.checkUnderlying(underlying, field: "\(prefix).underlying")
        guard let r = OptionRight(text: right) else {
            throw OptionError(.invalidValue, field: "\(prefix).right", "\"\(right)\" is not a right; write \"call\" or \"put\"")
        }
        self.right = r
        self.strike = try Self.checkStrike(strike, field: "\(prefix).strike")
        self.expiryMs = try Self.parseExpiry(expiry, field: "\(prefix).expiry")
    }

    /// `BASE-QUOTE`, both non-empty upper-case alphanumerics: the form pairs have in oracles.toml.
    static func checkUnderlying(_ text: String, field: String) throws(OptionError) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        func ok(_ s: Substring) -> Bool {
            !s.isEmpty && s.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
        }
        guard parts.count == 2, ok(parts[0]), ok(parts[1]) else {
            throw OptionError(.invalidValue, field: field, "\"\(text)\" is not a pair; write it as the oracle names it, e.g. \"BTC-USD\"")
        }
        return text
    }

    /// A plain positive decimal ("60000", "0.55"); no exponent games, NaN or zero.
    static func checkStrike(_ text: String, field: String) throws(OptionError) -> VenueNumber {
        guard let n = VenueNumber(text) else {
            throw OptionError(.invalidValue, field: field, "\"\(text)\" is not a decimal; write the strike as a string like \"60000\"")
        }
        guard n.value.isFinite, n.value > 0 else {
            throw OptionError(.outOfRange, field: field, "strike \(text) must be a positive finite number")
        }
        return n
    }

    /// RFC 3339 with a zone (`2026-12-25T08:00:00Z`), or a bare date (`2026-12-25`), which means the
    /// venues' 08:00 UTC on that day.
    static func parseExpiry(_ text: String, field: String) throws(OptionError) -> Int64 {
        var bytes = Array(text.utf8)
        if bytes.count == 10 {
            bytes += Array("T0\(venueExpiryHourUTC):00:00Z".utf8)
        }
        let ms = bytes.withUnsafeBufferPointer { CivilTime.parseISO8601($0) }
        guard let ms else {
            throw OptionError(.invalidValue, field: field,
                              "\"\(text)\" is not a date-time; write RFC 3339 UTC like \"2026-12-25T08:00:00Z\" (or a date, meaning 08:00 UTC)")
        }
        return ms
    }
}

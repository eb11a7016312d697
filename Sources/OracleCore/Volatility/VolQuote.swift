/// One venue's mark implied volatility for one option, with the forward it was computed on.
///
/// Venues publish IVs in different units (Deribit percent, OKX and Bybit fractions); a
/// `VolQuote` always holds a fraction (0.4543 for 45.43 %), so the surface never mixes units.
public struct VolQuote: Sendable, Equatable {
    /// The venue's own instrument name ("BTC-26JUN26-100000-C").
    public var instrument: String
    public var option: VolInstrument
    /// Mark implied volatility as a fraction per year.
    public var markIV: Double
    /// Bid and ask IVs as fractions when the venue sent them (Deribit's may be null).
    public var bidIV: Double?
    public var askIV: Double?
    /// The forward (the venue's underlying price for that expiry) the IV refers to.
    public var forward: Double
    /// Venue time of the quote, Unix ms.
    public var timestampMs: Int64

    public init(instrument: String, option: VolInstrument, markIV: Double, bidIV: Double? = nil,
                askIV: Double? = nil, forward: Double, timestampMs: Int64) {
        self.instrument = instrument
        self.option = option
        self.markIV = markIV
        self.bidIV = bidIV
        self.askIV = askIV
        self.forward = forward
        self.timestampMs = timestampMs
    }

    /// Above this a mark IV is not a volatility but a unit mistake (percent read as a fraction
    /// gives 45.0, i.e. 4,500 %). Deribit's deepest wings reach a few hundred percent.
    public static let maxPlausibleIV = 10.0
}

/// A volatility index level (Deribit DVOL): a 30-day ATM-like implied volatility.
public struct VolIndexLevel: Sendable, Equatable {
    /// As a fraction (DVOL 52.3 is 0.523).
    public var value: Double
    /// Start of the candle it closes, Unix ms.
    public var timestampMs: Int64

    public init(value: Double, timestampMs: Int64) {
        self.value = value
        self.timestampMs = timestampMs
    }
}

/// One response of an implied-volatility source: quotes, the entries that were refused, or a
/// whole-body error.
///
/// As for batch prices, a whole-body failure (`bodyError`) is the request's failure and drives
/// backoff; a malformed entry spoils only its own instrument and is listed in `rejects`.
public struct VolAnswer: Sendable {
    public var bodyError: VenueError?
    public var quotes: [VolQuote]
    /// Entries that could not be read, with the instrument name when it was legible
    /// ("result[17]" otherwise).
    public var rejects: [(instrument: String, error: VenueError)]
    /// DVOL answers carry the latest level here and no quotes.
    public var indexLevel: VolIndexLevel?

    public init(bodyError: VenueError? = nil, quotes: [VolQuote] = [],
                rejects: [(instrument: String, error: VenueError)] = [], indexLevel: VolIndexLevel? = nil) {
        self.bodyError = bodyError
        self.quotes = quotes
        self.rejects = rejects
        self.indexLevel = indexLevel
    }

    static func failed(_ error: VenueError) -> VolAnswer { VolAnswer(bodyError: error) }
}

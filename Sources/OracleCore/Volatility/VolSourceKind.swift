/// The implied-volatility adapters oracled knows. Raw values are `[[source]] kind` strings in
/// oracles.toml; they are kept apart from `VenueKind` because they answer volatilities for a
/// whole underlying rather than one price per symbol.
public enum VolSourceKind: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Deribit `public/get_book_summary_by_currency?kind=option` (mark IV in percent).
    case deribitOptions = "deribit_options"
    /// OKX `public/opt-summary` (markVol, a fraction).
    case okxOptions = "okx_options"
    /// Bybit v5 `market/tickers?category=option` (markIv, a fraction).
    case bybitOptions = "bybit_options"
    /// Deribit DVOL index candles: an ATM-like fallback level, never a smile.
    case deribitDVOL = "deribit_dvol"

    /// The venue's public REST host.
    public var defaultBaseURL: String {
        switch self {
        case .deribitOptions, .deribitDVOL: return "https://www.deribit.com"
        case .okxOptions: return "https://www.okx.com"
        case .bybitOptions: return "https://api.bybit.com"
        }
    }

    /// The venue name used in reports and errors.
    public var venueLabel: String {
        switch self {
        case .deribitOptions, .deribitDVOL: return "deribit"
        case .okxOptions: return "okx"
        case .bybitOptions: return "bybit"
        }
    }
}

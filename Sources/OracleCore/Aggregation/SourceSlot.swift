/// One configured source of one pair inside the engine: its latest response and its memory.
///
/// The fields the cycle reads for every source come first and the names (read only to explain
/// a verdict or across a reload) last, so a cycle touches as few cache lines as possible.
struct SourceSlot: Sendable {
    /// The newest response, nil until the first one arrives.
    var latest: Observation?
    var frozen = FrozenTracker()
    /// Index of the `convert` pair in the engine's dependency order (-1 = none).
    let convertIndex: Int
    /// `[[source]]` name.
    let name: String
    /// The venue's spelling of the instrument; a sample is only kept across a reload when this
    /// is unchanged, so a renamed symbol never inherits another instrument's quote.
    let venueSymbol: String
    /// `convert` pair symbol, if any.
    let convertSymbol: String?
    /// `VenueError.description` of the latest response when it was an error.
    var latestError: String?

    init(spec: PairSourceSpec, convertIndex: Int) {
        self.name = spec.source
        self.venueSymbol = spec.symbol
        self.convertSymbol = spec.convert
        self.convertIndex = convertIndex
    }
}

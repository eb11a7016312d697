/// What a batch parser needs to know about the configured symbols of one request, built once.
///
/// The symbols of a batch request change only with the configuration, while its answer is
/// parsed every poll cycle. Removing duplicates and hashing every wanted name (Kraken's asset
/// aliases, Pyth's normalised feed ids, CoinGecko's coin ids) therefore happens here, once per
/// (source, symbol list): `FetchPlan` keeps one per batch unit and the poll loop passes it to
/// `VenueAdapters.parseBatchAnswer(_:response:generic:)`. At 2,000 symbols building it costs
/// about as much as parsing a whole body, so rebuilding it per body doubled the parse cost.
public struct BatchParsePlan: Sendable, Equatable {
    public let kind: VenueKind
    /// The configured (venue) spellings, without duplicates, in request order.
    public let symbols: [String]
    /// The names the venue writes in its answer, for each symbol (empty for CoinGecko and the
    /// venues without a batch endpoint).
    let lookup: BatchLookup
    /// CoinGecko: coin id → the symbols (index, vs-currency) it answers for.
    let coinTargets: [String: [CoinTarget]]
    private let indexBySymbol: [String: Int]

    /// The position of a configured symbol in `symbols` (and in a `BatchAnswer`'s `outcomes`).
    public func index(of symbol: String) -> Int? {
        indexed ? indexBySymbol[symbol] : symbols.firstIndex(of: symbol)
    }
    /// False for a one-shot plan (`parseBatchAnswer(kind, symbols:…)`), which never asks `index(of:)`
    /// in a loop and should not pay for the dictionary.
    private let indexed: Bool

    struct CoinTarget: Sendable {
        var index: Int
        var currency: String
    }

    public init(kind: VenueKind, symbols: [String]) {
        self.init(kind: kind, symbols: symbols, indexed: true)
    }

    init(kind: VenueKind, symbols: [String], indexed: Bool) {
        let wanted = BatchCollector.unique(symbols)
        self.kind = kind
        self.symbols = wanted
        self.indexed = indexed
        var indexBySymbol: [String: Int] = [:]
        if indexed {
            for (i, s) in wanted.enumerated() { indexBySymbol[s] = i }
        }
        self.indexBySymbol = indexBySymbol
        var coinTargets: [String: [CoinTarget]] = [:]
        switch kind {
        case .kraken:
            lookup = KrakenParser.batchLookup(wanted)
        case .pyth:
            lookup = BatchLookup(keys: wanted.map(PythParser.normalizedFeedID), symbolIndex: Array(wanted.indices))
        case .coingecko:
            lookup = BatchLookup(keys: [], symbolIndex: [])
            for (i, symbol) in wanted.enumerated() {
                let (id, currency) = CoinGeckoParser.split(symbol)
                coinTargets[id, default: []].append(CoinTarget(index: i, currency: currency))
            }
        case .coinbase, .generic:
            lookup = BatchLookup(keys: [], symbolIndex: [])
        default:
            lookup = BatchLookup(symbols: wanted)
        }
        self.coinTargets = coinTargets
    }

    /// Two plans are the same when they were built from the same venue and symbols (the rest
    /// is derived from those).
    public static func == (a: BatchParsePlan, b: BatchParsePlan) -> Bool {
        a.kind == b.kind && a.symbols == b.symbols
    }
}

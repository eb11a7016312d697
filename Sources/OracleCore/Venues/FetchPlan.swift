/// Which requests the poll loop may start, and which (pair, source) slots each answer feeds.
///
/// Built once per configuration. A source with a batch endpoint and at least
/// `minBatchSymbols` distinct symbols is fetched with its batch requests (usually one; a few
/// where the venue's query lists symbols, see `BatchLimits`), each answer fanning out to every
/// pair that uses one of its symbols. Every other source keeps one request per (pair, source),
/// as before. A source with a single symbol stays on the single-ticker endpoint: a
/// whole-market answer (KuCoin's is about 1 MB) for one symbol would cost far more than it saves.
///
/// Pure: the loop asks `order(rotation:)` each cycle and takes one token from the source's
/// schedule per request it starts.
public struct FetchPlan: Sendable, Equatable {
    /// One (pair, source) slot an answer fills, with the symbol to read for it.
    public struct Target: Sendable, Hashable {
        public var pair: String
        public var source: String
        public var symbol: String

        public init(pair: String, source: String, symbol: String) {
            self.pair = pair
            self.source = source
            self.symbol = symbol
        }
    }

    /// One HTTP request and what its answer feeds.
    public struct Unit: Sendable, Equatable {
        /// Identifies the request across cycles and reloads (source name and URL), for in-flight tracking.
        public var key: String
        public var source: String
        public var url: String
        /// Venue spellings read from the answer.
        public var symbols: [String]
        public var targets: [Target]
        /// True for a batch request (parsed with `VenueAdapters.parseBatchAnswer`).
        public var isBatch: Bool
        public var maxBodyBytes: Int
        /// For a batch request, its symbols prepared once for the parser (built with the plan,
        /// reused for every answer: see `BatchParsePlan`).
        public var parsePlan: BatchParsePlan?
    }

    public static let minBatchSymbols = 2

    /// Batch requests, grouped per source in source order.
    public private(set) var batchUnits: [[Unit]] = []
    /// Single-ticker requests, grouped per pair in pair order (the rotation key of old).
    public private(set) var pairUnits: [[Unit]] = []

    public init(pairs: [PairSpec], sources: [SourceSpec]) {
        var specs: [String: SourceSpec] = [:]
        for s in sources { specs[s.name] = s }
        // Distinct symbols per source, in first-use order.
        var symbolsBySource: [String: [String]] = [:]
        for pair in pairs {
            for ps in pair.sources where specs[ps.source] != nil {
                if !(symbolsBySource[ps.source]?.contains(ps.symbol) ?? false) {
                    symbolsBySource[ps.source, default: []].append(ps.symbol)
                }
            }
        }
        var batched = Set<String>()
        for source in sources {
            let symbols = symbolsBySource[source.name] ?? []
            guard symbols.count >= Self.minBatchSymbols,
                  let requests = VenueAdapters.batchRequests(for: source, symbols: symbols) else { continue }
            batched.insert(source.name)
            var units: [Unit] = []
            for r in requests {
                let wanted = Set(r.symbols)
                var targets: [Target] = []
                for pair in pairs {
                    for ps in pair.sources where ps.source == source.name && wanted.contains(ps.symbol) {
                        targets.append(Target(pair: pair.symbol, source: ps.source, symbol: ps.symbol))
                    }
                }
                units.append(Unit(key: source.name + " " + r.url, source: source.name, url: r.url, symbols: r.symbols,
                                  targets: targets, isBatch: true, maxBodyBytes: VenueAdapters.batchMaxBodyBytes(for: source),
                                  parsePlan: BatchParsePlan(kind: source.kind, symbols: r.symbols)))
            }
            batchUnits.append(units)
        }
        for pair in pairs {
            var units: [Unit] = []
            for ps in pair.sources {
                guard let spec = specs[ps.source], !batched.contains(ps.source) else { continue }
                let url = VenueAdapters.requestURL(for: spec, symbol: ps.symbol)
                // The pair is part of the key: two pairs reading one symbol (BTC-USD and a
                // converted BTC-EUR, say) keep separate requests as they always had.
                units.append(Unit(key: ps.source + " " + pair.symbol + " " + url, source: ps.source, url: url,
                                  symbols: [ps.symbol], targets: [Target(pair: pair.symbol, source: ps.source, symbol: ps.symbol)],
                                  isBatch: false, maxBodyBytes: spec.maxBodyBytes, parsePlan: nil))
            }
            pairUnits.append(units)
        }
    }

    /// Every unit, in the order this cycle should try them. Batch requests of a source rotate
    /// among themselves and single-ticker requests rotate by pair, so a rate limit that admits
    /// only some of them this cycle serves the others first next time.
    public func order(rotation: Int) -> [Unit] {
        // Reduced first: a wrapped (negative) counter must not index backwards or overflow.
        func start(_ count: Int) -> Int { ((rotation % count) + count) % count }
        var out: [Unit] = []
        for units in batchUnits where !units.isEmpty {
            let r = start(units.count)
            for i in 0..<units.count { out.append(units[(i + r) % units.count]) }
        }
        if !pairUnits.isEmpty {
            let r = start(pairUnits.count)
            for i in 0..<pairUnits.count { out.append(contentsOf: pairUnits[(i + r) % pairUnits.count]) }
        }
        return out
    }

    /// Number of requests one full round costs (every unit once).
    public var requestCount: Int { batchUnits.reduce(0) { $0 + $1.count } + pairUnits.reduce(0) { $0 + $1.count } }
}

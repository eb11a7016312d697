/// One batch response read for many symbols: a quote or an error per configured symbol.
///
/// `bodyError` is set when the response as a whole failed (HTTP status, HTML, the venue's error
/// envelope, a rate limit): every symbol then carries that same error, and the scheduler treats
/// the request like any failed request (backoff, `Retry-After`, quarantine). When it is nil the
/// venue answered, and a symbol's own failure (a malformed entry, a symbol the venue did not
/// list) is that symbol's alone.
public struct BatchAnswer: Sendable {
    public var bodyError: VenueError?
    /// The configured (venue) spellings without duplicates, in the order of `outcomes` (a
    /// `BatchParsePlan`'s `symbols` when parsed with one).
    public let symbols: [String]
    /// The outcome of `symbols[i]`. Kept as an array: keying 2,000 outcomes by String for every
    /// answer cost about a fifth of a batch parse, and the poll loop reads them by the plan's
    /// index (`BatchParsePlan.index(of:)`) instead.
    public let outcomes: [Result<Quote, VenueError>]

    /// Keyed by the configured (venue) spelling, exactly as passed in `symbols`; built on each
    /// access.
    public var results: [String: Result<Quote, VenueError>] {
        var out: [String: Result<Quote, VenueError>] = [:]
        out.reserveCapacity(symbols.count)
        for (symbol, outcome) in zip(symbols, outcomes) { out[symbol] = outcome }
        return out
    }

    public init(bodyError: VenueError?, results: [String: Result<Quote, VenueError>]) {
        self.bodyError = bodyError
        symbols = Array(results.keys)
        outcomes = symbols.map { results[$0]! }
    }

    init(bodyError: VenueError?, symbols: [String], outcomes: [Result<Quote, VenueError>]) {
        precondition(symbols.count == outcomes.count)
        self.bodyError = bodyError
        self.symbols = symbols
        self.outcomes = outcomes
    }
}

/// Collects the per-symbol outcomes while a batch parser walks the entries of one body.
struct BatchCollector {
    let venue: VenueKind
    /// Configured symbols, without duplicates, in request order.
    let symbols: [String]
    private var outcomes: [Result<Quote, VenueError>?]
    private var hits: [Int]
    /// Entries seen in the body (for the "not in the batch answer" message).
    private(set) var entries = 0

    init(venue: VenueKind, symbols: [String]) {
        self.venue = venue
        self.symbols = symbols
        outcomes = Array(repeating: nil, count: symbols.count)
        hits = Array(repeating: 0, count: symbols.count)
    }

    /// Counts one entry of the body, wanted or not.
    mutating func sawEntry() { entries += 1 }

    /// Records the entry for symbol `index`: `quote` runs only here, so an unwanted entry costs
    /// nothing beyond finding its name, and a throwing entry spoils only its own symbol.
    mutating func offer(_ index: Int, _ quote: () throws(VenueError) -> Quote) {
        hits[index] += 1
        if hits[index] > 1 {
            // Two entries for one instrument: a venue bug or a proxy splicing answers. Neither
            // copy can be trusted over the other.
            outcomes[index] = .failure(VenueError(.other, "\(venue.rawValue): symbol '\(symbols[index])' appears \(hits[index]) times in the batch answer; refusing an ambiguous quote"))
            return
        }
        do throws(VenueError) {
            outcomes[index] = .success(try quote())
        } catch {
            outcomes[index] = .failure(VenueError(error.errorClass, "\(error.message) (entry for '\(symbols[index])')"))
        }
    }

    /// The outcome for every symbol; a symbol with no entry gets an `unknown_symbol` error.
    func finish() -> [Result<Quote, VenueError>] {
        symbols.indices.map { i in
            outcomes[i] ?? .failure(VenueError(.unknownSymbol,
                "\(venue.rawValue): symbol '\(symbols[i])' not in the venue's batch answer (\(entries) entries); check that the venue lists it under this spelling"))
        }
    }

    /// Symbols without duplicates, order kept.
    static func unique(_ symbols: [String]) -> [String] {
        var seen = Set<String>()
        return symbols.filter { seen.insert($0).inserted }
    }
}

extension ResponseTriage {
    /// Runs the whole-body rules on a batch response, then `entries` to fill the collector.
    /// A whole-body failure becomes every symbol's error and the answer's `bodyError`.
    /// `wanted` is the plan's symbol list, already without duplicates (see `BatchParsePlan`).
    static func parseBatch(
        _ response: VenueResponse,
        venue: VenueKind,
        wanted: [String],
        bodyVerdict: (JSONScanner, JSONSpan) -> BodyVerdict?,
        textVerdict: (String) -> BodyVerdict? = { _ in nil },
        entries: (JSONScanner, JSONSpan, inout BatchCollector) throws(VenueError) -> Void
    ) -> BatchAnswer {
        do throws(VenueError) {
            let results = try parse(response, venue: venue, bodyVerdict: bodyVerdict, textVerdict: textVerdict) {
                (s, root) throws(VenueError) -> [Result<Quote, VenueError>] in
                var collector = BatchCollector(venue: venue, symbols: wanted)
                try entries(s, root, &collector)
                return collector.finish()
            }
            return BatchAnswer(bodyError: nil, symbols: wanted, outcomes: results)
        } catch {
            return BatchAnswer(bodyError: error, symbols: wanted, outcomes: Array(repeating: .failure(error), count: wanted.count))
        }
    }
}

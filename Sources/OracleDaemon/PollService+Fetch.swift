import OracleCore
import OracleFetch
import OracleTape

extension PollService {
    /// Runs one planned request and turns its answer into a sample per slot it feeds. Parsing
    /// happens here, in the request's own task, never on the loop.
    /// `capture`: also keep the raw answer for the tape (`Completion.tape`).
    static func fetch(_ unit: FetchPlan.Unit, spec: SourceSpec, fetcher: CurlMultiLoop, userAgent: String, capture: Bool = false) async -> Completion {
        let request = FetchRequest(url: unit.url, connectTimeoutMs: spec.connectTimeoutMs, totalTimeoutMs: spec.totalTimeoutMs,
                                   maxBodyBytes: unit.maxBodyBytes, userAgent: userAgent)
        do {
            let response = try await fetcher.fetch(request)
            let receivedAt = WallClock.nowMs()
            let vr = VenueResponse(status: response.status, headers: response.headers, body: response.body, receivedAtMs: receivedAt)
            let (result, requestError) = parse(unit, spec: spec, response: vr)
            let samples = unit.targets.map { target in
                let result = result(target.symbol)
                    ?? .failure(VenueError(.other, "\(spec.kind.rawValue): no result for '\(target.symbol)' (internal: symbol not in the request)"))
                return (target: target, sample: SourceSample(result: result, receivedAtMs: receivedAt, responseSeq: 0))
            }
            return Completion(unitKey: unit.key, source: unit.source, samples: samples, requestError: requestError,
                              httpStatus: response.status, latencyMs: response.timing.totalMs, transportError: nil,
                              tape: capture ? TapeRecorder.response(unit, receivedAtMs: receivedAt, response: response) : nil)
        } catch {
            let err = VenueError(error.code == .timeout ? .unavailable : .other, "\(error)")
            let now = WallClock.nowMs()
            let samples = unit.targets.map { (target: $0, sample: SourceSample(result: .failure(err), receivedAtMs: now, responseSeq: 0)) }
            return Completion(unitKey: unit.key, source: unit.source, samples: samples, requestError: err,
                              httpStatus: nil, latencyMs: nil, transportError: error.code.rawValue,
                              tape: capture ? TapeRecorder.failure(unit, atMs: now, error: error) : nil)
        }
    }

    /// The quote of one answer for a symbol, and the request-level error (see `Completion.requestError`).
    static func parse(_ unit: FetchPlan.Unit, spec: SourceSpec, response: VenueResponse)
        -> (result: (String) -> Result<Quote, VenueError>?, requestError: VenueError?) {
        parse(isBatch: unit.isBatch, symbols: unit.symbols, parsePlan: unit.parsePlan, spec: spec, response: response)
    }

    /// The same, from a request's shape alone (`oracled replay` has no `FetchPlan.Unit`, only the tape's record).
    static func parse(isBatch: Bool, symbols: [String], parsePlan: BatchParsePlan?, spec: SourceSpec, response: VenueResponse)
        -> (result: (String) -> Result<Quote, VenueError>?, requestError: VenueError?) {
        if isBatch {
            // The unit's prepared plan when it matches the source (always, unless a reload
            // changed the venue under the same unit): it saves rebuilding the symbol lookup,
            // and its outcomes are read by index rather than through a per-answer dictionary.
            if let plan = parsePlan, plan.kind == spec.kind {
                let answer = VenueAdapters.parseBatchAnswer(plan, response: response, generic: spec.generic)
                return ({ symbol in plan.index(of: symbol).map { answer.outcomes[$0] } }, answer.bodyError)
            }
            let answer = VenueAdapters.parseBatchAnswer(spec.kind, symbols: symbols, response: response, generic: spec.generic)
            let results = answer.results
            return ({ results[$0] }, answer.bodyError)
        }
        guard let symbol = symbols.first else { return ({ _ in nil }, nil) }
        do throws(VenueError) {
            let quote = try VenueAdapters.parse(spec.kind, symbol: symbol, response: response, generic: spec.generic)
            return ({ $0 == symbol ? .success(quote) : nil }, nil)
        } catch {
            return ({ $0 == symbol ? .failure(error) : nil }, error)
        }
    }
}

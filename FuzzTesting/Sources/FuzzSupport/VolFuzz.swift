import OracleCore

/// The body of the `fuzz-vol` target: every implied-volatility parser, then a surface built
/// from whatever quotes survived, so odd numbers that pass a parser also meet the SVI fit, the
/// arbitrage checks and the lookup.
///
/// Input: `kind\nstatus\n` then the body. `kind` is a `VolSourceKind` raw value, `deribit_ticker`
/// (the ticker parser, instrument taken from the body's own name check) or `bybit_ws`; anything
/// else runs every parser on the same body. An empty or non-numeric status reads as 200.
public enum VolFuzz {
    public static func run(_ data: UnsafeRawPointer?, _ size: Int) -> Int32 {
        let bytes = UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size)
        let input = FuzzInput(bytes, lineCount: 2)
        let status = Int(input.lines[1].prefix(4)) ?? 200
        let response = VenueResponse(status: status, body: input.rest, receivedAtMs: 1_796_522_400_000)
        var answers: [(VolSourceKind, VolAnswer)] = []
        switch input.lines[0] {
        case "deribit_ticker":
            answers.append((.deribitOptions, VolAdapters.parseDeribitTicker(instrument: "BTC-26JUN26-100000-C", response: response)))
        case "bybit_ws":
            answers.append((.bybitOptions, VolAdapters.parseBybitTickerMessage(response: response)))
        default:
            let kinds = VolSourceKind(rawValue: input.lines[0]).map { [$0] } ?? VolSourceKind.allCases
            for k in kinds { answers.append((k, VolAdapters.parse(k, response: response))) }
        }
        var readings: [VolSourceReading] = []
        for (i, (kind, answer)) in answers.enumerated() {
            for q in answer.quotes {
                precondition(q.markIV.isFinite && q.markIV > 0 && q.forward.isFinite && q.forward > 0, "parser let through \(q)")
            }
            readings.append(VolSourceReading(source: "s\(i)", kind: kind, answer: answer, receivedAtMs: response.receivedAtMs))
        }
        var policy = VolPolicy()
        policy.minSources = 1
        policy.maxAgeMs = Int64.max / 4
        policy.minTimeToExpiryMs = Int64.min / 4
        var freshness = VolFreshness()
        for underlying in Set(answers.flatMap { $0.1.quotes.map(\.option.underlying) }).prefix(3) {
            let surface = VolSurfaceBuilder.build(underlying: underlying, readings: readings, policy: policy,
                                                  freshness: &freshness, previous: nil, nowMs: response.receivedAtMs)
            for s in surface.slices {
                for k in [-2.0, 0, 2.0] {
                    let v = surface.volatility(strike: s.forward * Double.exp(k), expiryMs: s.expiryMs, forward: s.forward,
                                               nowMs: response.receivedAtMs)
                    if let v { precondition(v.isFinite && v > 0, "lookup answered \(v)") }
                }
            }
        }
        return 0
    }
}

private extension Double {
    /// e^x without Foundation (FuzzSupport imports only OracleCore): a short series is enough
    /// for |x| ≤ 2, which is all this target asks.
    static func exp(_ x: Double) -> Double {
        var term = 1.0, sum = 1.0
        for n in 1...30 { term *= x / Double(n); sum += term }
        return sum
    }
}

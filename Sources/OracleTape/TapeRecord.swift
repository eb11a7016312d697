/// One record of a tape (docs/replay.md): a venue response as the poll loop received it, or the
/// moment the loop took in what had arrived and aggregated a cycle.
///
/// Cycle records are what make a replay exact: the daemon ingests every response that arrived
/// before a cycle at that cycle, and judges staleness against the cycle's wall time, so the
/// replay must cut the stream at the same places and use the same times.
public enum TapeRecord: Sendable, Equatable {
    case response(TapeResponse)
    case cycle(TapeCycle)
}

/// One venue response (or a request that got none: a timeout is a record too).
public struct TapeResponse: Sendable, Equatable {
    /// One (pair, venue symbol) slot the answer fed: a batch answer feeds many, a single ticker one.
    public struct Target: Sendable, Equatable, Hashable {
        public var pair: String
        public var symbol: String

        public init(pair: String, symbol: String) {
            self.pair = pair
            self.symbol = symbol
        }
    }

    /// Unix ms when the answer was received: the `receivedAtMs` the parsers and the engine saw.
    public var wallMs: Int64
    /// The daemon's monotonic clock (ms) at the same moment: the clock its schedules run on.
    public var monoMs: Int64
    /// `[[source]] name`.
    public var source: String
    /// True for a batch request (one answer for many symbols).
    public var batch: Bool
    public var targets: [Target]
    /// HTTP status; 0 when there was no HTTP answer (see `transportError`).
    public var status: Int
    /// Whole-request latency in µs; nil when unknown.
    public var latencyUs: Int64?
    /// The headers that matter (`TapeFormat.keptHeader`), names as received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// `FetchError.Code` raw value (`timeout`, `connect_failed`, …) when there was no HTTP answer.
    public var transportError: String?
    /// The transport error's message (names the host, never the query string).
    public var transportMessage: String?

    public init(wallMs: Int64, monoMs: Int64, source: String, batch: Bool, targets: [Target], status: Int,
                latencyUs: Int64? = nil, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                transportError: String? = nil, transportMessage: String? = nil) {
        self.wallMs = wallMs
        self.monoMs = monoMs
        self.source = source
        self.batch = batch
        self.targets = targets
        self.status = status
        self.latencyUs = latencyUs
        self.headers = headers
        self.body = body
        self.transportError = transportError
        self.transportMessage = transportMessage
    }

    /// Venue symbols of the request, in first-use order (a batch lists each once).
    public var symbols: [String] {
        var seen = Set<String>(), out: [String] = []
        for t in targets where seen.insert(t.symbol).inserted { out.append(t.symbol) }
        return out
    }

    public static func == (a: TapeResponse, b: TapeResponse) -> Bool {
        a.wallMs == b.wallMs && a.monoMs == b.monoMs && a.source == b.source && a.batch == b.batch && a.targets == b.targets
            && a.status == b.status && a.latencyUs == b.latencyUs && a.body == b.body && a.transportError == b.transportError
            && a.transportMessage == b.transportMessage && a.headers.map { [$0.name, $0.value] } == b.headers.map { [$0.name, $0.value] }
    }
}

/// The poll loop took in what had arrived and aggregated one cycle at `wallMs` (its `nowMs`).
public struct TapeCycle: Sendable, Equatable {
    public var wallMs: Int64
    public var monoMs: Int64

    public init(wallMs: Int64, monoMs: Int64) {
        self.wallMs = wallMs
        self.monoMs = monoMs
    }
}

import OracleCore

/// The daemon's shared, read-mostly state: the latest marks and source statuses published by the
/// poll loop, read by the API. The poll loop owns the engine and schedules; it only hands finished
/// snapshots here, so readers never wait on aggregation work.
public actor OracleState {
    public private(set) var marks: [String: Mark] = [:]
    public private(set) var pairOrder: [String] = []
    public private(set) var sources: [SourceStatus] = []
    public private(set) var cycles: Int = 0
    public private(set) var lastCycleMs: Double = 0
    public private(set) var cycleSumMs: Double = 0
    public private(set) var lastCycleAtMs: Int64?
    public private(set) var startedAtMs: Int64
    public private(set) var reloadsOK = 0
    public private(set) var reloadsFailed = 0
    public private(set) var lastReloadError: String?
    /// systemd's watchdog interval (WATCHDOG_USEC) when it is on: published on /metrics.
    public let watchdogIntervalMs: Int64?
    private var streams = MarkStreams()

    public init(startedAtMs: Int64, watchdogIntervalMs: Int64? = nil) {
        self.startedAtMs = startedAtMs
        self.watchdogIntervalMs = watchdogIntervalMs
    }

    func watchdogMetricFamilies(nowMs: Int64) -> [MetricFamily] {
        WatchdogMetrics.families(watchdogIntervalMs: watchdogIntervalMs, lastCycleAtMs: lastCycleAtMs, startedAtMs: startedAtMs, nowMs: nowMs)
    }

    public func configure(pairs: [PairSpec]) {
        pairOrder = pairs.map(\.symbol)
        for p in pairs where marks[p.symbol] == nil {
            marks[p.symbol] = MarkJSON.pending(pair: p.symbol, sourcesTotal: p.sources.count)
        }
        for key in marks.keys where !pairOrder.contains(key) { marks[key] = nil }
    }

    public func publish(marks new: [String: Mark], sources: [SourceStatus], cycleMs: Double, nowMs: Int64,
                        streamPolicy: StreamPolicy) {
        for (k, v) in new { marks[k] = v }
        self.sources = sources
        cycles += 1
        lastCycleMs = cycleMs
        cycleSumMs += cycleMs
        lastCycleAtMs = nowMs
        streams.publish(marks: marks, order: pairOrder, nowMs: nowMs, policy: streamPolicy)
    }

    public func recordReload(error: String?) {
        if let error {
            reloadsFailed += 1
            lastReloadError = error
        } else {
            reloadsOK += 1
            lastReloadError = nil
        }
    }

    public func mark(_ pair: String) -> Mark? { marks[pair] }

    public func orderedMarks() -> [Mark] { pairOrder.compactMap { marks[$0] } }

    /// A new NDJSON subscriber; the first lines are the current marks.
    public func subscribe(pair: String?, nowMs: Int64) -> AsyncStream<[UInt8]> {
        streams.subscribe(pair: pair, marks: marks, order: pairOrder, nowMs: nowMs)
    }
}

/// When the price stream pushes: on a move beyond `deviationBps`, a status change, or every `heartbeatMs`.
public struct StreamPolicy: Sendable, Equatable {
    public var deviationBps: Double
    public var heartbeatMs: Int64

    public init(deviationBps: Double, heartbeatMs: Int64) {
        self.deviationBps = deviationBps
        self.heartbeatMs = heartbeatMs
    }
}

/// Subscribers of `/v1/prices/stream` and what each was last sent.
struct MarkStreams {
    private struct Subscriber {
        var pair: String?
        var continuation: AsyncStream<[UInt8]>.Continuation
        var lastSent: [String: (price: Double?, status: Mark.Status, atMs: Int64)] = [:]
    }
    private var subscribers: [Int: Subscriber] = [:]
    private var nextID = 0

    mutating func subscribe(pair: String?, marks: [String: Mark], order: [String], nowMs: Int64) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(256))
        nextID += 1
        var sub = Subscriber(pair: pair, continuation: continuation)
        for p in order where pair == nil || p == pair {
            guard let m = marks[p] else { continue }
            continuation.yield(Self.line(m, nowMs: nowMs))
            sub.lastSent[p] = (m.price, m.status, nowMs)
        }
        subscribers[nextID] = sub
        return stream
    }

    mutating func publish(marks: [String: Mark], order: [String], nowMs: Int64, policy: StreamPolicy) {
        for id in subscribers.keys {
            guard var sub = subscribers[id] else { continue }
            for p in order where sub.pair == nil || p == sub.pair {
                guard let m = marks[p] else { continue }
                let last = sub.lastSent[p]
                var push = last == nil || last!.status != m.status || nowMs - last!.atMs >= policy.heartbeatMs
                if !push, let lp = last?.price, let np = m.price, lp > 0 {
                    push = abs(np - lp) / lp * 10_000 >= policy.deviationBps
                } else if !push, (last?.price == nil) != (m.price == nil) {
                    push = true
                }
                guard push else { continue }
                if case .terminated = sub.continuation.yield(Self.line(m, nowMs: nowMs)) {
                    subscribers[id] = nil
                    break
                }
                sub.lastSent[p] = (m.price, m.status, nowMs)
            }
            if subscribers[id] != nil { subscribers[id] = sub }
        }
    }

    static func line(_ m: Mark, nowMs: Int64) -> [UInt8] {
        Array((MarkJSON.render(m, nowMs: nowMs).rendered + "\n").utf8)
    }
}

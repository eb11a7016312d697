import Logging
import OracleConfig
import OracleCore
import OracleFetch
import OracleSystem
import OracleTape
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The oracle loop: every `poll_interval` it takes in the responses that arrived, starts the requests
/// each source's schedule allows, aggregates one cycle and publishes the marks.
///
/// Requests run concurrently and never hold up a cycle: a venue that hangs for its whole timeout only
/// makes its own quote older. Which requests exist is the `FetchPlan`'s business: one batch request
/// per venue with a multi-symbol endpoint (its answer fans out to every pair using its symbols), one
/// per (pair, source) elsewhere; each takes one token of its source's schedule. The engine and the
/// schedules are owned by this one task (no locks on the hot path); readers get finished snapshots
/// through `OracleState`.
public struct PollService: Service {
    private let initialConfig: OracleConfiguration
    private let state: OracleState
    private let fetcher: CurlMultiLoop
    private let notifier: SystemdNotifier
    private let reloads: ReloadController
    private let marksOut: MarkFeed
    private let logger: Logger
    private let liveness: PartLiveness
    /// `--record`: every response and every cycle go to a tape (docs/replay.md); nil: no cost at all.
    private let recorder: TapeRecorder?

    public init(config: OracleConfiguration, state: OracleState, fetcher: CurlMultiLoop, notifier: SystemdNotifier,
                reloads: ReloadController, marksOut: MarkFeed, logger: Logger, liveness: PartLiveness = PartLiveness(),
                recorder: TapeRecorder? = nil) {
        self.liveness = liveness
        self.recorder = recorder
        self.initialConfig = config
        self.state = state
        self.fetcher = fetcher
        self.notifier = notifier
        self.reloads = reloads
        self.marksOut = marksOut
        self.logger = logger
    }

    /// One finished request: a sample for every (pair, source) slot it feeds, and how the
    /// request itself went (what the source's schedule and counters see).
    struct Completion: Sendable {
        /// `FetchPlan.Unit.key` of the request, for in-flight tracking.
        var unitKey: String
        var source: String
        var samples: [(target: FetchPlan.Target, sample: SourceSample)]
        /// Why the request as a whole failed (HTTP status, body, transport); nil when the venue
        /// answered usably. For a single-ticker request it is that ticker's parse error; for a
        /// batch only a whole-body failure counts here, an entry's own error stays in its sample.
        var requestError: VenueError?
        var httpStatus: Int?
        var latencyMs: Double?
        /// Transport-level failure class (timeout, connect_failed, …) when there was no HTTP answer.
        var transportError: String?
        /// The raw answer for the tape, only while recording. Carried to the loop rather than written
        /// from the request's task, so the tape holds responses in the order the loop ingested them,
        /// each before the cycle that used it (what makes a replay exact).
        var tape: TapeResponse? = nil
    }

    public func run() async throws {
        var config = initialConfig
        var engine = try MarkEngine(pairs: config.pairs)
        var schedules = Self.makeSchedules(config.sources, keeping: [:], oldSpecs: [])
        var statuses = Self.makeStatuses(config.sources, keeping: [:])
        var plan = FetchPlan(pairs: config.pairs, sources: config.sources)
        var specs = Self.specsByName(config.sources)
        var inFlight = Set<String>()
        var responseSeq: UInt64 = 0
        var rotation = 0
        let inbox = Inbox()
        let stallFile = Self.faultStallFile()
        await state.configure(pairs: config.pairs)

        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                if let stallFile { await Self.stallWhileExists(stallFile) }
                let started = WallClock.monotonicMs()
                let nowMs = WallClock.nowMs()
                // Schedules (token buckets, backoff, Retry-After, quarantine) run on monotonic time: a
                // wall-clock step backwards would otherwise stop every refill until the clock caught up
                // (hours), and a step forwards would end every wait at once. Their health is shown in
                // wall time by adding the current offset.
                let schedMs = Int64(started)

                if let next = reloads.takePending() {
                    do {
                        try engine.reconfigure(pairs: next.pairs)
                        schedules = Self.makeSchedules(next.sources, keeping: schedules, oldSpecs: config.sources)
                        statuses = Self.makeStatuses(next.sources, keeping: statuses)
                        config = next
                        plan = FetchPlan(pairs: config.pairs, sources: config.sources)
                        specs = Self.specsByName(config.sources)
                        await state.configure(pairs: config.pairs)
                        logger.info("configuration reloaded", metadata: ["pairs": "\(config.pairs.count)", "sources": "\(config.sources.count)"])
                    } catch {
                        logger.error("reloaded configuration rejected by the engine; keeping the old one", metadata: ["error": "\(error)"])
                        await state.recordReload(error: "\(error)")
                    }
                }

                // 1. Take in what arrived since the last tick.
                //    One response (a batch answer included) is one `responseSeq` for every slot it feeds.
                for c in inbox.drain() {
                    inFlight.remove(c.unitKey)
                    if let t = c.tape { recorder?.append(.response(t)) }
                    responseSeq &+= 1
                    for (target, received) in c.samples {
                        var sample = received
                        sample.responseSeq = responseSeq
                        _ = engine.ingest(pair: target.pair, source: target.source, sample: sample)
                        if c.requestError == nil, case .failure(let err) = sample.result {
                            logger.debug("source entry error", metadata: ["source": "\(c.source)", "pair": "\(target.pair)", "error": "\(err)"])
                        }
                    }
                    guard schedules[c.source] != nil else { continue }
                    statuses[c.source]?.requests += 1
                    if let l = c.latencyMs {
                        statuses[c.source]?.latencySumMs += l
                        statuses[c.source]?.latencyCount += 1
                    }
                    if let err = c.requestError {
                        schedules[c.source]!.recordFailure(httpStatus: c.httpStatus, error: err, nowMs: schedMs)
                        statuses[c.source]?.errors += 1
                        statuses[c.source]?.errorsByClass[c.transportError ?? err.errorClass.rawValue, default: 0] += 1
                        // `pair` lists the pairs the request fed (one for a single-ticker request), so the journal
                        // can select a pair's source errors (PAIR=BTC-USD, one field per pair).
                        logger.debug("source error", metadata: ["source": "\(c.source)", "pair": .array(Set(c.samples.map(\.target.pair)).sorted().map { .string($0) }),
                                                                "request": "\(c.unitKey)", "error": "\(err)"])
                    } else {
                        schedules[c.source]!.recordSuccess(nowMs: schedMs, latencyMs: Int64(c.latencyMs ?? 0))
                    }
                }

                // 2. Start the requests the schedules allow, one token each: a batch request per
                //    batch source (or a few, split), a request per (pair, source) elsewhere. The
                //    plan rotates its order so a tight rate limit serves every request in turn.
                rotation &+= 1
                for unit in plan.order(rotation: rotation) {
                    guard !inFlight.contains(unit.key), let spec = specs[unit.source],
                          schedules[unit.source]?.tryAcquire(nowMs: schedMs) == true else { continue }
                    inFlight.insert(unit.key)
                    let fetcher = self.fetcher
                    let userAgent = config.daemon.userAgent
                    let capture = recorder != nil
                    group.addTask {
                        let c = await Self.fetch(unit, spec: spec, fetcher: fetcher, userAgent: userAgent, capture: capture)
                        inbox.push(c)
                    }
                }

                // 3. Aggregate and publish.
                let marks = engine.cycle(nowMs: nowMs)
                if let recorder {
                    recorder.append(.cycle(TapeCycle(wallMs: nowMs, monoMs: schedMs)))
                    recorder.flush()
                }
                for (name, sched) in schedules { statuses[name]?.apply(sched.health(nowMs: schedMs), wallOffsetMs: nowMs - schedMs) }
                let cycleMs = WallClock.monotonicMs() - started
                await state.publish(marks: marks, sources: config.sources.compactMap { statuses[$0.name] }, cycleMs: cycleMs,
                                    nowMs: nowMs, streamPolicy: config.daemon.streamPolicy)
                marksOut.publish(marks, nowMs: nowMs)
                // Fed only here, and only while the fetch thread and the listener live: if this loop
                // stalls or a part died, systemd stops hearing from us and restarts the unit.
                if liveness.allAlive { notifier.watchdog() }

                let sleepMs = max(1, Double(config.daemon.pollIntervalMs) - (WallClock.monotonicMs() - started))
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(sleepMs))) }
                } catch {
                    // Cancelled or shutting down: the loop condition ends the loop; nothing was in progress.
                }
            }
            group.cancelAll()
        }
    }

    /// Fault-injection hook for the operations tests, off unless `ORACLED_FAULT_STALL_FILE` is set
    /// when the daemon starts: while that file exists the loop blocks before its cycle, exactly as a
    /// wedged loop would — no marks, no `WATCHDOG=1` — so a test can prove the watchdog stops being
    /// fed. It waits with `Task.sleep`, so graceful shutdown still ends it. Never set it in production.
    static func faultStallFile() -> String? {
        guard let raw = getenv("ORACLED_FAULT_STALL_FILE") else { return nil }
        let path = String(cString: raw)
        return path.isEmpty ? nil : path
    }

    static func stallWhileExists(_ path: String) async {
        while access(path, F_OK) == 0 && !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    static func specsByName(_ sources: [SourceSpec]) -> [String: SourceSpec] {
        var out: [String: SourceSpec] = [:]
        for s in sources { out[s.name] = s }
        return out
    }

    /// A reload keeps the schedule (bucket, backoff, quarantine) of every source whose spec is unchanged:
    /// a SIGHUP must not reset a venue's ban or let a burst through.
    static func makeSchedules(_ sources: [SourceSpec], keeping old: [String: SourceSchedule], oldSpecs: [SourceSpec]) -> [String: SourceSchedule] {
        var out: [String: SourceSchedule] = [:]
        for s in sources {
            if let o = old[s.name], oldSpecs.first(where: { $0.name == s.name }) == s { out[s.name] = o } else { out[s.name] = SourceSchedule(spec: s) }
        }
        return out
    }

    static func makeStatuses(_ sources: [SourceSpec], keeping old: [String: SourceStatus]) -> [String: SourceStatus] {
        var out: [String: SourceStatus] = [:]
        for s in sources { out[s.name] = old[s.name] ?? SourceStatus(name: s.name, kind: s.kind.rawValue) }
        return out
    }
}

/// Completed fetches waiting for the next tick. A lock, not an actor: pushes come from many child
/// tasks, the drain from the loop, and neither should suspend for it.
final class Inbox: Sendable {
    private let items = Mutex<[PollService.Completion]>([])
    func push(_ c: PollService.Completion) { items.withLock { $0.append(c) } }
    func drain() -> [PollService.Completion] { items.withLock { v in defer { v = [] }; return v } }
}

/// Marks flowing from the poll loop to the margin trigger: the newest snapshot wins (the trigger
/// always evaluates the latest marks; an intermediate one it missed is superseded, not lost).
public final class MarkFeed: Sendable {
    private let latest = Mutex<(marks: [String: Mark], nowMs: Int64, version: UInt64)>(([:], 0, 0))
    private let continuation: AsyncStream<Void>.Continuation
    public let updates: AsyncStream<Void>

    public init() {
        (updates, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func publish(_ marks: [String: Mark], nowMs: Int64) {
        latest.withLock { $0 = (marks, nowMs, $0.version &+ 1) }
        continuation.yield()
    }

    public func snapshot() -> (marks: [String: Mark], nowMs: Int64, version: UInt64) { latest.withLock { $0 } }

    public func finish() { continuation.finish() }
}

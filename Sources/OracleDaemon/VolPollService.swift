import Logging
import OracleConfig
import OracleCore
import OracleFetch
import OracleTape
import ServiceLifecycle
import Synchronization

/// Fetches the implied-volatility sources of every `[[vol]]` block through the daemon's one
/// curl loop, and rebuilds each underlying's surface after each answer.
///
/// Each source has its own `SourceSchedule` (token bucket, backoff, `Retry-After`, quarantine),
/// exactly as price sources do, and is asked at most once per `poll_interval` with at most one
/// request in flight. Parsing and surface building happen in this task (a whole chain is a few
/// hundred kB, parsed in well under a millisecond by the byte scanner); the result goes to
/// `VolState` as a finished value, with each source's status (`/v1/health`, `/metrics`: the same
/// `SourceStatus` price sources have). Configuration reloads do not change `[[vol]]` (restart).
///
/// `--record`: each answer goes to the tape as a response record, taken in by this loop in the
/// order it ingests them (docs/replay.md; the poll loop's cycle records flush them).
struct VolPollService: Service {
    let settings: [VolSettings]
    let state: VolState
    let fetcher: CurlMultiLoop
    let userAgent: String
    let logger: Logger
    var recorder: TapeRecorder? = nil
    /// Told every rebuilt surface of a tick (with the tick's wall time): the margin desk values its
    /// option accounts on them at once, so a volatility spike reaches the trigger without a price move.
    var onSurfaces: (@Sendable ([VolSurface], Int64) async -> Void)? = nil

    struct Completion: Sendable {
        var underlying: String
        var source: String
        var answer: VolAnswer
        var receivedAtMs: Int64
        var httpStatus: Int?
        /// Whole-request latency; nil when there was no HTTP answer.
        var latencyMs: Double?
        /// `FetchError.Code` raw value (`timeout`, `connect_failed`, …) when there was no HTTP answer.
        var transportError: String?
        /// The raw answer for the tape, only while recording.
        var tape: TapeResponse? = nil
    }

    /// A status per configured vol source, `unknown` until its first answer.
    static func initialStatuses(_ settings: [VolSettings]) -> [SourceStatus] {
        settings.flatMap { s in s.sources.map { SourceStatus(name: $0.name, kind: $0.kind.rawValue) } }
    }

    /// Takes one finished request into its source's schedule (backoff, `Retry-After`, quarantine)
    /// and counters, exactly as the price loop does: requests, errors by class, latency.
    static func ingest(_ c: Completion, statuses: inout [String: SourceStatus], schedules: inout [String: SourceSchedule], schedMs: Int64) {
        guard schedules[c.source] != nil else { return }
        statuses[c.source]?.requests += 1
        // A non-finite timing (never expected from curl) is left out rather than trapping in Int64(_:).
        let latency = c.latencyMs.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        if let l = latency {
            statuses[c.source]?.latencySumMs += l
            statuses[c.source]?.latencyCount += 1
        }
        if let e = c.answer.bodyError {
            schedules[c.source]!.recordFailure(httpStatus: c.httpStatus, error: e, nowMs: schedMs)
            statuses[c.source]?.errors += 1
            statuses[c.source]?.errorsByClass[c.transportError ?? e.errorClass.rawValue, default: 0] += 1
        } else {
            schedules[c.source]!.recordSuccess(nowMs: schedMs, latencyMs: Int64(latency ?? 0))
        }
    }

    final class Inbox: Sendable {
        private let items = Mutex<[Completion]>([])
        func push(_ c: Completion) { items.withLock { $0.append(c) } }
        func drain() -> [Completion] { items.withLock { v in defer { v = [] }; return v } }
    }

    func run() async throws {
        guard !settings.isEmpty else { return }
        await state.configure(underlyings: settings.map(\.underlying))
        var schedules: [String: SourceSchedule] = [:]
        var nextPollMs: [String: Int64] = [:]
        var readings: [String: [String: VolSourceReading]] = [:]
        var freshness: [String: VolFreshness] = [:]
        var previous: [String: VolSurface] = [:]
        var inFlight = Set<String>()
        for s in settings { for src in s.sources { schedules[src.name] = SourceSchedule(spec: src.scheduleSpec) } }
        var statuses: [String: SourceStatus] = [:]
        for st in Self.initialStatuses(settings) { statuses[st.name] = st }
        let inbox = Inbox()
        let tickMs = max(50, min(250, settings.map(\.pollIntervalMs).min() ?? 250))

        try await withThrowingDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let nowMs = WallClock.nowMs()
                let schedMs = Int64(WallClock.monotonicMs())
                var changed = Set<String>()
                for c in inbox.drain() {
                    inFlight.remove(c.source)
                    if let t = c.tape { recorder?.append(.response(t)) }
                    Self.ingest(c, statuses: &statuses, schedules: &schedules, schedMs: schedMs)
                    if let e = c.answer.bodyError {
                        logger.debug("vol source error", metadata: ["source": "\(c.source)", "error": "\(e)"])
                    }
                    let kind = settings.first { $0.underlying == c.underlying }?.sources.first { $0.name == c.source }?.kind ?? .deribitOptions
                    readings[c.underlying, default: [:]][c.source] = VolSourceReading(source: c.source, kind: kind, answer: c.answer, receivedAtMs: c.receivedAtMs)
                    changed.insert(c.underlying)
                }
                for s in settings {
                    for src in s.sources {
                        guard !inFlight.contains(src.name), nowMs >= nextPollMs[src.name] ?? 0,
                              schedules[src.name]?.tryAcquire(nowMs: schedMs) == true else { continue }
                        inFlight.insert(src.name)
                        nextPollMs[src.name] = nowMs + s.pollIntervalMs
                        let url = VolAdapters.requestURL(src.kind, baseURL: src.baseURL, underlying: s.underlying, quote: s.quote, nowMs: nowMs)
                        let fetcher = self.fetcher, userAgent = self.userAgent, underlying = s.underlying
                        let capture = recorder != nil
                        group.addTask {
                            inbox.push(await Self.fetch(url: url, spec: src, underlying: underlying, fetcher: fetcher,
                                                        userAgent: userAgent, capture: capture))
                        }
                    }
                }
                for (name, sched) in schedules { statuses[name]?.apply(sched.health(nowMs: schedMs), wallOffsetMs: nowMs - schedMs) }
                await state.publish(sources: settings.flatMap { s in s.sources.compactMap { statuses[$0.name] } })
                // Rebuild on news, and at least once per poll interval so age-based verdicts move on.
                var rebuilt: [VolSurface] = []
                for (surface, before) in Self.rebuildAllDue(settings, changed: changed, readings: readings, freshness: &freshness,
                                                            surfaces: &previous, nowMs: nowMs) {
                    if before?.status != surface.status {
                        logger.info("vol surface status", metadata: ["underlying": "\(surface.underlying)", "status": "\(surface.status.rawValue)",
                                                                    "reason": "\(surface.statusReason ?? "")"])
                    }
                    await state.publish(surface)
                    rebuilt.append(surface)
                }
                if !rebuilt.isEmpty, let onSurfaces { await onSurfaces(rebuilt, nowMs) }
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(tickMs)) }
                } catch {
                    // Cancelled or shutting down: the loop condition ends the loop; nothing was in progress.
                }
            }
            group.cancelAll()
        }
    }

    /// `capture`: also keep the raw answer for the tape (`Completion.tape`).
    static func fetch(url: String, spec: VolSourceSpec, underlying: String, fetcher: CurlMultiLoop, userAgent: String,
                      capture: Bool = false) async -> Completion {
        let request = FetchRequest(url: url, connectTimeoutMs: spec.connectTimeoutMs, totalTimeoutMs: spec.totalTimeoutMs,
                                   maxBodyBytes: spec.maxBodyBytes, userAgent: userAgent)
        do {
            let response = try await fetcher.fetch(request)
            let receivedAt = WallClock.nowMs()
            let vr = VenueResponse(status: response.status, headers: response.headers, body: response.body, receivedAtMs: receivedAt)
            let answer = Self.answer(kind: spec.kind, underlying: underlying, response: vr)
            return Completion(underlying: underlying, source: spec.name, answer: answer, receivedAtMs: receivedAt,
                              httpStatus: response.status, latencyMs: response.timing.totalMs, transportError: nil,
                              tape: capture ? TapeRecorder.volResponse(source: spec.name, underlying: underlying, receivedAtMs: receivedAt, response: response) : nil)
        } catch {
            let now = WallClock.nowMs()
            let answer = Self.transportFailure(kind: spec.kind, code: error.code.rawValue, message: "\(error)")
            return Completion(underlying: underlying, source: spec.name, answer: answer, receivedAtMs: now,
                              httpStatus: nil, latencyMs: nil, transportError: error.code.rawValue,
                              tape: capture ? TapeRecorder.volFailure(source: spec.name, underlying: underlying, atMs: now, error: error) : nil)
        }
    }
}

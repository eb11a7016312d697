import Logging
import OracleCore
import ServiceLifecycle

/// Feeds mark updates to the margin desk, runs the periodic full sweep and deadline checks, and retries
/// deferred deliveries. On graceful shutdown it finishes the evaluation in progress (its notices are
/// committed and delivered) before returning.
public struct TriggerService: Service {
    let desk: MarginDesk
    let feed: MarkFeed
    let reloads: ReloadController
    let sweepIntervalMs: Int64
    let logger: Logger
    /// Margin time (Unix ms, `WallClock.steadyNowMs` by default: immune to wall-clock steps) and
    /// monotonic time (ms) are injected so tests can drive deadlines.
    let nowMs: @Sendable () -> Int64
    let monotonicMs: @Sendable () -> Double

    public init(desk: MarginDesk, feed: MarkFeed, reloads: ReloadController, sweepIntervalMs: Int64 = 15_000, logger: Logger,
                nowMs: @escaping @Sendable () -> Int64 = { WallClock.steadyNowMs() },
                monotonicMs: @escaping @Sendable () -> Double = { WallClock.monotonicMs() }) {
        self.desk = desk
        self.feed = feed
        self.reloads = reloads
        self.sweepIntervalMs = sweepIntervalMs
        self.logger = logger
        self.nowMs = nowMs
        self.monotonicMs = monotonicMs
    }

    public func run() async throws {
        await desk.deliverPending()   // redeliver what a crash left in the outbox
        var lastVersion: UInt64 = 0
        var lastSweep = monotonicMs()
        for await _ in feed.updates.cancelOnGracefulShutdown() {
            if let next = reloads.takePendingMargin() {
                await desk.reconfigure(MarginRuntime.universe(next), nowMs: nowMs())
            }
            let snap = feed.snapshot()
            if snap.version != lastVersion {
                lastVersion = snap.version
                await desk.onMarks(snap.marks, nowMs: nowMs()) // deadlines on steady time, not the poll's wall clock
            }
            if monotonicMs() - lastSweep >= Double(sweepIntervalMs) {
                lastSweep = monotonicMs()
                await desk.sweep(nowMs: nowMs())
            } else {
                await desk.deadlineTick(nowMs: nowMs())
            }
        }
    }
}

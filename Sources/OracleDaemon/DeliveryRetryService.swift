import ServiceLifecycle

/// Retries deferred notice deliveries on a fixed, short schedule (`intervalMs`, 1 s by default),
/// independent of mark updates: when every venue is down no mark arrives, and a spool cleared by
/// an operator must still start flowing within one interval. On graceful shutdown it makes one last
/// delivery attempt; it sits before the trigger in the service group, so (shut down in reverse
/// order) that attempt comes after the trigger's last evaluation.
struct DeliveryRetryService<C: Clock>: Service where C.Duration == Duration {
    let desk: MarginDesk
    let intervalMs: Int64
    let clock: C

    init(desk: MarginDesk, intervalMs: Int64 = 1_000, clock: C = ContinuousClock()) {
        self.desk = desk
        self.intervalMs = max(10, intervalMs)
        self.clock = clock
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            await desk.retryDeferred()
            do {
                try await cancelWhenGracefulShutdown { [clock, intervalMs] in
                    try await clock.sleep(for: .milliseconds(intervalMs))
                }
            } catch {
                break // cancelled: graceful shutdown, or the group is ending
            }
        }
        await desk.deliverPending()
    }
}

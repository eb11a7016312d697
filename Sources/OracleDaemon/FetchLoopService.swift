import Logging
import OracleFetch
import ServiceLifecycle

/// Owns the fetch loop thread's lifetime inside the service group: starts it, runs while it runs,
/// stops and joins it on graceful shutdown, and throws (ending the daemon, stopping the watchdog)
/// if the thread ends on its own.
///
/// First in the group, so it is shut down last: the poll loop and the margin services still fetch
/// while they wind down.
struct FetchLoopService: Service {
    static let part = "fetch loop thread"

    let fetcher: CurlMultiLoop
    let liveness: PartLiveness
    let logger: Logger

    func run() async throws {
        guard fetcher.start() else {
            throw PartFailure.died(Self.part, "it could not be started (libcurl initialisation or pthread_create failed)",
                                   consequence: "no venue can be fetched", liveness: liveness, logger: logger)
        }
        let fetcher = self.fetcher
        let fault = FaultHook.file(FaultHook.killFetchVariable).map { file in
            Task {
                if await FaultHook.waitUntilExists(file) { fetcher.injectThreadDeath(reason: "fault injected: \(file) exists") }
            }
        }
        defer { fault?.cancel() }
        let exit = await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await fetcher.waitForExit()
            } onGracefulShutdown: {
                fetcher.requestStop()
            }
        } onCancel: {
            fetcher.requestStop()
        }
        // The thread has ended (or is about to): join it so nothing of it outlives the service.
        fetcher.shutdown()
        if case .died(let reason) = exit {
            throw PartFailure.died(Self.part, reason, consequence: "no venue is being fetched, so every mark goes stale",
                                   liveness: liveness, logger: logger)
        }
    }
}

/// The one way a dead part is reported: marked dead first (the poll loop stops feeding the
/// watchdog at its next cycle), then logged as critical, then thrown so the group shuts down in
/// order and `oracled run` exits with status 1 and the same message.
enum PartFailure {
    static func died(_ part: String, _ reason: String, consequence: String, liveness: PartLiveness, logger: Logger) -> DaemonError {
        liveness.markDead(part)
        let message = "\(part) died: \(reason). Effect: \(consequence). The systemd watchdog is no longer fed and oracled "
            + "is shutting down with exit status 1 so that systemd restarts it (Restart=on-failure); without systemd, restart it. "
            + "If it happens again, read the log lines before this one and check the file-descriptor and memory limits."
        logger.critical("\(message)", metadata: ["part": "\(part)"])
        return DaemonError(message)
    }
}

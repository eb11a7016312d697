import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleFetch
import OracleSystem
import OracleTape
import ServiceLifecycle

/// `oracled record`: the fetch loop alone (the daemon's own poll loop, schedules and parsers, no
/// socket, no margin desk, no store) with every response and cycle going to a tape, until SIGINT
/// or SIGTERM. Recording the real loop rather than a simpler fetcher is the point: the tape then
/// holds exactly the requests, timing and rate-limit behaviour the daemon would have had.
public enum RecordRunner {
    public static func run(configPath: String, tapePath: String, logger: Logger) async throws {
        let config: OracleConfiguration
        do {
            config = try ConfigLoader.load(path: configPath)
        } catch {
            throw DaemonError("configuration invalid, not recording:\n\(error)")
        }
        let recorder: TapeRecorder
        do { recorder = try TapeRecorder(path: tapePath, logger: logger) } catch {
            throw DaemonError("cannot record: \(error)")
        }
        let state = OracleState(startedAtMs: WallClock.nowMs())
        await state.configure(pairs: config.pairs)
        let fetcher = CurlMultiLoop(userAgent: config.daemon.userAgent)
        fetcher.start()
        let liveness = PartLiveness()
        // Not under systemd's watchdog (an empty environment: no NOTIFY_SOCKET is used).
        let poll = PollService(config: config, state: state, fetcher: fetcher, notifier: SystemdNotifier(environment: [:]),
                               reloads: ReloadController(configPath: configPath, state: state), marksOut: MarkFeed(),
                               logger: logger, liveness: liveness, recorder: recorder)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: NamedService(FetchLoopService(fetcher: fetcher, liveness: liveness, logger: logger)),
                  failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: NamedService(poll)),
        ]
        // `[[vol]]` answers go on the tape too (the poll loop's cycle records flush them).
        if !config.vol.isEmpty {
            services.append(.init(service: NamedService(VolPollService(settings: config.vol, state: VolState(underlyings: config.vol.map(\.underlying)),
                                                                       fetcher: fetcher, userAgent: config.daemon.userAgent, logger: logger,
                                                                       recorder: recorder))))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("recording", metadata: ["tape": "\(tapePath)", "pairs": "\(config.pairs.count)", "sources": "\(config.sources.count)"])
        defer { fetcher.shutdown() }
        try await group.run()
        recorder.close()
        let c = recorder.counters
        logger.info("recording stopped", metadata: ["tape": "\(tapePath)", "records": "\(c.records)", "bytes": "\(c.bytesWritten)",
                                                   "write_failures": "\(c.writeFailures)", "dropped_cycles": "\(c.droppedCycles)"])
    }
}

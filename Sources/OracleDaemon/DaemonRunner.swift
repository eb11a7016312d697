import Foundation
import Logging
import OracleConfig
import OracleCore
import OracleFetch
import OracleServer
import OracleSystem
import OracleTape
import ServiceLifecycle
import UnixSignals

/// `oracled run`: wires the services in dependency order and runs them in one ServiceGroup.
///
/// Start-up order matters for systemd: the config is valid and the socket is bound before `READY=1`;
/// a second daemon on a live socket fails here, before it could disturb the first.
public enum DaemonRunner {
    /// - Parameter recordPath: `--record TAPE`: the poll loop also writes every response to this tape (docs/replay.md).
    public static func run(configPath: String, logger: Logger, recordPath: String? = nil) async throws {
        MemoryTrimService.limitArenas()
        let config: OracleConfiguration
        do {
            config = try ConfigLoader.load(path: configPath)
        } catch {
            throw DaemonError("configuration invalid, not starting:\n\(error)")
        }
        for dir in [config.daemon.stateDir, config.daemon.spoolDir, (config.daemon.socketPath as NSString).deletingLastPathComponent] where !dir.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw DaemonError("cannot create directory \(dir): \(error.localizedDescription); create it or fix the path in \(configPath)")
            }
        }
        // Before the database and the spool are touched: a second daemon must leave a live one's files alone.
        do {
            try UnixSocketServer.checkAvailable(path: config.daemon.socketPath)
        } catch {
            throw DaemonError("\(error)")
        }
        let environment = ProcessInfo.processInfo.environment
        let notifier = SystemdNotifier(environment: environment)
        let state = OracleState(startedAtMs: WallClock.nowMs(), watchdogIntervalMs: notifier.watchdogIntervalMs)
        await state.configure(pairs: config.pairs)
        let reloads = ReloadController(configPath: configPath, state: state)
        let feed = MarkFeed()
        var recorder: TapeRecorder?
        if let recordPath {
            do { recorder = try TapeRecorder(path: recordPath, logger: logger) } catch {
                throw DaemonError("cannot record: \(error)")
            }
        }

        let margin = try await MarginRuntime.make(config: config, feed: feed, reloads: reloads, logger: logger)

        var router = APIRouter(state: state, reloads: reloads, margin: margin?.api, ownUID: getuid())
        let volState = VolState(underlyings: config.vol.map(\.underlying), sources: VolPollService.initialStatuses(config.vol))
        router.vol = volState
        // Bodies up to 32 MiB: an account import (~100k accounts) arrives as one request so that it is
        // all-or-nothing; everything else is tiny. Connections are bounded by [daemon] max_clients.
        var limits = ServerLimits()
        limits.maxBodyBytes = 32 << 20
        limits.maxConnections = max(16, config.daemon.maxClients)
        // A client that has not sent a whole request in 10 s is closed: idle or slow clients cannot hold slots.
        limits.requestTimeout = .seconds(10)
        let server = UnixSocketServer(path: config.daemon.socketPath, mode: 0o660, limits: limits, handler: router)
        do {
            try await server.start()
        } catch {
            throw DaemonError("\(error)")
        }
        // The optional browser port, bound now like the socket: a taken port stops start-up here.
        var loopback: LoopbackHTTPServer?
        let socketServer = server
        if let http = config.daemon.http {
            let server = LoopbackHTTPServer(host: http.host, port: http.port, limits: limits,
                                            handler: LoopbackRouter(router: router, writeAllowed: config.daemon.httpWrite))
            do {
                try await server.start()
            } catch {
                await server.shutdown()
                await socketServer.shutdown()
                throw DaemonError("\(error)")
            }
            loopback = server
        }
        let fetcher = CurlMultiLoop(userAgent: config.daemon.userAgent)
        // Started here too (FetchLoopService.run is idempotent about it) so fetching has begun by READY=1.
        fetcher.start()
        let liveness = PartLiveness()

        // Created before the group runs, so a SIGHUP during start-up is not lost.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let poll = PollService(config: config, state: state, fetcher: fetcher, notifier: notifier, reloads: reloads,
                               marksOut: feed, logger: logger, liveness: liveness, recorder: recorder)
        // Graceful shutdown runs in reverse: the listener closes first, the fetch thread stops last.
        // A dead fetch thread or listener throws, which shuts the group down in that same order and
        // makes `run` throw (exit status 1).
        let fetchService = FetchLoopService(fetcher: fetcher, liveness: liveness, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: NamedService(fetchService), failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: NamedService(poll)),
            .init(service: MemoryTrimService()),
        ]
        // Only with a [[vol]] block: a service that returns at once would end the group.
        if !config.vol.isEmpty {
            var volPoll = VolPollService(settings: config.vol, state: volState, fetcher: fetcher,
                                         userAgent: config.daemon.userAgent, logger: logger, recorder: recorder)
            if let desk = margin?.desk {
                let byPair = MarginDesk.volatilityPairs(config.vol), maxAge = MarginDesk.volatilityMaxAge(config.vol)
                // Until the first surface is built, an option is refused for want of a surface (named
                // as such), not for want of a [[vol]] block.
                await desk.onVolatility([], underlyingByPair: byPair, maxAgeMs: maxAge, nowMs: WallClock.nowMs())
                volPoll.onSurfaces = { surfaces, nowMs in
                    await desk.onVolatility(surfaces, underlyingByPair: byPair, maxAgeMs: maxAge, nowMs: nowMs)
                }
            }
            services.append(.init(service: NamedService(volPoll)))
        }
        if let margin { services.append(contentsOf: margin.services.map { .init(service: NamedService($0)) }) }
        services.append(.init(service: NamedService(ReloadSignalService(signals: hangups, reloads: reloads, notifier: notifier, logger: logger))))
        services.append(.init(service: NamedService(ListenerService(server: server, liveness: liveness, logger: logger)),
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        if let loopback {
            services.append(.init(service: NamedService(LoopbackListenerService(server: loopback, liveness: liveness, logger: logger)),
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }

        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        notifier.ready(status: "serving \(config.pairs.count) pairs from \(config.sources.count) sources on \(config.daemon.socketPath)")
        if let loopback {
            logger.info("HTTP listener on \(loopback.address)", metadata: ["http": "\(loopback.address)", "http_write": "\(config.daemon.httpWrite)"])
        }
        logger.info("oracled ready", metadata: ["socket": "\(config.daemon.socketPath)", "pairs": "\(config.pairs.count)",
                                               "sources": "\(config.sources.count)", "config": "\(configPath)"])
        defer {
            notifier.stopping()
            fetcher.shutdown()
        }
        defer { recorder?.close() }
        try await group.run()
        feed.finish()
    }
}

/// A start-up failure the operator must fix; printed as is.
public struct DaemonError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// SIGHUP → reload, as `ExecReload=/bin/kill -HUP $MAINPID` expects.
struct ReloadSignalService: Service {
    let signals: UnixSignalsSequence
    let reloads: ReloadController
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            if let error = await reloads.reload() {
                logger.error("\(error)")
            } else {
                logger.info("SIGHUP: configuration reloaded")
            }
            notifier.ready(status: "reloaded")
        }
    }
}

extension DaemonSettings {
    var streamPolicy: StreamPolicy { StreamPolicy(deviationBps: streamDeviationBps, heartbeatMs: streamHeartbeatMs) }
}

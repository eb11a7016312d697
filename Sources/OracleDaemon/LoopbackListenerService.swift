import Logging
import OracleServer
import ServiceLifecycle

/// Owns the optional `[daemon] http` listener inside the service group, as `ListenerService` owns
/// the Unix socket: bound before the group runs (a taken port stops start-up with a clear error),
/// closed on graceful shutdown. If it closes while nobody asked, the configured browser port is
/// gone: it throws, and the daemon ends so that systemd restarts it whole, as for the socket.
struct LoopbackListenerService: Service {
    static let part = "HTTP listener"

    let server: LoopbackHTTPServer
    let liveness: PartLiveness
    let logger: Logger

    func run() async throws {
        let stopRequested = await watch(server)
        if !stopRequested {
            throw PartFailure.died("\(Self.part) on \(server.address)", "the listening port closed while oracled was not shutting down",
                                   consequence: "the desk page and the API on [daemon] http are unreachable (the Unix socket still answers)",
                                   liveness: liveness, logger: logger)
        }
    }
}

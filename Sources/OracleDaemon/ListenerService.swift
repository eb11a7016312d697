import Logging
import OracleServer
import ServiceLifecycle
import Synchronization

/// Owns the API socket's listener inside the service group: the server is bound before the group
/// runs (so `READY=1` follows a bound socket and a second daemon is refused first); this service
/// then watches the listening channel and closes the server on graceful shutdown. If the listener
/// closes while nobody asked it to (accept failed for good, the fd was closed), the API is
/// unreachable: it throws, which stops the watchdog and ends the daemon.
///
/// Last in the group, so it is shut down first: clients see the socket go before anything else stops.
struct ListenerService: Service {
    static let part = "socket listener"

    let server: UnixSocketServer
    let liveness: PartLiveness
    let logger: Logger

    func run() async throws {
        let server = self.server
        let fault = FaultHook.file(FaultHook.closeListenerVariable).map { file in
            Task { if await FaultHook.waitUntilExists(file) { server.closeListener() } }
        }
        defer { fault?.cancel() }
        let stopRequested = await watch(server)
        if !stopRequested {
            throw PartFailure.died("\(Self.part) on \(server.path)", "the listening socket closed while oracled was not shutting down",
                                   consequence: "the API is unreachable (no marks, no acknowledgements, no oraclectl)",
                                   liveness: liveness, logger: logger)
        }
    }
}

/// What the two listener services watch: the Unix socket's server and the `[daemon] http` one.
protocol WatchedListener: Sendable {
    func listenerClosed() async
    func closeListener()
    func shutdown() async
}

extension UnixSocketServer: WatchedListener {}
extension LoopbackHTTPServer: WatchedListener {}

/// Waits until `server`'s listener closes — because graceful shutdown or cancellation closed it, or
/// by itself — then ends its connections. Returns whether a stop was asked for: `false` means the
/// listener died on its own, which the caller reports as a part failure.
func watch(_ server: some WatchedListener) async -> Bool {
    let stopRequested = StopFlag()
    await withTaskCancellationHandler {
        await withGracefulShutdownHandler {
            await server.listenerClosed()
        } onGracefulShutdown: {
            stopRequested.set()
            server.closeListener()
        }
    } onCancel: {
        stopRequested.set()
        server.closeListener()
    }
    // Either way the connections end (and a socket file goes, if it is still ours).
    await server.shutdown()
    return stopRequested.isSet
}

/// Set once from a synchronous callback, read after the wait.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The optional browser listener (`[daemon] http`): the same HTTP/1.1 transport as
/// `UnixSocketServer` — one pipeline per connection (`UnixSocketServer.configure`), the same
/// `ServerLimits`, connection limiter and body budget — on a TCP port of the loopback interface.
///
/// A TCP peer has no `SO_PEERCRED`, so every request arrives with `peer == nil`; deciding what
/// such a peer may do is the handler's business (the daemon's `LoopbackRouter`). The server only
/// refuses to bind anything but a loopback address, so a configuration slip cannot expose it.
public final class LoopbackHTTPServer: Sendable {
    /// Numeric loopback address to bind (`127.x.y.z` or `::1`).
    public let host: String
    /// Port asked for; 0 lets the kernel choose (tests), ``boundPort`` then says which.
    public let port: Int
    /// Limits applied to every connection.
    public let limits: ServerLimits
    private let handler: any APIHandler
    private let group: any EventLoopGroup
    private let state = ServerState()
    private let listenerChannel = Mutex<(any Channel)?>(nil)

    /// Creates a server; nothing is bound until `start()`.
    public init(host: String, port: Int, limits: ServerLimits = ServerLimits(), handler: any APIHandler,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.limits = limits
        self.handler = handler
        self.group = group
    }

    /// `host:port` as an operator writes it (`[::1]:8787` for IPv6).
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The port actually bound, once started.
    public var boundPort: Int? { listenerChannel.withLock { $0?.localAddress?.port } }

    /// Binds and starts accepting; returns once clients can connect.
    public func start() async throws(ServerError) {
        guard host == "::1" || host.hasPrefix("127.") else {
            throw ServerError(code: .bindFailed, message: "refusing to listen on \(address): the HTTP listener has no authentication and "
                              + "binds only loopback addresses (127.0.0.1, ::1); see docs/nginx.conf for serving other machines")
        }
        guard await state.claimStart() else {
            throw ServerError(code: .alreadyStarted, message: "HTTP listener on \(address) was already started; create a new LoopbackHTTPServer")
        }
        let listener: NIOAsyncChannel<HTTPConnection, Never>
        do {
            listener = try await bind()
        } catch {
            throw ServerError(code: .bindFailed,
                              message: "cannot listen on \(address) ([daemon] http): the port is in use or not allowed; "
                                  + "choose another port or remove the http line",
                              cause: error)
        }
        let handler = self.handler
        let limits = self.limits
        let budget = BodyBudget(capacity: limits.maxTotalBodyBytes)
        let acceptTask = Task {
            await UnixSocketServer.acceptLoop(listener, handler: handler, limits: limits, budget: budget)
        }
        listenerChannel.withLock { $0 = listener.channel }
        await state.running(listener: listener.channel, acceptTask: acceptTask, inode: nil)
    }

    /// Returns once the listening socket has closed (``shutdown()``, ``closeListener()`` or a failure).
    public func listenerClosed() async {
        guard let channel = listenerChannel.withLock({ $0 }) else { return }
        try? await channel.closeFuture.get()
    }

    /// Closes the listening socket without waiting (open connections go on until ``shutdown()``).
    public func closeListener() {
        listenerChannel.withLock { $0 }?.close(promise: nil)
    }

    /// Stops accepting and ends every open connection (cancelling streamed responses). Idempotent.
    public func shutdown() async {
        guard let running = await state.stop() else { return }
        try? await running.listener.close().get()
        running.acceptTask.cancel()
        await running.acceptTask.value
    }

    private func bind() async throws -> NIOAsyncChannel<HTTPConnection, Never> {
        let limits = self.limits
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            // A restarted daemon must get its port back while the old connections sit in TIME_WAIT.
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionLimiter(maxConnections: limits.maxConnections))
                }
            }
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try UnixSocketServer.configure(channel, limits: limits, peer: nil)
                }
            }
    }
}

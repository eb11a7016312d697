#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The daemon's HTTP/1.1 API listener on a Unix socket.
///
/// Transport only: it frames requests, enforces `ServerLimits`, attaches `SO_PEERCRED` and hands
/// each complete request to the `APIHandler`. Lifecycle: `start()` refuses a live socket, removes
/// a stale one, binds, chmods and returns once listening (the moment to send `READY=1`);
/// `shutdown()` stops accepting, cancels in-flight connections and removes the socket file.
public final class UnixSocketServer: Sendable {
    /// Path of the socket file.
    public let path: String
    /// Permission bits applied right after bind.
    public let mode: mode_t
    /// Limits applied to every connection.
    public let limits: ServerLimits
    private let handler: any APIHandler
    private let group: any EventLoopGroup
    private let state = ServerState()
    /// The bound listener, also outside the actor so ``closeListener()`` and ``listenerClosed()``
    /// work from synchronous handlers (graceful-shutdown and cancellation callbacks).
    private let listenerChannel = Mutex<(any Channel)?>(nil)

    /// Creates a server; nothing touches the file system until `start()`.
    ///
    /// - Parameters:
    ///   - path: socket path (at most 107 bytes); its parent directory is created if missing.
    ///   - mode: permission bits for the socket file, 0660 so only the daemon's user and group connect.
    ///   - limits: header/body/connection/timeout limits.
    ///   - handler: answers each request.
    ///   - group: event loops to run on; NIO's shared singleton by default.
    public init(
        path: String,
        mode: mode_t = 0o660,
        limits: ServerLimits = ServerLimits(),
        handler: any APIHandler,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.path = path
        self.mode = mode
        self.limits = limits
        self.handler = handler
        self.group = group
    }

    /// Binds the socket and starts accepting; returns once clients can connect.
    ///
    /// Throws `.socketInUse` without touching the file if another server answers on `path`.
    public func start() async throws(ServerError) {
        guard await state.claimStart() else {
            throw ServerError(code: .alreadyStarted, message: "server on \(path) was already started; create a new UnixSocketServer")
        }
        try SocketPath.prepare(path)

        let listener: NIOAsyncChannel<HTTPConnection, Never>
        do {
            listener = try await bind()
        } catch {
            throw ServerError(
                code: .bindFailed,
                message: "cannot listen on \(path); check the directory's permissions or choose another [daemon] socket",
                cause: error
            )
        }
        do {
            try SocketPath.setMode(path, mode)
        } catch {
            try? await listener.channel.close().get()
            throw error
        }
        let inode = SocketPath.inode(path)
        let handler = self.handler
        let limits = self.limits
        let budget = BodyBudget(capacity: limits.maxTotalBodyBytes)
        let acceptTask = Task {
            await Self.acceptLoop(listener, handler: handler, limits: limits, budget: budget)
        }
        listenerChannel.withLock { $0 = listener.channel }
        await state.running(listener: listener.channel, acceptTask: acceptTask, inode: inode)
    }

    /// Returns once the listening socket has closed, for whatever reason: ``shutdown()``,
    /// ``closeListener()``, or the listener failing (the accept loop then closes it). At once if the
    /// server never started. Not cancellable by itself: call ``closeListener()`` to end the wait.
    public func listenerClosed() async {
        guard let channel = listenerChannel.withLock({ $0 }) else { return }
        try? await channel.closeFuture.get()
    }

    /// Closes the listening socket without waiting (open connections go on until ``shutdown()``).
    /// For the daemon's listener service (ending its wait) and its fault-injection hook.
    public func closeListener() {
        listenerChannel.withLock { $0 }?.close(promise: nil)
    }

    /// Stops accepting, ends every open connection (cancelling streamed responses) and removes the
    /// socket file if it is still the one this server created. Safe to call more than once.
    public func shutdown() async {
        guard let running = await state.stop() else { return }
        // Closing an already-closed listener fails harmlessly; the accept loop ends either way.
        try? await running.listener.close().get()
        running.acceptTask.cancel()
        await running.acceptTask.value
        if let inode = running.inode {
            SocketPath.removeIfOurs(path, inode: inode)
        }
    }

    private func bind() async throws -> NIOAsyncChannel<HTTPConnection, Never> {
        let limits = self.limits
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 512)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionLimiter(maxConnections: limits.maxConnections))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { channel in
                Self.peerCredentials(of: channel).flatMapThrowing { peer in
                    try Self.configure(channel, limits: limits, peer: peer)
                }
            }
    }

    /// Installs the HTTP codec, limits and error/timeout handlers, then wraps the channel.
    static func configure(_ channel: Channel, limits: ServerLimits, peer: PeerCredentials?) throws -> HTTPConnection {
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
        let sync = channel.pipeline.syncOperations
        // No pipelining assistance: the async loop already answers requests strictly in order,
        // and that handler would stop reading while a response streams, hiding client disconnects.
        try sync.configureHTTPServerPipeline(
            withPipeliningAssistance: false,
            withErrorHandling: false,
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: decoderLimits
        )
        try sync.addHandler(ProtocolErrorResponder(maxHeaderBytes: limits.maxHeaderBytes))
        try sync.addHandler(RequestTimeoutHandler(timeout: TimeAmount(limits.requestTimeout)))
        let asyncChannel = try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
            wrappingChannelSynchronously: channel
        )
        return HTTPConnection(channel: asyncChannel, peer: peer)
    }

    /// Reads `SO_PEERCRED` through NIO's socket-option API (see `RawUcred` for why not via the fd).
    private static func peerCredentials(of channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<RawUcred> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        )
        return future
            .map { raw in Optional(PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid)) }
            .recover { _ in nil }
    }

    static func acceptLoop(
        _ listener: NIOAsyncChannel<HTTPConnection, Never>,
        handler: any APIHandler,
        limits: ServerLimits,
        budget: BodyBudget
    ) async {
        do {
            try await listener.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask { await connection.serve(handler: handler, limits: limits, budget: budget) }
                        }
                    } catch {
                        // The listener failed or was closed: stop accepting; open connections
                        // finish or are cancelled by shutdown().
                    }
                }
            }
        } catch {
            // Closing the listener after it failed: nothing left to release.
        }
    }
}

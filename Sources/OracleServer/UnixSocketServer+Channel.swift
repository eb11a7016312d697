import NIOCore

extension UnixSocketServer {
    /// Installs the exact per-connection pipeline of an accepted client (HTTP codec with the
    /// header limits, `ProtocolErrorResponder`, `RequestTimeoutHandler`, the async wrapper) on
    /// `channel` and returns its request loop, which runs until the input ends or the channel closes.
    ///
    /// Why: the fuzz targets in FuzzTesting/ (and tests) drive the real server path with an
    /// in-memory channel (`NIOAsyncTestingChannel`) instead of a socket, so a finding there is a
    /// finding in the daemon. Must be called on `channel`'s event loop; the channel should be active.
    package static func attachConnection(
        to channel: any Channel,
        limits: ServerLimits = ServerLimits(),
        peer: PeerCredentials?,
        handler: any APIHandler
    ) throws -> @Sendable () async -> Void {
        let connection = try configure(channel, limits: limits, peer: peer)
        return { await connection.serve(handler: handler, limits: limits) }
    }
}

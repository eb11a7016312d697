import NIOCore

/// Server-channel handler that closes accepted connections beyond `ServerLimits.maxConnections`.
///
/// It sits first in the listening channel's pipeline, so it sees each accepted child channel
/// before NIO initialises it. The count lives on the listening channel's event loop only (child
/// close callbacks hop back to it), so it needs no lock.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let maxConnections: Int
    private var open = 0

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        guard open < maxConnections else {
            // Over the limit: refuse by closing; the client sees EOF and can retry later.
            child.close(promise: nil)
            return
        }
        open += 1
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        child.closeFuture.whenComplete { _ in
            loop.execute { bound.value.open -= 1 }
        }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ConnectionLimiter: Sendable {}

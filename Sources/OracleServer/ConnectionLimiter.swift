import NIOCore
import Synchronization

/// Server-channel handler that bounds accepted connections to `ServerLimits.maxConnections`.
///
/// It sits first in the listening channel's pipeline, so it sees each accepted child channel
/// before NIO initialises it. The count lives on the listening channel's event loop only (child
/// close callbacks hop back to it), so it needs no lock.
///
/// At the limit a newcomer is not simply refused: that would let any local client that opens
/// `maxConnections` idle sockets (and reopens them as the request timeout closes them) lock every
/// other client out. Instead the oldest connection that has never been answered — idle, or
/// trickling a request — is closed to make room; connections that got an answer (keep-alive
/// clients, price streams) are never evicted. Only when every slot holds an answered connection is
/// the newcomer refused.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let maxConnections: Int
    private var open = 0
    /// Connections not yet answered, by accept order: the eviction candidates.
    private var unanswered: [ObjectIdentifier: (order: UInt64, channel: any Channel)] = [:]
    private var accepted: UInt64 = 0

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        if open >= maxConnections {
            guard let victim = unanswered.min(by: { $0.value.order < $1.value.order }) else {
                // Every slot serves an answered client: refuse by closing; the client sees EOF.
                child.close(promise: nil)
                return
            }
            unanswered[victim.key] = nil
            victim.value.channel.close(promise: nil)
        }
        open += 1
        accepted &+= 1
        let id = ObjectIdentifier(child)
        unanswered[id] = (accepted, child)
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        child.closeFuture.whenComplete { _ in
            loop.execute {
                bound.value.open -= 1
                bound.value.unanswered[id] = nil
            }
        }
        let marker = FirstAnswerMarker {
            loop.execute { bound.value.unanswered[id] = nil }
        }
        child.pipeline.addHandler(marker, position: .first).whenFailure { _ in child.close(promise: nil) }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ConnectionLimiter: Sendable {}

/// First in a client's pipeline: reports once, when the server writes the first bytes of an
/// answer, that the connection is a served client rather than an idle or trickling one.
final class FirstAnswerMarker: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answered = Atomic<Bool>(false)
    private let onFirstAnswer: @Sendable () -> Void

    init(onFirstAnswer: @escaping @Sendable () -> Void) {
        self.onFirstAnswer = onFirstAnswer
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if !answered.exchange(true, ordering: .relaxed) { onFirstAnswer() }
        context.write(data, promise: promise)
    }
}

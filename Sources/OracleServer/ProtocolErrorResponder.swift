import NIOCore
import NIOHTTP1

/// Answers requests the HTTP decoder rejects: 431 for an oversized head, 400 with the API's JSON
/// error body for anything else malformed, then lets the decoder close the connection.
///
/// It replaces NIO's `HTTPServerProtocolErrorHandler` (which sends an empty 400) and must write
/// synchronously inside `errorCaught`, because `ByteToMessageHandler` closes the channel right
/// after. No answer is written if a response is already under way: that would corrupt it.
final class ProtocolErrorResponder: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false
    private let maxHeaderBytes: Int

    init(maxHeaderBytes: Int) {
        self.maxHeaderBytes = maxHeaderBytes
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParserError, !responseInProgress {
            let response: APIResponse
            if case .headerOverflow = parseError {
                response = .error(431, "request header is larger than \(maxHeaderBytes) bytes; send fewer or shorter headers")
            } else {
                response = .error(400, "malformed HTTP request (\(parseError)); send HTTP/1.1 with a valid request line and headers")
            }
            for part in ResponseFraming.completeParts(response, bytes: Self.bytes(of: response), keepAlive: false) {
                context.write(Self.wrapOutboundOut(part), promise: nil)
            }
            context.flush()
            responseInProgress = true
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responseInProgress = true
        case .end: responseInProgress = false
        default: break
        }
        context.write(data, promise: promise)
    }

    private static func bytes(of response: APIResponse) -> [UInt8] {
        if case .bytes(let b) = response.body { return b }
        return []
    }
}

@available(*, unavailable)
extension ProtocolErrorResponder: Sendable {}

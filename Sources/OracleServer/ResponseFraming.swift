import NIOCore
import NIOHTTP1

/// Turns an `APIResponse` into HTTP/1.1 response parts: the transport alone decides framing
/// (`Content-Length`, chunked, `Connection`), so a handler cannot produce a malformed response.
enum ResponseFraming {
    /// Headers a handler may not set because they would contradict the framing chosen here.
    private static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection", "content-type"]

    /// The response head. `contentLength == nil` means a streamed body (chunked on HTTP/1.1,
    /// delimited by close on HTTP/1.0).
    static func head(
        _ response: APIResponse,
        version: HTTPVersion = .http1_1,
        keepAlive: Bool,
        contentLength: Int?
    ) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        for (name, value) in response.headers where !framingHeaders.contains(name.lowercased()) {
            headers.add(name: name, value: value)
        }
        if let contentLength {
            headers.add(name: "content-length", value: String(contentLength))
        } else if version.major == 1 && version.minor >= 1 {
            headers.add(name: "transfer-encoding", value: "chunked")
        }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if version.major == 1 && version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        let status = HTTPResponseStatus(statusCode: response.status)
        let replyVersion: HTTPVersion = (version.major == 1 && version.minor == 0) ? .http1_0 : .http1_1
        return HTTPResponseHead(version: replyVersion, status: status, headers: headers)
    }

    /// Head, body and end of a complete (non-streamed) response.
    static func completeParts(
        _ response: APIResponse,
        bytes: [UInt8],
        keepAlive: Bool,
        version: HTTPVersion = .http1_1
    ) -> [HTTPServerResponsePart] {
        let head = head(response, version: version, keepAlive: keepAlive, contentLength: bytes.count)
        var parts: [HTTPServerResponsePart] = [.head(head)]
        if !bytes.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
        parts.append(.end(nil))
        return parts
    }
}

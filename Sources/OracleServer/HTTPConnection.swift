import NIOCore
import NIOHTTP1

/// One accepted client connection: its async channel and the peer identity read at accept time.
struct HTTPConnection: Sendable {
    let channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let peer: PeerCredentials?

    /// Serves requests one after another until the client closes, asks to close, breaks a limit,
    /// or the serving task is cancelled (server shutdown). Never throws: every failure here is the
    /// connection's own and ends only it.
    ///
    /// `budget` is shared by all of a server's connections (bounds buffered bodies in total); without
    /// one, this connection gets its own of `limits.maxTotalBodyBytes`.
    func serve(handler: any APIHandler, limits: ServerLimits, budget: BodyBudget? = nil) async {
        let budget = budget ?? BodyBudget(capacity: limits.maxTotalBodyBytes)
        var reserved = 0
        defer { budget.release(reserved) }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        if let declared = h.headers.first(name: "content-length").flatMap({ Int($0) }),
                           declared > limits.maxBodyBytes {
                            try await writeBodyTooLarge(outbound, limits: limits, version: h.version)
                            return
                        }
                        if h.headers.first(name: "expect")?.lowercased() == "100-continue" {
                            try await outbound.write(.head(HTTPResponseHead(version: h.version, status: .continue)))
                        }
                        head = h
                        body = []
                        budget.release(reserved)
                        reserved = 0
                    case .body(let buffer):
                        guard let h = head else { continue }
                        if body.count + buffer.readableBytes > limits.maxBodyBytes {
                            try await writeBodyTooLarge(outbound, limits: limits, version: h.version)
                            return
                        }
                        guard budget.reserve(buffer.readableBytes) else {
                            try await writeBusy(outbound, budget: budget, version: h.version)
                            return
                        }
                        reserved += buffer.readableBytes
                        body.append(contentsOf: buffer.readableBytesView)
                    case .end:
                        guard let h = head else { continue }
                        head = nil
                        let keepAlive = h.isKeepAlive
                        let response: APIResponse
                        switch request(from: h, body: body) {
                        case .success(let request): response = await handler.handle(request)
                        case .failure(let invalid): response = .error(400, invalid.message)
                        }
                        body = []
                        budget.release(reserved)
                        reserved = 0
                        let finished = try await write(response, version: h.version, keepAlive: keepAlive, outbound: outbound)
                        if !keepAlive || !finished {
                            await flushThenShutdownOutput()
                            return
                        }
                    }
                }
            }
        } catch {
            // The client went away, broke HTTP (already answered by ProtocolErrorResponder) or the
            // server is shutting down; the channel is closed either way and nothing else depends on it.
        }
    }

    /// Before the connection closes: the response may still sit in NIO's queue of pending writes
    /// (a 3 MB `/v1/prices` at 2,000 pairs does, while the client reads), and closing the channel
    /// drops that queue — the client got a truncated body. Half-closing the output waits for the
    /// queue to be written to the socket, then sends FIN; the full close follows.
    /// A client that stops reading cannot hold the connection: after 10 s it is closed regardless.
    private func flushThenShutdownOutput() async {
        let channel = self.channel.channel
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try? await channel.close(mode: .output).get()
        deadline.cancel()
    }

    private func request(from head: HTTPRequestHead, body: [UInt8]) -> Result<APIRequest, RequestTarget.Invalid> {
        let target: RequestTarget
        do {
            target = try RequestTarget.parse(head.uri)
        } catch {
            return .failure(error)
        }
        return .success(APIRequest(
            method: head.method.rawValue,
            path: target.path,
            rawPath: target.rawPath,
            query: target.query,
            headers: head.headers.map { ($0.name, $0.value) },
            body: body,
            peer: peer
        ))
    }

    private func writeBodyTooLarge(
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        limits: ServerLimits,
        version: HTTPVersion
    ) async throws {
        let response = APIResponse.error(413, "request body is larger than \(limits.maxBodyBytes) bytes; split the upload into smaller requests")
        guard case .bytes(let bytes) = response.body else { return }
        try await outbound.write(contentsOf: ResponseFraming.completeParts(response, bytes: bytes, keepAlive: false, version: version))
    }

    private func writeBusy(
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        budget: BodyBudget,
        version: HTTPVersion
    ) async throws {
        let response = APIResponse.error(503, "the server is already buffering \(budget.capacity) bytes of request bodies from other clients; retry shortly")
        guard case .bytes(let bytes) = response.body else { return }
        try await outbound.write(contentsOf: ResponseFraming.completeParts(response, bytes: bytes, keepAlive: false, version: version))
    }

    /// Writes `response`; returns false if the connection can no longer carry another response
    /// (a streamed body on HTTP/1.0, or the client disconnected mid-stream).
    private func write(
        _ response: APIResponse,
        version: HTTPVersion,
        keepAlive: Bool,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Bool {
        switch response.body {
        case .bytes(let bytes):
            try await outbound.write(contentsOf: ResponseFraming.completeParts(response, bytes: bytes, keepAlive: keepAlive, version: version))
            return true
        case .stream(let stream):
            let chunked = version.major == 1 && version.minor >= 1
            let head = ResponseFraming.head(response, version: version, keepAlive: keepAlive && chunked, contentLength: nil)
            try await outbound.write(.head(head))
            let completed = await pump(stream, to: outbound)
            return completed && chunked
        }
    }

    /// Copies `stream` to the client chunk by chunk, racing it against the channel closing.
    ///
    /// While a stream is idle nothing is written, so a vanished client would go unnoticed until
    /// the next element; watching `closeFuture` instead cancels the iteration at once, which
    /// fires the stream's `onTermination` and lets the producer stop.
    private func pump(
        _ stream: AsyncStream<[UInt8]>,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async -> Bool {
        let (closed, closedContinuation) = AsyncStream<Void>.makeStream()
        channel.channel.closeFuture.whenComplete { _ in closedContinuation.finish() }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    for await chunk in stream where !chunk.isEmpty {
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                    }
                    if Task.isCancelled { return false }
                    try await outbound.write(.end(nil))
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                for await _ in closed {}
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            closedContinuation.finish()
            return first
        }
    }
}

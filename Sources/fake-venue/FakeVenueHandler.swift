import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection of the fake venue: venue routes under `/<venue>/…`, control under `/_control/…`.
final class FakeVenueHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: NIO calls a handler only on its channel's event loop.
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: VenueState
    private var uri = "/"
    private var method: HTTPMethod = .GET
    /// False when the client sent `Connection: close`: the answer then ends the connection (a client
    /// reading to EOF would otherwise wait for its own timeout).
    private var keepAlive = true

    init(state: VenueState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
            method = head.method
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        if uri.hasPrefix("/_control/") || uri == "/_health" {
            let (status, body) = control()
            send(context: context, status: status, body: Array(body.utf8))
            return
        }
        if let (status, body) = OptionVenues.answer(uri: uri, spot: { self.state.price($0) }, nowMs: Int64(Date().timeIntervalSince1970 * 1000)) {
            return send(context: context, status: status, body: Array(body.utf8))
        }
        let batch = Venues.batchRoute(uri)
        guard let (venue, symbol) = batch.map({ ($0.venue, nil) }) ?? Venues.route(uri) else {
            send(context: context, status: 404, body: Array(#"{"error":"no such venue route"}"#.utf8))
            return
        }
        _ = state.countRequest(venue)
        let mode = state.faultForRequest(venue)
        state.logRequest(venue, status: Self.loggedStatus(mode), mode: mode)
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        switch mode {
        case .http500: return send(context: context, status: 500, body: Array(#"{"error":"internal"}"#.utf8))
        case .http502: return send(context: context, status: 502, body: Array("<html><body><h1>502 Bad Gateway</h1></body></html>".utf8), contentType: "text/html")
        case .http503: return send(context: context, status: 503, body: Array("<html>Service Unavailable</html>".utf8), contentType: "text/html")
        case .http403: return send(context: context, status: 403, body: Array("<html>403 Forbidden</html>".utf8), contentType: "text/html")
        case .http451: return send(context: context, status: 451, body: Array(#"{"code":0,"msg":"Service unavailable from a restricted location"}"#.utf8))
        case .rate429: return send(context: context, status: 429, body: Array(#"{"code":-1003,"msg":"Too many requests"}"#.utf8), extra: [("Retry-After", "\(state.retryAfterSeconds)")])
        case .ban418: return send(context: context, status: 418, body: Array(#"{"code":-1003,"msg":"IP banned"}"#.utf8), extra: [("Retry-After", "\(state.retryAfterSeconds)")])
        case .html: return send(context: context, status: 200, body: Array("<!DOCTYPE html><html><body>Maintenance</body></html>".utf8), contentType: "text/html")
        case .empty: return send(context: context, status: 200, body: [])
        case .hang: return   // never answer; the client's timeout must fire
        case .huge:
            return send(context: context, status: 200, body: Self.hugeBody)
        default: break
        }
        if let batch {
            return respondBatch(context: context, batch, mode: mode, nowMs: nowMs)
        }
        guard let symbol, let req = Venues.resolve(venue: venue, symbol: symbol, syntheticWidth: state.syntheticWidth),
              let (price, ts) = priced(req, mode: mode, nowMs: nowMs) else {
            let (st, body) = Venues.unknownSymbol(venue)
            return send(context: context, status: st, body: Array(body.utf8))
        }
        var body = Array(Venues.body(req, price: price, tsMs: ts, wrongPair: mode == .wrongpair).utf8)
        if mode == .truncated { body = Array(body.prefix(body.count / 2)) }
        if mode == .slowdrip { return drip(context: context, body: body) }
        send(context: context, status: 200, body: body)
    }

    /// The price and timestamp the venue quotes for `req` in `mode`, nil when the fake does not list it.
    private func priced(_ req: Venues.Request, mode: FaultMode, nowMs: Int64) -> (Double, Int64)? {
        guard let (basePrice, ts0) = state.venuePrice(req.venue, req.base + "-USD", mode: mode, nowMs: nowMs) else { return nil }
        var price = basePrice
        if req.quote != "USD", let q = state.price(req.quote + "-USD"), q > 0 { price /= q }
        var ts = ts0
        switch mode {
        case .stale: ts = nowMs - 600_000
        case .future: ts = nowMs + 3_600_000
        case .zero: price = 0
        case .negative: price = -1
        case .nan: price = .nan
        case .absurd: price = 1e308
        default: break
        }
        return (price, ts)
    }

    /// A multi-symbol ticker request: the named symbols (or the whole market) in the venue's batch
    /// shape. Unknown names follow the venue: Kraken fails the whole request, Binance's `symbols`
    /// too, Pyth unless `ignore_invalid_price_ids`; the others leave them out.
    private func respondBatch(context: ChannelHandlerContext, _ route: Venues.BatchRoute, mode: FaultMode, nowMs: Int64) {
        let venue = route.venue
        let width = state.syntheticWidth
        var requests: [Venues.Request] = []
        if let symbols = route.symbols {
            for symbol in symbols {
                if let req = Venues.resolve(venue: venue, symbol: symbol, syntheticWidth: width), state.price(req.base + "-USD") != nil {
                    requests.append(req)
                } else if venue == "kraken" || venue == "binance" || (venue == "pyth" && !route.ignoreInvalid) {
                    let (st, body) = Venues.unknownSymbol(venue)
                    return send(context: context, status: st, body: Array(body.utf8))
                }
            }
        } else if route.instType == nil || route.instType == "SPOT" {
            requests = Venues.market(venue: venue, bases: state.bases(), syntheticWidth: width)
        }
        let entries = requests.compactMap { req -> Venues.Entry? in
            guard let (price, ts) = priced(req, mode: mode, nowMs: nowMs) else { return nil }
            return Venues.Entry(request: req, price: price, tsMs: ts, wrongPair: mode == .wrongpair)
        }
        var body = Array(Venues.batchBody(venue: venue, entries: entries, nowMs: nowMs).utf8)
        if mode == .truncated { body = Array(body.prefix(body.count / 2)) }
        if mode == .slowdrip { return drip(context: context, body: body) }
        send(context: context, status: 200, body: body)
    }

    private func control() -> (Int, String) {
        let comps = URLComponents(string: "http://x" + uri)
        let q = Dictionary((comps?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        switch comps?.path ?? "" {
        case "/_health": return (200, #"{"ok":true}"#)
        case "/_control/price":
            guard let pair = q["pair"], let p = q["price"].flatMap(Double.init) else { return (400, #"{"error":"need pair and price"}"#) }
            state.setPrice(pair, p)
            return (200, #"{"ok":true}"#)
        case "/_control/fault":
            guard let venue = q["venue"], let mode = q["mode"].flatMap(FaultMode.init(rawValue:)) else {
                return (400, #"{"error":"need venue and mode (\#(FaultMode.allCases.map(\.rawValue).joined(separator: ",")))"}"#)
            }
            // Optional window: `seconds=S` and/or `requests=N`, after which the venue is ok again.
            let seconds = q["seconds"].flatMap(Double.init)
            let requests = q["requests"].flatMap(Int.init)
            if q["seconds"] != nil && seconds == nil || q["requests"] != nil && requests == nil {
                return (400, #"{"error":"seconds and requests must be numbers"}"#)
            }
            state.setFault(venue: venue, mode, seconds: seconds, requests: requests)
            return (200, #"{"ok":true}"#)
        case "/_control/vol":
            return FakeVolState.shared.control(q)
        case "/_control/log":
            return (200, state.logJSON(venue: q["venue"]))
        case "/_control/wiggle":
            guard let on = q["on"], on == "0" || on == "1" else { return (400, #"{"error":"need on=0 or on=1"}"#) }
            state.setWiggle(on == "1")
            return (200, #"{"ok":true}"#)
        case "/_control/retry-after":
            guard let s = q["seconds"].flatMap(Int.init) else { return (400, #"{"error":"need seconds"}"#) }
            state.retryAfterSeconds = s
            return (200, #"{"ok":true}"#)
        case "/_control/stats":
            let s = state.stats().sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            return (200, "{\(s)}")
        case "/_control/reset-stats":
            state.resetStats()
            return (200, #"{"ok":true}"#)
        default:
            return (404, #"{"error":"unknown control route"}"#)
        }
    }

    /// `{"pad":"xxx…"}` of 20 MiB, built once: building it per request (element by element in a
    /// debug build) stalled the fake's only event loop for every venue.
    static let hugeBody: [UInt8] = {
        let head = Array("{\"pad\":\"".utf8), tail = Array("\"}".utf8)
        var big = [UInt8](repeating: UInt8(ascii: "x"), count: head.count + 20 * 1024 * 1024 + tail.count)
        big.replaceSubrange(0..<head.count, with: head)
        big.replaceSubrange((big.count - tail.count)..<big.count, with: tail)
        return big
    }()

    /// The status a request in `mode` is answered with (0: no answer at all), for the request log.
    static func loggedStatus(_ mode: FaultMode) -> Int {
        switch mode {
        case .http500: return 500
        case .http502: return 502
        case .http503: return 503
        case .http403: return 403
        case .http451: return 451
        case .rate429: return 429
        case .ban418: return 418
        case .hang: return 0
        default: return 200
        }
    }

    private func send(context: ChannelHandlerContext, status: Int, body: [UInt8], contentType: String = "application/json",
                      extra: [(String, String)] = []) {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
        for (k, v) in extra { headers.add(name: k, value: v) }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Sends the body a few bytes every 200 ms: a client without a total timeout would wait forever.
    private func drip(context: ChannelHandlerContext, body: [UInt8]) {
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.count)")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let loop = context.eventLoop
        let channel = context.channel
        @Sendable func step(_ offset: Int) {
            guard channel.isActive else { return }
            if offset >= body.count {
                channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
                return
            }
            let chunk = Array(body[offset..<min(body.count, offset + 4)])
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: chunk))), promise: nil)
            loop.scheduleTask(in: .milliseconds(200)) { step(offset + 4) }
        }
        step(0)
    }
}

/// The order in which every venue response is judged: HTTP status, then the venue's own
/// error signalling in the body, then the quote.
///
/// Centralised so all adapters agree on the contract the scheduler relies on:
/// - 429/418 are `rate_limited` whatever the body says; `retryAfterSeconds` comes only from
///   `Retry-After`; KuCoin's and Bybit's reset headers go to `resetHintMs`.
/// - 404 is `unknown_symbol`; 403/451 are `other` ("blocked") except Bybit's 403, which is
///   its IP rate limit; the scheduler quarantines on the status itself.
/// - 5xx is `unavailable` unless the body names something more specific (Bitfinex sends
///   parameter errors and rate limits with HTTP 500).
/// - Other 4xx are `bad_request` unless the body says which.
/// - A 2xx body that is an error by the venue's rules is that error; a 2xx body that is not
///   JSON, or not the expected shape, is `other`.
enum ResponseTriage {
    ///
    /// Generic over the result so a batch answer (many quotes from one body) goes through the
    /// same whole-body rules as a single ticker.
    static func parse<R>(
        _ response: VenueResponse,
        venue: VenueKind,
        bodyVerdict: (JSONScanner, JSONSpan) -> BodyVerdict?,
        textVerdict: (String) -> BodyVerdict? = { _ in nil },
        quote: (JSONScanner, JSONSpan) throws(VenueError) -> R
    ) throws(VenueError) -> R {
        try response.body.withUnsafeBufferPointer { (buffer) throws(VenueError) -> R in
            try JSONScanner.withScanner(buffer) { (scanner) throws(VenueError) -> R in
                var root: JSONSpan?
                var syntaxError: JSONScanError?
                do throws(JSONScanError) {
                    root = try scanner.document()
                } catch {
                    syntaxError = error
                }
                let verdict: BodyVerdict?
                if let root {
                    verdict = bodyVerdict(scanner, root)
                } else if looksLikeJSON(buffer) {
                    verdict = nil   // a broken JSON body says nothing reliable about the error
                } else {
                    verdict = textVerdict(snippet(buffer))
                }
                let status = response.status
                if (200..<300).contains(status) {
                    if let verdict {
                        throw error(verdict.errorClass, "\(venue.rawValue): \(verdict.message)", response, venue)
                    }
                    guard let root else {
                        let why = syntaxError.map { $0.description } ?? "not JSON"
                        let what = buffer.isEmpty ? "empty body" : "body is not valid JSON (\(why)): \(snippet(buffer))"
                        throw VenueError(.other, "\(venue.rawValue): HTTP \(status) with \(what); the venue or a proxy in between sent something other than a ticker")
                    }
                    return try quote(scanner, root)
                }
                throw failure(status: status, verdict: verdict, response, venue, buffer)
            }
        }
    }

    /// The error for a non-2xx status, refined by what the body says where the rules allow.
    static func failure(status: Int, verdict: BodyVerdict?, _ response: VenueResponse, _ venue: VenueKind,
                        _ body: UnsafeBufferPointer<UInt8>) -> VenueError {
        let detail = verdict?.message ?? (body.isEmpty ? "empty body" : snippet(body))
        let prefix = "\(venue.rawValue): HTTP \(status)"
        switch status {
        case 429, 418:
            return error(.rateLimited, "\(prefix) rate limited: \(detail)", response, venue)
        case 403 where venue == .bybit:
            return error(.rateLimited, "\(prefix) (Bybit IP rate limit, wait at least 10 minutes): \(detail)", response, venue)
        case 403, 451:
            return error(.other, "\(prefix): access blocked or geo-restricted for this host (\(detail)); the source is quarantined, check the venue's location and IP rules", response, venue)
        case 404:
            return error(.unknownSymbol, "\(prefix) not found: \(detail); check the source's symbol and base_url", response, venue)
        case 408:
            return error(.unavailable, "\(prefix) request timeout: \(detail)", response, venue)
        case 500...599:
            var cls = VenueError.Class.unavailable
            if let v = verdict, v.errorClass == .unknownSymbol || v.errorClass == .rateLimited || v.errorClass == .badRequest {
                cls = v.errorClass
            }
            return error(cls, "\(prefix): \(detail)", response, venue)
        case 400...499:
            var cls = VenueError.Class.badRequest
            if let v = verdict, v.errorClass != .other { cls = v.errorClass }
            return error(cls, "\(prefix): \(detail)", response, venue)
        default:
            return error(.other, "\(prefix) is not an answer oracled understands: \(detail)", response, venue)
        }
    }

    /// Builds the error, attaching `Retry-After` (to rate limits and outages) and the venue's
    /// reset hint (to rate limits).
    static func error(_ cls: VenueError.Class, _ message: String, _ response: VenueResponse, _ venue: VenueKind) -> VenueError {
        var e = VenueError(cls, message)
        if cls == .rateLimited || cls == .unavailable {
            e.retryAfterSeconds = retryAfterSeconds(response)
        }
        if cls == .rateLimited {
            e.resetHintMs = resetHintMs(response, venue)
        }
        return e
    }

    /// `Retry-After` as delta-seconds, or as an HTTP-date relative to the receive time
    /// (never negative). nil when absent or unreadable.
    static func retryAfterSeconds(_ response: VenueResponse) -> Int? {
        guard let raw = response.header("Retry-After") else { return nil }
        let value = raw.venueTrimmed()
        guard !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return value.utf8.count <= 10 ? Int(value) : nil
        }
        guard let dateMs = CivilTime.parseHTTPDate(value) else { return nil }
        let delta = dateMs - response.receivedAtMs
        guard delta > 0 else { return 0 }
        return Int((delta + 999) / 1000)
    }

    /// KuCoin `gw-ratelimit-reset` (milliseconds until reset) and Bybit
    /// `X-Bapi-Limit-Reset-Timestamp` (epoch ms, made relative to the receive time).
    static func resetHintMs(_ response: VenueResponse, _ venue: VenueKind) -> Int64? {
        switch venue {
        case .kucoin:
            guard let v = response.header("gw-ratelimit-reset").flatMap({ Int64($0.venueTrimmed()) }), v >= 0 else { return nil }
            return v
        case .bybit:
            guard let ts = response.header("X-Bapi-Limit-Reset-Timestamp").flatMap({ Int64($0.venueTrimmed()) }) else { return nil }
            return max(0, ts - response.receivedAtMs)
        default:
            return nil
        }
    }

    /// True when the first non-blank byte opens a JSON object or array.
    static func looksLikeJSON(_ body: UnsafeBufferPointer<UInt8>) -> Bool {
        let i = JSONScanner(body).skipWhitespace(0)
        return i < body.count && (body[i] == UInt8(ascii: "{") || body[i] == UInt8(ascii: "["))
    }

    /// The start of a body, printable, for error messages (an HTML page's `<title>` when it
    /// has one: "502 Bad Gateway" says more than "<!DOCTYPE html>").
    static func snippet(_ body: UnsafeBufferPointer<UInt8>) -> String {
        let limit = 160
        let head = UnsafeBufferPointer(rebasing: body[0..<min(body.count, 4096)])
        if let open = find("<title>", in: head, from: 0),
           let close = find("</title>", in: head, from: open + 7) {
            let title = String(decoding: UnsafeBufferPointer(rebasing: head[(open + 7)..<close]), as: UTF8.self)
            return "HTML page '\(title.venueTrimmed())'"
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: head[0..<min(head.count, limit * 4)]), as: UTF8.self)
        var out = ""
        var count = 0
        for ch in text.unicodeScalars {
            if count == limit { out += "…"; break }
            out.unicodeScalars.append(ch.value < 0x20 || ch.value == 0x7F ? " " : ch)
            count += 1
        }
        return out.venueTrimmed()
    }

    /// First index of an ASCII `needle` in `hay`, ignoring ASCII case.
    static func find(_ needle: StaticString, in hay: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let m = needle.utf8CodeUnitCount
        guard m > 0, from >= 0, hay.count >= m, from <= hay.count - m else { return nil }
        let p = needle.utf8Start
        var i = from
        while i <= hay.count - m {
            var k = 0
            while k < m, hay[i + k] | 0x20 == p[k] | 0x20 { k += 1 }
            if k == m { return i }
            i += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Trims spaces, tabs, CR and LF without Foundation's character sets.
    func venueTrimmed() -> String {
        let isWS: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isWS($0) }), let last = lastIndex(where: { !isWS($0) }) else { return "" }
        return String(self[first...last])
    }
}

import CCurl

/// The state of one request while libcurl works on it: the caller's continuation, the buffers the
/// write/header callbacks fill, and curl's error buffer.
///
/// `@unchecked Sendable` because ownership moves exactly once: the calling task builds it and hands
/// it to the loop under the loop's lock (or resumes it itself if it never got there); from then on
/// only the loop thread reads or writes its mutable fields. libcurl receives it as an *unretained*
/// `Unmanaged` pointer (WRITEDATA/HEADERDATA) while the loop's `active` table holds the
/// strong reference, so the pointer cannot dangle and nothing leaks.
final class CurlTransfer: @unchecked Sendable {
    /// Headers beyond this many bytes abort the transfer: a venue cannot grow our memory through headers.
    static let maxHeaderBytes = 256 * 1024

    let id: UInt64
    let request: FetchRequest
    /// Host (and port) from the URL, for error messages; never the path or query.
    let host: String
    private var continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>?

    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var headerBytes = 0
    /// Set by the write callback when it refused data because of `maxBodyBytes`.
    var bodyTooLarge = false
    /// Set by the header callback when the response headers exceeded `maxHeaderBytes`.
    var headersTooLarge = false
    /// The easy handle while the transfer is inside the multi handle.
    var easy: UnsafeMutableRawPointer?
    /// NUL-terminated buffer libcurl writes its detailed error message into (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(id: UInt64, request: FetchRequest,
         continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>) {
        self.id = id
        self.request = request
        self.host = CurlTransfer.host(of: request.url)
        self.continuation = continuation
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        // The loop removes the easy handle (and so curl's pointer to this buffer) before dropping us.
        errorBuffer.deallocate()
        // A transfer dropped without an answer would leave its caller suspended forever.
        if let continuation {
            continuation.resume(returning: .failure(FetchError(.cancelled, "request for \(host) was dropped by the fetch loop")))
        }
    }

    /// Resumes the waiting task; later calls are ignored, so every path may call it safely.
    func finish(_ result: Result<FetchResponse, FetchError>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(returning: result)
    }

    /// Appends body bytes unless that would exceed `maxBodyBytes`; returns false to make curl abort.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.count > request.maxBodyBytes - body.count {
            bodyTooLarge = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Takes one raw header line as libcurl delivers it (status line, `Name: value`, or the blank end).
    /// A new status line starts a new response, so interim 1xx headers are forgotten.
    func appendHeaderLine(_ raw: UnsafeRawBufferPointer) -> Bool {
        headerBytes += raw.count
        if headerBytes > CurlTransfer.maxHeaderBytes {
            headersTooLarge = true
            return false
        }
        let line = raw.bindMemory(to: UInt8.self)
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\r") || line[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end == 0 { return true }
        let bytes = UnsafeBufferPointer(rebasing: line[0..<end])
        if bytes.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return true
        }
        // Obsolete line folding: a continuation line extends the previous header's value.
        if bytes[0] == UInt8(ascii: " ") || bytes[0] == UInt8(ascii: "\t") {
            if let last = headers.popLast() {
                headers.append((last.name, last.value + " " + CurlTransfer.trimmed(bytes[...])))
            }
            return true
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return true }
        let name = CurlTransfer.trimmed(bytes[..<colon])
        let value = CurlTransfer.trimmed(bytes[(colon + 1)...])
        if !name.isEmpty { headers.append((name, value)) }
        return true
    }

    /// The curl error buffer's text, or "" when libcurl left it empty.
    var curlErrorText: String {
        String(cString: errorBuffer)
    }

    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        var lo = bytes.startIndex
        var hi = bytes.endIndex
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        while lo < hi, isSpace(bytes[lo]) { lo += 1 }
        while hi > lo, isSpace(bytes[hi - 1]) { hi -= 1 }
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// `host[:port]` of an absolute URL without userinfo, or the whole string (cut short) if it has
    /// no scheme: error messages must identify the venue but not leak query strings or credentials.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let range = rest.range(of: "://") { rest = rest[range.upperBound...] }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.isEmpty { return "<no host in URL>" }
        return String(rest.prefix(255))
    }
}

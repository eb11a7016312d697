/// Why a fetch produced no HTTP response, with enough context for an operator to act.
///
/// `message` always names the host, so a journal line like
/// `fetch failed (timeout) for api.kraken.com: Operation timed out after 5001 milliseconds …`
/// tells which venue and what happened without the URL's query string (which may carry keys).
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarse enough for the scheduler and metrics. Raw values are stable labels.
    public enum Code: String, Sendable, Equatable, Hashable, CaseIterable {
        /// Connect or total timeout elapsed.
        case timeout
        /// TCP connection refused or unreachable.
        case connectFailed = "connect_failed"
        /// The host name did not resolve.
        case dns
        /// TLS handshake or certificate verification failed.
        case tls
        /// The body (after decoding) or its announced length exceeded `maxBodyBytes`.
        case bodyTooLarge = "body_too_large"
        /// The calling task was cancelled, or the loop shut down before the transfer finished.
        case cancelled
        /// The request itself is unusable (malformed URL, non-HTTP scheme, non-positive limit).
        case invalidRequest = "invalid_request"
        /// Anything else libcurl reported (connection reset, bad encoding, out of memory …).
        case other
    }

    public var code: Code
    /// Human-readable cause: libcurl's error buffer (or our own reason) and the URL's host.
    public var message: String
    /// The raw `CURLcode` when libcurl reported the failure, for logs and bug reports.
    public var curlCode: Int?

    public init(_ code: Code, _ message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String {
        if let curlCode { return "fetch failed (\(code.rawValue), curl \(curlCode)): \(message)" }
        return "fetch failed (\(code.rawValue)): \(message)"
    }
}

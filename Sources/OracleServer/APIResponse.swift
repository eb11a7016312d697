import OracleCore

/// One answer to one `APIRequest`.
///
/// Error bodies across the whole API have one shape, produced by `APIResponse.error`:
///
///     {"error":{"code":"not_found","message":"unknown pair DOGE-USD; see GET /v1/prices"}}
///
/// `code` is a stable snake_case word that scripts can match; `message` is a sentence a person
/// can act on. The transport uses the same shape for its own 400/408/413/431 answers.
public struct APIResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Value of the `Content-Type` header.
    public var contentType: String
    /// Extra response headers (for example `Retry-After`); framing headers are the transport's.
    public var headers: [(String, String)]
    /// The body, complete or streamed.
    public var body: APIBody

    /// Creates a response.
    public init(status: Int, contentType: String, headers: [(String, String)] = [], body: APIBody) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A complete JSON response; `text` must already be JSON.
    public static func json(_ status: Int, _ text: String) -> APIResponse {
        APIResponse(status: status, contentType: "application/json", body: .bytes(Array(text.utf8)))
    }

    /// A complete plain-text response (Prometheus `/metrics` uses `text/plain; version=0.0.4`).
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> APIResponse {
        APIResponse(status: status, contentType: contentType, body: .bytes(Array(text.utf8)))
    }

    /// A streamed NDJSON response: each element should be one JSON document followed by `\n`.
    public static func ndjsonStream(_ stream: AsyncStream<[UInt8]>, status: Int = 200) -> APIResponse {
        APIResponse(status: status, contentType: "application/x-ndjson", body: .stream(stream))
    }

    /// The API's one error shape: `{"error":{"code":CODE,"message":MESSAGE}}`.
    ///
    /// - Parameters:
    ///   - status: HTTP status.
    ///   - message: what went wrong and what to do, for a person.
    ///   - code: stable machine word; defaults to the conventional one for `status`.
    public static func error(_ status: Int, _ message: String, code: String? = nil) -> APIResponse {
        let word = code ?? APIResponse.defaultErrorCode(for: status)
        let text = "{\"error\":{\"code\":\(JSONString.quoted(word)),\"message\":\(JSONString.quoted(message))}}"
        return .json(status, text)
    }

    /// The conventional error word for a status, used when `error(_:_:code:)` gets no code.
    public static func defaultErrorCode(for status: Int) -> String {
        switch status {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 408: "request_timeout"
        case 409: "conflict"
        case 413: "content_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 431: "header_too_large"
        case 503: "unavailable"
        case 500...599: "internal"
        default: "error"
        }
    }
}

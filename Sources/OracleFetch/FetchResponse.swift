import OracleCore

/// A completed HTTP exchange. Any status (including 429 or 500) is a response, not an error:
/// the venue adapter classifies it, because only it knows the venue's error bodies.
public struct FetchResponse: Sendable {
    public var status: Int
    /// Headers of the final response only (interim `1xx` responses are dropped), names as received.
    public var headers: [(name: String, value: String)]
    /// The body after content decoding (gzip/deflate/br), at most the request's `maxBodyBytes`.
    public var body: [UInt8]
    public var timing: FetchTiming
    /// Connections libcurl had to open for this transfer: 0 when a cached connection was reused.
    public var newConnections: Int

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8],
                timing: FetchTiming = FetchTiming(), newConnections: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timing = timing
        self.newConnections = newConnections
    }

    /// The first header with this name, compared case-insensitively (HTTP names are).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The same exchange in the shape the venue parsers take, stamped with the receive time.
    public func venueResponse(receivedAtMs: Int64) -> VenueResponse {
        VenueResponse(status: status, headers: headers, body: body, receivedAtMs: receivedAtMs)
    }
}

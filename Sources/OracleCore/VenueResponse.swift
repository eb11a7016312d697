/// One HTTP response from a venue, as the parsers need it: status, headers, body bytes.
public struct VenueResponse: Sendable {
    public var status: Int
    /// Header names as received; lookups are case-insensitive.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Local receive time in Unix milliseconds (the fallback timestamp for bodies without one).
    public var receivedAtMs: Int64

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8], receivedAtMs: Int64 = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.receivedAtMs = receivedAtMs
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

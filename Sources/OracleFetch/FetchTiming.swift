/// Where the time of one transfer went, in milliseconds since the transfer started.
///
/// Values are cumulative as libcurl reports them (`connectMs` includes `dnsMs`, `tlsMs` includes
/// `connectMs`); a reused connection shows near-zero `dnsMs`/`connectMs`/`tlsMs`. Useful for
/// telling a slow venue from a slow network in `/v1/health` and metrics.
public struct FetchTiming: Sendable, Equatable, Codable {
    /// Name resolution done.
    public var dnsMs: Double
    /// TCP connection established.
    public var connectMs: Double
    /// TLS handshake done (0 for plain HTTP).
    public var tlsMs: Double
    /// First response byte received.
    public var firstByteMs: Double
    /// Whole transfer.
    public var totalMs: Double

    public init(dnsMs: Double = 0, connectMs: Double = 0, tlsMs: Double = 0, firstByteMs: Double = 0, totalMs: Double = 0) {
        self.dnsMs = dnsMs
        self.connectMs = connectMs
        self.tlsMs = tlsMs
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
    }

    enum CodingKeys: String, CodingKey {
        case dnsMs = "dns_ms", connectMs = "connect_ms", tlsMs = "tls_ms"
        case firstByteMs = "first_byte_ms", totalMs = "total_ms"
    }
}

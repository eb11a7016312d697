/// How long notices took from their decision (`created_at`) to being in the spool, as a Prometheus
/// histogram (`oracled_notice_delivery_seconds`): the "notice latency" panel of the Grafana dashboard.
///
/// Why from `created_at`: that is when the desk decided the call; a notice deferred by a full spool,
/// or delivered by another node after a takeover, shows its whole wait, which is what a client
/// waiting for the call experiences. Bounds in seconds: a healthy spool delivers within a poll cycle
/// (tens of ms); minutes mean a deferral.
public struct DeliveryLatency: Sendable, Equatable {
    public static let boundsSeconds: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 60, 300]

    /// Per bound, the observations at or below it (not cumulative across bounds: rendered cumulative).
    public private(set) var counts = [Int](repeating: 0, count: DeliveryLatency.boundsSeconds.count)
    public private(set) var count = 0
    public private(set) var sumSeconds = 0.0

    public init() {}

    /// A negative delay (a wall-clock step between decision and delivery) counts as 0, not as a
    /// nonsense value; one that is not finite cannot arise from integer milliseconds.
    public mutating func observe(ms: Int64) {
        let s = Double(max(0, ms)) / 1000
        count += 1
        sumSeconds += s
        if let i = Self.boundsSeconds.firstIndex(where: { s <= $0 }) { counts[i] += 1 }
    }

    /// Cumulative bucket counts, one per bound, then `+Inf` (= count), as Prometheus wants them.
    public var cumulative: [(le: Double, count: Int)] {
        var running = 0
        var out: [(le: Double, count: Int)] = []
        for (i, b) in Self.boundsSeconds.enumerated() {
            running += counts[i]
            out.append((b, running))
        }
        out.append((.infinity, count))
        return out
    }
}

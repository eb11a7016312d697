import Foundation

/// What a fake venue should do to its answers, set per venue (or for all) through `/_control/fault`.
enum FaultMode: String, CaseIterable, Sendable {
    case ok
    /// −80 % flash crash of this venue's price only.
    case crash
    case http500, http502, http503, http403, http451
    case rate429, ban418
    case html, truncated, empty, huge, slowdrip, hang
    case frozen, stale, future, wrongpair, zero, negative, nan, absurd
}

/// Prices, faults and request counters shared by every connection. Guarded by one lock: the fake
/// venue is test tooling, its contention does not matter.
final class VenueState: @unchecked Sendable {
    private let lock = NSLock()
    /// Canonical pair → price in USD.
    private var prices: [String: Double] = [
        "BTC-USD": 67_000, "ETH-USD": 3_500, "SOL-USD": 150, "USDT-USD": 1.0, "USDC-USD": 1.0,
    ]
    private var faults: [String: FaultMode] = [:]
    private var requests: [String: Int] = [:]
    private var frozen: [String: (Double, Int64)] = [:]
    var retryAfterSeconds = 2
    private var tick: UInt64 = 0

    func setPrice(_ pair: String, _ price: Double) {
        lock.withLock { prices[pair] = price }
    }

    func price(_ pair: String) -> Double? { lock.withLock { prices[pair] } }

    func setFault(venue: String, _ mode: FaultMode) {
        lock.withLock {
            if venue == "all" {
                faults.removeAll()
                if mode != .ok { for v in Venues.all { faults[v] = mode } }
            } else {
                faults[venue] = mode
            }
        }
    }

    func fault(_ venue: String) -> FaultMode { lock.withLock { faults[venue] ?? .ok } }

    func countRequest(_ venue: String) -> Int {
        lock.withLock {
            requests[venue, default: 0] += 1
            tick &+= 1
            return requests[venue]!
        }
    }

    func stats() -> [String: Int] { lock.withLock { requests } }

    func resetStats() { lock.withLock { requests.removeAll() } }

    /// A venue's price for a pair: the shared price, a per-venue offset of a few bps (venues never
    /// agree exactly) and a tiny wiggle so that honest sources keep moving (frozen detection).
    func venuePrice(_ venue: String, _ pair: String, mode: FaultMode, nowMs: Int64) -> (Double, Int64)? {
        lock.withLock {
            guard let base = prices[pair] else { return nil }
            let offsetBps = Double(abs(venue.hashValueStable) % 9) - 4
            let wiggle = Double((nowMs / 250) % 7) - 3
            var p = base * (1 + (offsetBps + wiggle * 0.2) / 10_000)
            if mode == .crash { p *= 0.2 }
            let key = venue + "/" + pair
            if mode == .frozen {
                if let f = frozen[key] { return f }
                frozen[key] = (p, nowMs)
                return (p, nowMs)
            }
            frozen[key] = nil
            return (p, nowMs)
        }
    }
}

extension String {
    /// A hash that is the same in every run (Swift's `hashValue` is seeded per process).
    var hashValueStable: Int {
        var h = 5381
        for b in utf8 { h = (h &* 33) &+ Int(b) }
        return h
    }
}

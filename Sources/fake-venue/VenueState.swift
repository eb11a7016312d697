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
    /// A fault set for a window ends by itself: after `untilMs` (wall clock) or after `requestsLeft`
    /// answers, the venue is `ok` again. Tests use it to schedule faults without racing the daemon.
    private var windows: [String: (untilMs: Int64?, requestsLeft: Int?)] = [:]
    /// The latest requests, oldest first, bounded: (venue, wall-clock ms, HTTP status or 0 for no answer,
    /// fault mode it was answered in).
    private var log: [(venue: String, ms: Int64, status: Int, mode: FaultMode)] = []
    static let logCapacity = 50_000
    private var requests: [String: Int] = [:]
    private var frozen: [String: (Double, Int64)] = [:]
    var retryAfterSeconds = 2
    /// Off: every venue answers the shared price plus its static offset only, so marks are exact and
    /// a test can compute what the daemon sees (`/_control/wiggle?on=0`).
    private var wiggleOn = true
    private var tick: UInt64 = 0
    /// Digits of the synthetic pair names (`--synthetic-pairs`); 4 when there are none.
    private(set) var syntheticWidth = 4
    private(set) var syntheticCount = 0

    /// Lists `count` synthetic pairs (see `Synthetic`) at their fixed prices.
    func addSynthetic(count: Int) {
        lock.withLock {
            syntheticCount = count
            syntheticWidth = Synthetic.width(count)
            for i in stride(from: 1, through: count, by: 1) {
                prices[Synthetic.base(i, width: syntheticWidth) + "-USD"] = Synthetic.price(i)
            }
        }
    }

    /// The base assets the fake lists (every priced pair is `BASE-USD`), sorted.
    func bases() -> [String] {
        lock.withLock { prices.keys.compactMap { $0.hasSuffix("-USD") ? String($0.dropLast(4)) : nil }.sorted() }
    }

    func setPrice(_ pair: String, _ price: Double) {
        lock.withLock { prices[pair] = price }
    }

    func price(_ pair: String) -> Double? { lock.withLock { prices[pair] } }

    /// Sets a venue's fault (or every venue's for "all"); with `seconds` and/or `requests` the fault
    /// lasts only that long / that many answers, then the venue is healthy again.
    func setFault(venue: String, _ mode: FaultMode, seconds: Double? = nil, requests: Int? = nil) {
        lock.withLock {
            let until = seconds.map { Int64(Date().timeIntervalSince1970 * 1000) + Int64($0 * 1000) }
            let targets = venue == "all" ? Venues.all : [venue]
            if venue == "all" { faults.removeAll(); windows.removeAll() }
            for v in targets {
                faults[v] = mode == .ok ? nil : mode
                windows[v] = (mode == .ok || (until == nil && requests == nil)) ? nil : (until, requests)
            }
        }
    }

    func setWiggle(_ on: Bool) { lock.withLock { wiggleOn = on } }

    func fault(_ venue: String) -> FaultMode { lock.withLock { currentFault(venue, consume: false) } }

    /// The fault for one incoming request: expires timed windows and uses up counted ones.
    func faultForRequest(_ venue: String) -> FaultMode { lock.withLock { currentFault(venue, consume: true) } }

    private func currentFault(_ venue: String, consume: Bool) -> FaultMode {
        guard let mode = faults[venue] else { return .ok }
        if let w = windows[venue] {
            if let until = w.untilMs, Int64(Date().timeIntervalSince1970 * 1000) >= until {
                faults[venue] = nil
                windows[venue] = nil
                return .ok
            }
            if let left = w.requestsLeft {
                if left <= 0 { faults[venue] = nil; windows[venue] = nil; return .ok }
                if consume { windows[venue] = (w.untilMs, left - 1) }
            }
        }
        return mode
    }

    /// Records one venue request's outcome in the bounded log `/_control/log` serves.
    func logRequest(_ venue: String, status: Int, mode: FaultMode) {
        lock.withLock {
            if log.count >= Self.logCapacity { log.removeFirst(log.count / 2) }
            log.append((venue, Int64(Date().timeIntervalSince1970 * 1000), status, mode))
        }
    }

    /// `[[ms, status, "mode", "venue"], …]` for one venue (or all when nil), oldest first, as JSON.
    func logJSON(venue: String?) -> String {
        lock.withLock {
            let rows = log.filter { venue == nil || $0.venue == venue }
            return "[" + rows.map { "[\($0.ms),\($0.status),\"\($0.mode.rawValue)\",\"\($0.venue)\"]" }.joined(separator: ",") + "]"
        }
    }

    func countRequest(_ venue: String) -> Int {
        lock.withLock {
            requests[venue, default: 0] += 1
            tick &+= 1
            return requests[venue]!
        }
    }

    func stats() -> [String: Int] { lock.withLock { requests } }

    func resetStats() { lock.withLock { requests.removeAll(); log.removeAll() } }

    /// A venue's price for a pair: the shared price, a per-venue offset of a few bps (venues never
    /// agree exactly) and a tiny wiggle so that honest sources keep moving (frozen detection).
    func venuePrice(_ venue: String, _ pair: String, mode: FaultMode, nowMs: Int64) -> (Double, Int64)? {
        lock.withLock {
            guard let base = prices[pair] else { return nil }
            if Synthetic.isSynthetic(String(pair.prefix { $0 != "-" })) {
                // Exact prices, no per-venue offset, one common tick (see `Synthetic.tick`).
                let p = base * Synthetic.tick(nowMs: nowMs)
                return (mode == .crash ? p * 0.2 : p, nowMs)
            }
            let offsetBps = Double(abs(venue.hashValueStable) % 9) - 4
            let wiggle = wiggleOn ? Double((nowMs / 250) % 7) - 3 : 0
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

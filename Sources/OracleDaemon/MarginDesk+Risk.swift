import OracleCore
import OracleStore

extension MarginDesk {
    /// One history point per pair per `history_interval`: the first mark in each interval slot.
    /// At each new slot the risk snapshot is rebuilt and VaR calibration is checked against the move.
    func recordHistory(pair: String, price: Double, atMs: Int64) {
        let interval = universe.policy.historyIntervalMs
        let slot = atMs / interval
        guard lastHistorySlot[pair] != slot else { return }
        lastHistorySlot[pair] = slot
        history.record(pair: pair, price: price, atMs: atMs)
        do {
            try db.appendHistory([(pair: pair, tsMs: slot * interval, price: DecimalText.format(price, maxFractionDigits: 10))])
        } catch {
            logger.error("cannot store mark history", metadata: ["pair": "\(pair)", "error": "\(error)"])
        }
        observeCalibration(pair: pair, price: price, atMs: atMs)
        refreshRisk()
    }

    func refreshRisk() {
        guard universe.policy.model == .portfolio else {
            risk = nil
            return
        }
        let pairs = universe.pairs.keys.sorted().filter { !history.alignedReturns(pairs: [$0]).isEmpty }
        risk = pairs.isEmpty ? nil : RiskSnapshot(history: history, pairs: pairs, policy: universe.policy)
    }

    /// `oraclectl history import FILE.csv`: `pair,timestamp,price` lines (timestamp in Unix s or ms, or RFC 3339).
    public func importHistory(csv: String) throws(ImportError) -> Int {
        var points: [(pair: String, tsMs: Int64, price: String)] = []
        for (i, raw) in csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || (i == 0 && line.lowercased().hasPrefix("pair")) { continue }
            let cols = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cols.count == 3 else { throw ImportError(line: i + 1, "expected 3 columns pair,timestamp,price, got \(cols.count)") }
            guard universe.pairs[cols[0]] != nil else {
                throw ImportError(line: i + 1, "unknown pair \"\(cols[0])\"; configured pairs: \(universe.knownPairs.joined(separator: ", "))")
            }
            guard let ts = Self.parseTimestamp(cols[1]) else {
                throw ImportError(line: i + 1, "timestamp \"\(cols[1])\" is not Unix seconds/milliseconds or RFC 3339")
            }
            guard let p = DecimalText.parse(cols[2]), p.isFinite, p > 0 else {
                throw ImportError(line: i + 1, "price \"\(cols[2])\" is not a positive decimal")
            }
            points.append((cols[0], ts, cols[2]))
        }
        points.sort { $0.tsMs < $1.tsMs }
        do { try db.appendHistory(points) } catch { throw ImportError(line: 0, "\(error)") }
        for p in points { history.record(pair: p.pair, price: Double(p.price) ?? 0, atMs: p.tsMs) }
        refreshRisk()
        evaluate(Array(accounts.keys), nowMs: WallClock.nowMs(), sweep: false)
        return points.count
    }

    static func parseTimestamp(_ s: String) -> Int64? {
        if let v = Int64(s) { return v < 100_000_000_000 ? v * 1000 : v }
        // RFC 3339 "2024-03-25T08:45:00Z" / with fraction.
        let u = Array(s.utf8)
        guard u.count >= 20, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 32, u[13] == 58, u[16] == 58 else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? { Int(String(decoding: u[a..<b], as: UTF8.self)) }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16), let se = num(17, 19) else { return nil }
        var ms = 0
        if u[19] == 46 {
            var k = 20, digits = 0
            while k < u.count, u[k] >= 48, u[k] <= 57 { if digits < 3 { ms = ms * 10 + Int(u[k] - 48); digits += 1 }; k += 1 }
            while digits < 3 { ms *= 10; digits += 1 }
        }
        return RFC3339.unixMs(year: y, month: mo, day: d, hour: h, minute: mi, second: se, millis: ms)
    }
}

/// A rejected import line: nothing of the import was stored.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

import OracleCore
import OracleStore

extension MarginDesk {
    /// Key under which a pair's daily closes are stored beside its intraday points (`BTC-USD@1d`).
    static func dailyKey(_ pair: String) -> String { pair + "@1d" }

    /// One history point per pair per `history_interval`: the first mark in each interval slot, and
    /// the day's latest mark as that day's close in the daily series (both stored).
    /// At each new slot VaR calibration is checked against the move. Returns whether a new slot was
    /// recorded, so that the caller rebuilds the risk view once per mark update, not once per pair.
    @discardableResult
    func recordHistory(pair: String, price: Double, atMs: Int64) -> Bool {
        let interval = universe.policy.historyIntervalMs
        let slot = atMs / interval
        guard lastHistorySlot[pair] != slot else { return false }
        lastHistorySlot[pair] = slot
        history.record(pair: pair, price: price, atMs: atMs)
        let day = MarkHistory.slot(atMs, MarkHistory.dayMs) * MarkHistory.dayMs
        do {
            try db.appendHistory([(pair: pair, tsMs: slot * interval, price: DecimalText.format(price, maxFractionDigits: 10)),
                                  (pair: Self.dailyKey(pair), tsMs: day, price: DecimalText.format(price, maxFractionDigits: 10))])
        } catch {
            logger.error("cannot store mark history", metadata: ["pair": "\(pair)", "error": "\(error)"])
        }
        observeCalibration(pair: pair, price: price, atMs: atMs)
        return true
    }

    /// Rebuilds the risk view: per-pair volatility for the add-ons (both models) and, under the
    /// portfolio model, one snapshot per distinct pair set of the accounts (item 7 of issue 8: each
    /// account's returns are aligned over its own pairs only).
    func refreshRisk(universe: MarginUniverse? = nil) {
        let universe = universe ?? self.universe
        let policy = universe.policy
        let pairs = universe.pairs.keys.sorted()
        var sets = Set<[String]>()
        if policy.model == .portfolio {
            let model = MarginModel(universe: universe)
            for a in accounts.values { sets.insert(model.riskPairs(a)) }
        }
        risk = RiskBook(history: history, policy: policy, pairSets: sets, pairs: pairs)
    }

    /// Intraday points and daily closes from SQLite: the daily series first, then the intraday
    /// points (whose last price in a day is that day's latest close).
    func loadHistory() throws {
        let stored = Set(try db.historyPairs())
        for pair in universe.pairs.keys.sorted() {
            if stored.contains(Self.dailyKey(pair)) {
                for point in try db.history(pair: Self.dailyKey(pair), limit: history.dailyCapacity) {
                    if let p = Double(point.price) { history.recordDaily(pair: pair, price: p, atMs: point.tsMs) }
                }
            }
            if stored.contains(pair) {
                for point in try db.history(pair: pair, limit: history.capacity) {
                    if let p = Double(point.price) { history.record(pair: pair, price: p, atMs: point.tsMs) }
                }
            }
        }
        refreshRisk()
    }

    /// `oraclectl history import FILE.csv`: `pair,timestamp,price` lines (timestamp in Unix s or ms, or
    /// RFC 3339 with `Z` or a `±hh:mm` offset). Any resolution: points feed both the intraday and
    /// the daily series, so daily closes with a 1-minute `history_interval` still give daily returns.
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
                throw ImportError(line: i + 1, "timestamp \"\(cols[1])\" is not Unix seconds/milliseconds or RFC 3339 (e.g. 2024-03-25T08:45:00Z or 2024-03-25T10:45:00+02:00)")
            }
            guard let p = DecimalText.parse(cols[2]), p.isFinite, p > 0 else {
                throw ImportError(line: i + 1, "price \"\(cols[2])\" is not a positive decimal")
            }
            points.append((cols[0], ts, cols[2]))
        }
        points.sort { $0.tsMs < $1.tsMs }
        var updated = history
        for p in points { updated.record(pair: p.pair, price: Double(p.price) ?? 0, atMs: p.tsMs) }
        var daily: [(pair: String, tsMs: Int64, price: String)] = []
        for pair in Set(points.map(\.pair)) {
            for c in updated.dailyCloses(pair: pair) {
                daily.append((Self.dailyKey(pair), c.atMs, DecimalText.format(c.price, maxFractionDigits: 10)))
            }
        }
        do { try db.appendHistory(points + daily) } catch { throw ImportError(line: 0, "\(error)") }
        history = updated
        refreshRisk()
        evaluate(Array(accounts.keys), nowMs: WallClock.steadyNowMs(), sweep: false)
        return points.count
    }

    /// Unix seconds or milliseconds, or RFC 3339: `2024-03-25T08:45:00Z`, with an optional
    /// fraction, and a `Z`/`z` or `±hh:mm` offset (a local time is converted to UTC by subtracting
    /// its offset). A date-time without an offset is refused rather than guessed as UTC.
    static func parseTimestamp(_ s: String) -> Int64? {
        if let v = Int64(s) { return v < 100_000_000_000 ? v * 1000 : v }
        let u = Array(s.utf8)
        guard u.count >= 20, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 116 || u[10] == 32, u[13] == 58, u[16] == 58 else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            guard u[a..<b].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(String(decoding: u[a..<b], as: UTF8.self))
        }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16), let se = num(17, 19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se <= 60 else { return nil }
        var ms = 0
        var k = 19
        if u[k] == 46 {
            k += 1
            var digits = 0
            while k < u.count, u[k] >= 48, u[k] <= 57 { if digits < 3 { ms = ms * 10 + Int(u[k] - 48) }; digits += 1; k += 1 }
            guard digits > 0 else { return nil }
            while digits < 3 { ms *= 10; digits += 1 }
        }
        guard k < u.count else { return nil }
        var offsetMinutes = 0
        if u[k] == 90 || u[k] == 122 { // Z
            guard k + 1 == u.count else { return nil }
        } else if u[k] == 43 || u[k] == 45 { // + or -
            guard k + 6 == u.count, u[k + 3] == 58, let oh = num(k + 1, k + 3), let om = num(k + 4, k + 6), oh < 24, om < 60 else { return nil }
            offsetMinutes = (oh * 60 + om) * (u[k] == 45 ? -1 : 1)
        } else {
            return nil
        }
        let local = RFC3339.unixMs(year: y, month: mo, day: d, hour: h, minute: mi, second: se, millis: ms)
        return local - Int64(offsetMinutes) * 60_000
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

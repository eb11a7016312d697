/// A price history file, `pair,timestamp,price` per line, as `oracled backtest` and
/// `oraclectl history import` read it: an optional header line starting with `pair`, blank lines
/// and `#` comments skipped, timestamps per `HistoryTimestamp`, prices positive decimals.
public enum PriceHistoryCSV {
    /// One price of one pair at one instant.
    public struct Point: Sendable, Equatable {
        public var pair: String
        public var timeMs: Int64
        public var price: Double

        public init(pair: String, timeMs: Int64, price: Double) {
            self.pair = pair
            self.timeMs = timeMs
            self.price = price
        }
    }

    /// A rejected line, named by file and line with what to write instead.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// Parses `text`; `knownPairs` (when given) rejects pairs the configuration does not define.
    /// The points come back sorted by time (stable: equal times keep file order).
    public static func parse(_ text: String, file: String, knownPairs: Set<String>? = nil) throws(ParseError) -> [Point] {
        var out: [Point] = []
        var lineNo = 0
        // "\r\n" is one Character in Swift: split on both, so files saved on Windows read the same.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNo += 1
            let line = raw.trimmingASCIIWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if out.isEmpty, line.lowercased().hasPrefix("pair") { continue }
            let cols = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingASCIIWhitespace() }
            guard cols.count == 3 else {
                throw ParseError(file: file, line: lineNo, message: "expected 3 columns pair,timestamp,price, got \(cols.count); write e.g. BTC-USD,2024-03-25T00:00:00Z,67210.5")
            }
            let pair = String(cols[0])
            if let knownPairs, !knownPairs.contains(pair) {
                throw ParseError(file: file, line: lineNo, message: "unknown pair \"\(pair)\"; configured pairs: \(knownPairs.sorted().joined(separator: ", ")) (add a [[pair]] to the config or drop the line)")
            }
            guard let ts = HistoryTimestamp.parseMs(cols[1]) else {
                throw ParseError(file: file, line: lineNo, message: "timestamp \"\(cols[1])\" is not Unix seconds/milliseconds or RFC 3339 (2024-03-25T00:00:00Z)")
            }
            guard let price = DecimalText.parse(String(cols[2])), price.isFinite, price > 0 else {
                throw ParseError(file: file, line: lineNo, message: "price \"\(cols[2])\" is not a positive decimal")
            }
            out.append(Point(pair: pair, timeMs: ts, price: price))
        }
        var sorted = true
        for i in out.indices.dropFirst() where out[i].timeMs < out[i - 1].timeMs { sorted = false; break }
        if !sorted {
            out = out.enumerated().sorted { ($0.element.timeMs, $0.offset) < ($1.element.timeMs, $1.offset) }.map(\.element)
        }
        return out
    }
}

extension StringProtocol {
    /// Without Foundation: spaces, tabs and CR at both ends.
    func trimmingASCIIWhitespace() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return Substring(s)
    }
}

/// Parses oracles.toml durations: a number and a unit, `250ms`, `30s`, `1.5m`, `1h`.
///
/// A unit is mandatory because a bare `30` is ambiguous (seconds? milliseconds?) and the cost of
/// guessing wrong is a staleness window a thousand times too wide. Results are milliseconds, the
/// unit every policy type in OracleCore uses.
enum ConfigDuration {
    /// The longest duration accepted anywhere (400 days); longer values are typos and would
    /// overflow arithmetic on millisecond timestamps.
    static let maxMilliseconds: Int64 = 400 * 86_400_000

    private static let units: [(suffix: String, ms: Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]

    /// Milliseconds, or a message saying what to write instead.
    static func milliseconds(from text: String) -> Result<Int64, ConfigValueError> {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else {
            return .failure(ConfigValueError("empty duration; write a number with a unit, e.g. \"30s\""))
        }
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "_")) }
            ?? trimmed.endIndex
        let numberText = trimmed[..<numberEnd].replacingUnderscores()
        let unit = String(trimmed[numberEnd...]).trimmingSpaces()
        guard let number = Double(numberText), number.isFinite else {
            return .failure(ConfigValueError("\"\(text)\" is not a duration; write a number with a unit: ms, s, m or h (e.g. \"30s\")"))
        }
        guard !unit.isEmpty else {
            return .failure(ConfigValueError("\"\(text)\" has no unit; add one: ms, s, m or h (e.g. \"\(numberText)s\")"))
        }
        guard let factor = units.first(where: { $0.suffix == unit })?.ms else {
            return .failure(ConfigValueError("unknown unit \"\(unit)\" in \"\(text)\"; use ms, s, m or h (e.g. \"30s\")"))
        }
        guard number >= 0 else {
            return .failure(ConfigValueError("\"\(text)\" is negative; durations must be positive"))
        }
        let ms = (number * factor).rounded()
        guard ms <= Double(maxMilliseconds) else {
            return .failure(ConfigValueError("\"\(text)\" is too long; the limit is 400 days"))
        }
        if ms == 0 && number > 0 {
            return .failure(ConfigValueError("\"\(text)\" is shorter than 1ms, the resolution of durations"))
        }
        return .success(Int64(ms))
    }
}

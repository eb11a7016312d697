import TOMLKit

/// Reads typed values out of one TOML table, reporting every problem with its line and key.
///
/// Values are read straight from the `TOMLTable` rather than through `Decodable` because
/// TOMLKit's decoder will not turn an integer into a `Double` (`warn_ratio = 2` must work) and
/// its errors carry no line. Every accessor marks its key as seen; `finish(known:)` then
/// reports the keys nobody asked for, which is how typos like `min_source` are caught.
///
/// Accessors return nil when a key is absent or invalid (after reporting), so decoding goes on
/// and one run finds every problem in the file.
final class TableReader {
    let table: TOMLTable
    /// Line-index path of this table (`daemon`, `pair[2]`, `pair[2].sources[0]`).
    let path: String
    /// Section label in messages (`[daemon]`, `[[pair]] BTC-USD`).
    let section: String
    /// Prefix of keys in messages, for inline tables nested in a section (`sources[1].`).
    let keyPrefix: String
    let diagnostics: ConfigDiagnostics
    private var seen: Set<String> = []

    init(table: TOMLTable, path: String, section: String, keyPrefix: String = "", diagnostics: ConfigDiagnostics) {
        self.table = table
        self.path = path
        self.section = section
        self.keyPrefix = keyPrefix
        self.diagnostics = diagnostics
    }

    /// A reader for a table nested under `key` (an inline table or element), sharing this section's label.
    func nested(_ table: TOMLTable, pathSuffix: String, keyPrefix: String) -> TableReader {
        TableReader(table: table, path: path + pathSuffix, section: section,
                    keyPrefix: self.keyPrefix + keyPrefix, diagnostics: diagnostics)
    }

    // MARK: Reporting

    func report(_ code: ConfigError.Code, _ key: String, _ message: String) {
        diagnostics.report(code, path: keyPath(key), section: section, key: keyPrefix + key, message)
    }

    /// A problem with the table as a whole (reported on its header line).
    func reportTable(_ code: ConfigError.Code, _ message: String) {
        let key = keyPrefix.hasSuffix(".") ? String(keyPrefix.dropLast()) : keyPrefix
        diagnostics.report(code, path: path, section: section, key: key, message)
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    // MARK: Raw access

    func has(_ key: String) -> Bool { table[key] != nil }

    /// The raw value, marking the key as seen.
    func value(_ key: String) -> TOMLValueConvertible? {
        seen.insert(key)
        return table[key]
    }

    private func wrongType(_ key: String, _ value: TOMLValueConvertible, expected: String, example: String) {
        report(.wrongType, key, "expected \(expected), found \(Self.describe(value)); write e.g. \(key) = \(example)")
    }

    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a floating-point number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        case .date, .time, .dateTime: return "a date/time"
        }
    }

    // MARK: Typed accessors (nil when absent or invalid)

    func string(_ key: String, example: String = "\"...\"") -> String? {
        guard let v = value(key) else { return nil }
        guard v.type == .string, let s = v.string else {
            wrongType(key, v, expected: "a string", example: example)
            return nil
        }
        return s
    }

    /// A number; integers are accepted and converted, since `ratio = 2` means `2.0` to every reader.
    func double(_ key: String, example: String = "1.5") -> Double? {
        guard let v = value(key) else { return nil }
        if v.type == .double, let d = v.double {
            guard d.isFinite else {
                report(.invalidValue, key, "\(d) is not a usable number; write a finite value, e.g. \(key) = \(example)")
                return nil
            }
            return d
        }
        if v.type == .int, let i = v.int { return Double(i) }
        wrongType(key, v, expected: "a number", example: example)
        return nil
    }

    /// A whole number; `10.0` is refused rather than silently truncated from something like `10.5`.
    func integer(_ key: String, example: String = "3") -> Int? {
        guard let v = value(key) else { return nil }
        if v.type == .int, let i = v.int { return i }
        wrongType(key, v, expected: "a whole number", example: example)
        return nil
    }

    func bool(_ key: String) -> Bool? {
        guard let v = value(key) else { return nil }
        if v.type == .bool, let b = v.bool { return b }
        wrongType(key, v, expected: "true or false", example: "true")
        return nil
    }

    /// Milliseconds from a string with a unit; a bare number is refused with a hint to add one.
    func durationMs(_ key: String) -> Int64? {
        guard let v = value(key) else { return nil }
        if v.type == .int || v.type == .double {
            let shown = v.int.map(String.init) ?? v.double.map { "\($0)" } ?? "?"
            report(.wrongType, key, "\(shown) has no unit; durations are strings with a unit, e.g. \(key) = \"\(shown)s\" (ms, s, m or h)")
            return nil
        }
        guard v.type == .string, let s = v.string else {
            wrongType(key, v, expected: "a duration string", example: "\"30s\"")
            return nil
        }
        switch ConfigDuration.milliseconds(from: s) {
        case .success(let ms): return ms
        case .failure(let error):
            report(.invalidValue, key, error.message)
            return nil
        }
    }

    /// Bytes from an integer or a string with a unit (`"256KiB"`).
    func byteCount(_ key: String) -> Int? {
        guard let v = value(key) else { return nil }
        if v.type == .int, let i = v.int { return i }
        guard v.type == .string, let s = v.string else {
            wrongType(key, v, expected: "a size in bytes", example: "\"256KiB\"")
            return nil
        }
        switch ConfigByteSize.bytes(from: s) {
        case .success(let bytes): return bytes
        case .failure(let error):
            report(.invalidValue, key, error.message)
            return nil
        }
    }

    func table(_ key: String) -> TOMLTable? {
        guard let v = value(key) else { return nil }
        guard v.type == .table, let t = v.table else {
            wrongType(key, v, expected: "a table", example: "{ ... }")
            return nil
        }
        return t
    }

    func array(_ key: String, example: String = "[ ... ]") -> TOMLArray? {
        guard let v = value(key) else { return nil }
        guard v.type == .array, let a = v.array else {
            wrongType(key, v, expected: "an array", example: example)
            return nil
        }
        return a
    }

    // MARK: Checked accessors with defaults

    func double(_ key: String, default fallback: Double, _ bound: Bound) -> Double {
        guard let d = double(key) else { return fallback }
        return check(key, d, bound) ? d : fallback
    }

    func integer(_ key: String, default fallback: Int, _ bound: Bound) -> Int {
        guard let i = integer(key) else { return fallback }
        return check(key, Double(i), bound, shown: "\(i)") ? i : fallback
    }

    /// A duration that must be positive (or zero when `allowZero`).
    func duration(_ key: String, default fallback: Int64, allowZero: Bool = false) -> Int64 {
        guard let ms = durationMs(key) else { return fallback }
        if ms == 0 && !allowZero {
            report(.invalidValue, key, "must be longer than 0; write e.g. \(key) = \"30s\"")
            return fallback
        }
        return ms
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E) -> E where E.RawValue == String {
        let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let example = E.allCases.first.map { "\"\($0.rawValue)\"" } ?? "\"\""
        guard let s = string(key, example: example) else { return fallback }
        guard let e = E(rawValue: s) else {
            report(.invalidValue, key, "unknown value \"\(s)\"; use one of \(allowed)")
            return fallback
        }
        return e
    }

    /// Reports and returns false when `value` is outside `bound`.
    @discardableResult
    func check(_ key: String, _ value: Double, _ bound: Bound, shown: String? = nil) -> Bool {
        if bound.contains(value) { return true }
        report(.invalidValue, key, "\(key) = \(shown ?? Self.format(value)) is out of range; it must be \(bound.text)")
        return false
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    // MARK: Unknown keys

    /// Reports every key of this table that no accessor read, suggesting the closest known key.
    func finish(known: [String]) {
        for key in table.keys where !seen.contains(key) && !known.contains(key) {
            if let suggestion = KeySuggestion.closest(to: key, in: known) {
                report(.unknownKey, key, "unknown key; did you mean \(suggestion)?")
            } else if let home = ConfigKeys.home(of: key), home != section {
                report(.unknownKey, key, "not allowed here; \(key) belongs in \(home), so move it below that header")
            } else {
                report(.unknownKey, key, "unknown key; known keys here are \(known.joined(separator: ", "))")
            }
        }
    }
}

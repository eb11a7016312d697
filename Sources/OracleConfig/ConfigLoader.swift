import Foundation
import TOMLKit

/// Reads oracles.toml into an `OracleConfiguration`, or explains every problem in it.
///
/// Used by `oracled run` at start-up and on SIGHUP (a rejected reload keeps the running
/// configuration), and by `oracled check-config`, whose output is `ConfigError.description`.
public enum ConfigLoader {
    /// Reads and parses the file at `path`. Messages name the path exactly as given.
    public static func load(path: String) throws(ConfigError) -> OracleConfiguration {
        try parse(readText(path), file: path)
    }

    /// Parses TOML text; `file` labels the messages (usually the path it came from).
    public static func parse(_ text: String, file: String) throws(ConfigError) -> OracleConfiguration {
        try parseWithWarnings(text, file: file).configuration
    }

    /// `load`, plus what `oracled check-config` warns about in a configuration that is valid.
    public static func check(path: String) throws(ConfigError) -> (configuration: OracleConfiguration, warnings: [ConfigWarning]) {
        try parseWithWarnings(readText(path), file: path)
    }

    /// `parse`, plus the warnings (see `ConfigAdvisor`).
    public static func parseWithWarnings(_ text: String, file: String) throws(ConfigError)
        -> (configuration: OracleConfiguration, warnings: [ConfigWarning]) {
        // TOMLKit hands the text to C++ as a C string, which would silently end at a NUL byte.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ConfigError(code: .syntax, file: file, line: line, key: "",
                              message: "contains a NUL byte; save the file as plain UTF-8 text")
        }
        if let bad = TableHeaderGuard.firstUnparseableHeader(in: text) {
            throw ConfigError(code: .syntax, file: file, line: bad.line, key: "",
                              message: "table header \(bad.header) must start with a key name (letters, digits, _ or -, or a quoted key); "
                                + "write it like [daemon] or [[source]]")
        }
        if let bad = TableHeaderGuard.firstMismatchedBracket(in: text) {
            throw ConfigError(code: .syntax, file: file, line: bad.line, key: "",
                              message: "'\(bad.found)' closes a value opened with '\(bad.open)'; "
                                + "arrays are [a, b] and inline tables {key = value}")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(code: .syntax, file: file, line: error.source.begin.line, key: "",
                              message: "TOML syntax error at column \(error.source.begin.column): \(error.description); "
                                + "fix the syntax there (strings need quotes, arrays of tables use [[double brackets]])")
        } catch {
            throw ConfigError(code: .syntax, file: file, line: nil, key: "",
                              message: "TOML parser failed: \(error); check the file is valid TOML")
        }
        let diagnostics = ConfigDiagnostics(file: file, lines: SourceLineIndex(text: text))
        let configuration = ConfigDecoder(root: root, diagnostics: diagnostics).decode()
        guard diagnostics.isEmpty else { throw diagnostics.error }
        let warnings = ConfigAdvisor(configuration: configuration, root: root, lines: diagnostics.lines, file: file).warnings()
        return (configuration, warnings)
    }

    private static func readText(_ path: String) throws(ConfigError) -> String {
        func unreadable(_ message: String) -> ConfigError {
            ConfigError(code: .unreadable, file: path, line: nil, key: "", message: message)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable("no such file; pass the path of oracles.toml (e.g. --config /etc/oracled/oracles.toml)")
        }
        guard !isDirectory.boolValue else {
            throw unreadable("is a directory; pass the path of the oracles.toml file inside it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw unreadable("cannot be read; check that the user running oracled may read it (owner and mode)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw unreadable("is not UTF-8 text; save it as UTF-8")
        }
        return text
    }
}

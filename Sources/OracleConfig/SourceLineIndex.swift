/// Line numbers of every table header, key and array element in a TOML text.
///
/// TOMLKit reports lines only for syntax errors; once a document parses, its values carry no
/// position. Every validation message must still name a line, so this scanner walks the text
/// once and records where each key starts, under a path that mirrors how the decoder walks
/// the parsed tables:
///
///     [daemon]                 daemon
///     poll_interval = "1s"     daemon.poll_interval
///     [[pair]]   (third one)   pair[2]
///     sources = [              pair[2].sources
///       { source = "x" },      pair[2].sources[0], pair[2].sources[0].source
///
/// It runs only on text TOMLKit has already accepted, so it can be lenient: anything it does
/// not understand is skipped one byte at a time, and it never traps on any input.
struct SourceLineIndex: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.run()
        lines = scanner.lines
    }

    /// The line of `path`, or of its nearest recorded ancestor (a missing key is reported on its
    /// table's header line).
    func line(for path: String) -> Int? {
        var current = Substring(path)
        while true {
            if let line = lines[String(current)] { return line }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            current = current[..<cut]
        }
    }

    /// The line of exactly `path`, without falling back to an ancestor.
    func exactLine(for path: String) -> Int? { lines[path] }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lines: [String: Int] = [:]
        var currentTable = ""
        /// How many `[[name]]` headers were seen per resolved path, to number array-of-tables elements.
        var arrayCounts: [String: Int] = [:]

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // A UTF-8 byte-order mark is not part of the first key.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        private var atEnd: Bool { i >= bytes.count }
        private func peek(_ offset: Int = 0) -> UInt8? {
            let j = i + offset
            return j < bytes.count ? bytes[j] : nil
        }

        private mutating func advance() {
            if i < bytes.count {
                if bytes[i] == UInt8(ascii: "\n") { line += 1 }
                i += 1
            }
        }

        private mutating func skipSpaces() {
            while let c = peek(), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { advance() }
        }

        private mutating func skipComment() {
            guard peek() == UInt8(ascii: "#") else { return }
            while let c = peek(), c != UInt8(ascii: "\n") { advance() }
        }

        /// Spaces, newlines and comments (between statements and inside arrays).
        private mutating func skipTrivia() {
            while let c = peek() {
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") {
                    advance()
                } else if c == UInt8(ascii: "#") {
                    skipComment()
                } else {
                    return
                }
            }
        }

        private mutating func skipRestOfLine() {
            while let c = peek(), c != UInt8(ascii: "\n") { advance() }
        }

        private mutating func record(_ path: String, _ line: Int) {
            if lines[path] == nil { lines[path] = line }
        }

        private static func join(_ base: String, _ key: String) -> String {
            base.isEmpty ? key : base + "." + key
        }

        mutating func run() {
            while true {
                skipTrivia()
                guard let c = peek() else { return }
                let start = i
                if c == UInt8(ascii: "[") {
                    header()
                } else {
                    keyValue(base: currentTable)
                }
                skipSpaces()
                skipComment()
                if peek() != nil && peek() != UInt8(ascii: "\n") { skipRestOfLine() }
                if i == start { advance() }
            }
        }

        private mutating func header() {
            let headerLine = line
            advance()
            let isArray = peek() == UInt8(ascii: "[")
            if isArray { advance() }
            let components = keyPath()
            skipSpaces()
            if peek() == UInt8(ascii: "]") { advance() }
            if isArray, peek() == UInt8(ascii: "]") { advance() }
            guard !components.isEmpty else { return }

            var resolved = ""
            for (n, component) in components.enumerated() {
                resolved = Self.join(resolved, component)
                let isLast = n == components.count - 1
                if isLast && isArray {
                    let index = arrayCounts[resolved, default: 0]
                    arrayCounts[resolved] = index + 1
                    record(resolved, headerLine)
                    resolved += "[\(index)]"
                } else if let count = arrayCounts[resolved], count > 0 {
                    resolved += "[\(count - 1)]"
                }
            }
            record(resolved, headerLine)
            currentTable = resolved
        }

        /// `key = value` (also inside inline tables), recording the key and any dotted prefixes.
        private mutating func keyValue(base: String) {
            let keyLine = line
            let components = keyPath()
            skipSpaces()
            guard !components.isEmpty, peek() == UInt8(ascii: "=") else { return }
            advance()
            var path = base
            for component in components {
                path = Self.join(path, component)
                record(path, keyLine)
            }
            value(path: path)
        }

        /// Dotted key: bare, "basic" or 'literal' parts separated by dots.
        private mutating func keyPath() -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let c = peek() else { return parts }
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    parts.append(quoted(c))
                } else if Self.isBareKeyByte(c) {
                    let start = i
                    while let b = peek(), Self.isBareKeyByte(b) { advance() }
                    parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                } else {
                    return parts
                }
                skipSpaces()
                guard peek() == UInt8(ascii: ".") else { return parts }
                advance()
            }
        }

        private static func isBareKeyByte(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }

        /// A single-line string starting at the quote; returns its raw contents (escapes kept).
        private mutating func quoted(_ quote: UInt8) -> String {
            advance()
            let start = i
            while let c = peek(), c != quote, c != UInt8(ascii: "\n") {
                if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") { advance() }
                advance()
            }
            let text = String(decoding: bytes[start..<min(i, bytes.count)], as: UTF8.self)
            if peek() == quote { advance() }
            return text
        }

        /// A `"""` or `'''` string; newlines inside count toward line numbers.
        private mutating func multiline(_ quote: UInt8) {
            advance(); advance(); advance()
            while let c = peek() {
                if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") {
                    advance(); advance()
                    continue
                }
                if c == quote && peek(1) == quote && peek(2) == quote {
                    advance(); advance(); advance()
                    // Up to two more quotes may belong to the content ("""a"""" is legal).
                    while peek() == quote { advance() }
                    return
                }
                advance()
            }
        }

        private mutating func value(path: String) {
            skipSpaces()
            guard let c = peek() else { return }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if peek(1) == c && peek(2) == c { multiline(c) } else { _ = quoted(c) }
            case UInt8(ascii: "["):
                array(path: path)
            case UInt8(ascii: "{"):
                inlineTable(path: path)
            default:
                // Number, boolean or date-time (which may contain a space): up to a delimiter.
                while let b = peek(), b != UInt8(ascii: ","), b != UInt8(ascii: "]"), b != UInt8(ascii: "}"),
                      b != UInt8(ascii: "\n"), b != UInt8(ascii: "#") {
                    advance()
                }
            }
        }

        private mutating func array(path: String) {
            advance()
            var index = 0
            while true {
                skipTrivia()
                guard let c = peek() else { return }
                if c == UInt8(ascii: "]") { advance(); return }
                if c == UInt8(ascii: ",") { advance(); continue }
                let start = i
                let elementPath = path + "[\(index)]"
                record(elementPath, line)
                value(path: elementPath)
                index += 1
                if i == start { advance() }
            }
        }

        private mutating func inlineTable(path: String) {
            advance()
            while true {
                skipTrivia()
                guard let c = peek() else { return }
                if c == UInt8(ascii: "}") { advance(); return }
                if c == UInt8(ascii: ",") { advance(); continue }
                let start = i
                keyValue(base: path)
                if i == start { advance() }
            }
        }
    }
}

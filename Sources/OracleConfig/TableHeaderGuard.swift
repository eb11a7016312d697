/// Rejects table headers the TOML parser cannot survive, before the text reaches it.
///
/// toml++ (inside TOMLKit 0.6.0) asserts, and with assertions off assumes, that the first
/// character of a `[table]` or `[[array]]` header is a key character; `[*]`, `[ +x]`, `[{` or
/// `[` followed by a non-ASCII character abort the process instead of failing the parse
/// (found by FuzzTesting's config target). A typo in oracles.toml must be a syntax error that
/// names the line, above all on SIGHUP, where a crash would take the running daemon down.
///
/// The same parser asserts that a value never starts with `}`: `x = [}` or `x = [1,\n}` (a `}`
/// closing an array) abort it too, so mismatched closing brackets in values are rejected here as well.
///
/// The scan follows just enough TOML to find headers: strings (all four kinds) and comments
/// are skipped, and a `[` only opens a header at the start of a line outside any value array
/// or inline table, so `x = [\n  [{a = 1}],\n]` is left alone.
enum TableHeaderGuard {
    /// The first bracket in a value that closes what it did not open (`}` for `[`, `]` for `{`).
    static func firstMismatchedBracket(in text: String) -> (line: Int, found: Character, open: Character)? {
        var result: (line: Int, found: Character, open: Character)?
        _ = scan(text) { line, found, open in
            if result == nil { result = (line, found, open) }
        }
        return result
    }

    static func firstUnparseableHeader(in text: String) -> (line: Int, header: String)? {
        scan(text) { _, _, _ in }
    }

    /// The 1-based line and text of the first header whose key does not start with a bare-key
    /// character, a quote or (for `[]`) the closing bracket; nil when every header is parseable.
    /// `mismatch` is called for each closing bracket in a value that does not match its opener.
    private static func scan(_ text: String,
                             mismatch: (Int, Character, Character) -> Void) -> (line: Int, header: String)? {
        let bytes = Array(text.utf8)
        var i = 0
        var line = 1
        var open: [UInt8] = []   // brackets opened in values, innermost last
        var depth: Int { open.count }
        var atLineStart = true
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"):
                line += 1
                atLineStart = true
                i += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case UInt8(ascii: "#"):
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                atLineStart = false
                i = skipString(bytes, from: i, line: &line)
            case UInt8(ascii: "[") where atLineStart && depth == 0:
                var j = i + 1
                if j < bytes.count && bytes[j] == UInt8(ascii: "[") { j += 1 }
                while j < bytes.count && (bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t")) { j += 1 }
                if j >= bytes.count || !startsKey(bytes[j]) {
                    let end = bytes[i...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                    return (line, String(decoding: bytes[i..<min(end, i + 64)], as: UTF8.self))
                }
                // A valid header start: the rest of the line is the header (and maybe a comment).
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") {
                    if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                        i = skipString(bytes, from: i, line: &line)
                    } else {
                        i += 1
                    }
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                atLineStart = false
                open.append(b)
                i += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                atLineStart = false
                if let top = open.popLast() {
                    let expected = top == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
                    if b != expected { mismatch(line, Character(UnicodeScalar(b)), Character(UnicodeScalar(top))) }
                }
                i += 1
            case 0xEF where i == 0 && bytes.count >= 3 && bytes[1] == 0xBB && bytes[2] == 0xBF:
                i += 3   // UTF-8 byte-order mark
            default:
                atLineStart = false
                i += 1
            }
        }
        return nil
    }

    /// A-Z a-z 0-9 _ - (bare keys), a quote (quoted keys) or `]` (an empty header, which the
    /// parser reports as an error on its own).
    private static func startsKey(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }

    /// Index just past the string opening at `start` (basic or literal, single- or multi-line);
    /// counts the newlines it spans. An unterminated string runs to the end of its line (or of
    /// the text, if multi-line), where the parser reports it.
    private static func skipString(_ bytes: [UInt8], from start: Int, line: inout Int) -> Int {
        let quote = bytes[start]
        let basic = quote == UInt8(ascii: "\"")
        let multi = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        var i = start + (multi ? 3 : 1)
        while i < bytes.count {
            let b = bytes[i]
            if basic && b == UInt8(ascii: "\\") {
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { line += 1 }
                i += 2
                continue
            }
            if b == UInt8(ascii: "\n") {
                if !multi { return i }
                line += 1
            }
            if b == quote {
                if !multi { return i + 1 }
                if i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote {
                    // Up to two more quotes may belong to the content ("""a"""").
                    var end = i + 3
                    while end < bytes.count && end < i + 5 && bytes[end] == quote { end += 1 }
                    return end
                }
            }
            i += 1
        }
        return i
    }
}

import Foundation

/// Escaping and building blocks of man(7) pages.
enum Troff {
    /// Text safe in a troff text line: backslashes and minus signs escaped (so options copied
    /// from the page are ASCII hyphen-minus), non-ASCII characters as `\[uXXXX]` (groff reads its
    /// input as Latin-1 unless preconv runs; this way `groff -man` and `man` agree), and a leading
    /// `.` or `'` neutralised.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case "\t": out += " "
            default:
                if scalar.value < 128 {
                    out.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
                }
            }
        }
        return out
    }

    /// Paragraphs of free text: blank lines separate paragraphs (`separator`: `.PP`, or `.IP` inside
    /// a tagged item so the indentation holds), and a single newline is kept as a line break (help
    /// texts put usage examples on lines of their own).
    static func paragraphs(_ text: String, separator: String = ".PP") -> [String] {
        var out: [String] = []
        let blocks = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        for (i, block) in blocks.enumerated() {
            if i > 0 { out.append(separator) }
            let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for (n, line) in lines.enumerated() {
                if n > 0 { out.append(".br") }
                out.append(guardLine(escape(line)))
            }
        }
        return out
    }

    /// A text line starting with `.` or `'` would be read as a request.
    static func guardLine(_ line: String) -> String {
        line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : line
    }

    static func bold(_ s: String) -> String { "\\fB" + escape(s) + "\\fR" }
    static func italic(_ s: String) -> String { "\\fI" + escape(s) + "\\fR" }
}

/// JSON string literals (RFC 8259 escaping) for everything oracled writes by hand: notices, accounts,
/// probe output and API answers. Hand-written output because it must be byte-stable (key order,
/// decimals as strings), which `JSONSerialization` does not promise. The one escaping routine of the project.
public enum JSONString {
    /// `s` as a JSON string literal, quotes included, or `null` for nil.
    public static func quotedOrNull(_ s: String?) -> String { s.map(quoted) ?? "null" }

    /// `s` as a JSON string literal, quotes included.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }
}

extension VenueAdapters {
    /// `oracled probe --json` output: `{"bid","ask","last","exchange_ts_ms"}` (decimal strings /
    /// integer or null) or `{"error":"<class>","retry_after_s":<int or null>}`. Compact JSON,
    /// keys in that order — scripts and the fixture tests compare it field by field.
    public static func probeJSON(_ result: Result<Quote, VenueError>) -> String {
        switch result {
        case .success(let q):
            return "{\"bid\":\(jsonString(q.bid?.text)),\"ask\":\(jsonString(q.ask?.text)),\"last\":\(jsonString(q.last?.text)),\"exchange_ts_ms\":\(q.exchangeTimestampMs.map { String($0) } ?? "null")}"
        case .failure(let e):
            return "{\"error\":\(jsonString(e.errorClass.rawValue)),\"retry_after_s\":\(e.retryAfterSeconds.map { String($0) } ?? "null")}"
        }
    }

    /// A JSON string literal (RFC 8259 escaping), or `null`.
    static func jsonString(_ s: String?) -> String {
        guard let s else { return "null" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

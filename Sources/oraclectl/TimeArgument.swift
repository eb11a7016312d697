import ArgumentParser

/// A point in time on the command line: RFC 3339 (`2026-12-05T10:00:00Z`), Unix milliseconds, or an
/// age like `90s`, `15m`, `1h`, `2d`, `1h30m` (that long before now).
struct TimeArgument: ExpressibleByArgument {
    let unixMs: Int64

    init?(argument: String) {
        guard let ms = Self.parse(argument, nowMs: RFC3339Time.nowMs()) else { return nil }
        unixMs = ms
    }

    static func parse(_ text: String, nowMs: Int64) -> Int64? {
        if let age = ageMs(text) { return nowMs - age }
        if let ms = Int64(text), ms >= 0, text.count >= 10 { return ms }
        return RFC3339Time.unixMs(text)
    }

    /// `1h30m` → 5 400 000; nil unless the whole text is number+unit terms (s, m, h, d).
    static func ageMs(_ text: String) -> Int64? {
        var total: Int64 = 0
        var digits = ""
        var terms = 0
        for ch in text {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
                continue
            }
            let unit: Int64
            switch ch {
            case "s": unit = 1000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            default: return nil
            }
            guard let n = Int64(digits), n <= 1_000_000 else { return nil }
            total += n * unit
            digits = ""
            terms += 1
        }
        return terms > 0 && digits.isEmpty ? total : nil
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

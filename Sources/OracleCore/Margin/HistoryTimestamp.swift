/// The timestamps a price-history CSV may carry: Unix seconds or milliseconds, or RFC 3339 with `Z`
/// or a numeric offset (`2024-03-25T08:45:00Z`, `2024-03-25 08:45:00.250+02:00`).
///
/// Pure, so that `oracled backtest` and the daemon's history import read the same files the same
/// way. (Note for the history-import owner: `MarginDesk.parseTimestamp` in MarginDesk+Risk.swift
/// predates this type and ignores offsets; it can delegate here.)
///
/// Unix numbers below 10¹¹ are seconds (10¹¹ s is the year 5138; 10¹¹ ms is 1973), above are ms.
public enum HistoryTimestamp {
    /// Unix milliseconds, or nil when `text` is neither form.
    public static func parseMs(_ text: some StringProtocol) -> Int64? {
        let u = Array(text.utf8)
        guard !u.isEmpty else { return nil }
        if let v = Int64(String(text)) { return v < 100_000_000_000 && v > -100_000_000_000 ? v * 1000 : v }
        guard u.count >= 20, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 116 || u[10] == 32,
              u[13] == 58, u[16] == 58 else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for k in a..<b {
                guard u[k] >= 48, u[k] <= 57 else { return nil }
                v = v * 10 + Int(u[k] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13),
              let mi = num(14, 16), let se = num(17, 19),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var k = 19, ms = 0
        if u[k] == 46 {
            k += 1
            var digits = 0
            let start = k
            while k < u.count, u[k] >= 48, u[k] <= 57 {
                if digits < 3 { ms = ms * 10 + Int(u[k] - 48); digits += 1 }
                k += 1
            }
            guard k > start else { return nil }
            while digits < 3 { ms *= 10; digits += 1 }
        }
        guard k < u.count else { return nil }
        var offsetMinutes = 0
        switch u[k] {
        case 90, 122: // Z / z
            guard k + 1 == u.count else { return nil }
        case 43, 45: // + / -
            guard k + 6 == u.count, u[k + 3] == 58, let oh = num(k + 1, k + 3), let om = num(k + 4, k + 6),
                  oh < 24, om < 60 else { return nil }
            offsetMinutes = (oh * 60 + om) * (u[k] == 43 ? 1 : -1)
        default:
            return nil
        }
        let local = RFC3339.unixMs(year: y, month: mo, day: d, hour: h, minute: mi, second: se, millis: ms)
        return local - Int64(offsetMinutes) * 60_000
    }
}

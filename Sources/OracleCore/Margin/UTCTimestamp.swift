/// RFC 3339 UTC timestamps with milliseconds ("2026-11-25T16:36:00.036Z") for notices, written by
/// hand (no `DateFormatter`: it is slow, locale-sensitive, and the core reads no clock or locale).
enum UTCTimestamp {
    static func rfc3339(ms: Int64) -> String {
        let secs = floorDiv(ms, 1000)
        let millis = Int(ms - secs * 1000)
        let days = floorDiv(secs, 86_400)
        let secOfDay = Int(secs - days * 86_400)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secOfDay / 3600, 2) + ":"
            + pad(secOfDay / 60 % 60, 2) + ":" + pad(secOfDay % 60, 2) + "." + pad(millis, 3) + "Z"
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Calendar arithmetic for the timestamps venues write as text (ISO-8601, HTTP-date).
///
/// Done by hand because `DateFormatter`/`ISO8601DateFormatter` cost microseconds and their
/// Linux behaviour differs from Darwin's; a quote's time must not depend on either.
enum CivilTime {
    /// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        default:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        }
    }

    /// Unix milliseconds for a validated civil date-time in UTC; nil when a field is out of range.
    static func unixMs(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) -> Int64? {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= daysInMonth(year: year, month: month),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (0...999).contains(millis) else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return secs * 1000 + Int64(millis)
    }

    /// Parses ISO-8601 / RFC 3339 date-times as venues write them:
    /// `2015-11-14T20:46:03.511254Z`, `…+01:00`, `…+0100`, a space instead of `T`.
    /// Fractions beyond milliseconds are truncated, not rounded (a quote must not claim to be
    /// newer than it is). A missing zone is taken as UTC.
    static func parseISO8601(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = bytes.count
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for k in i..<(i + count) {
                let d = bytes[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < n, bytes[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
              let day = digits(2) else { return nil }
        guard i < n, bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2) else { return nil }
        var second = 0
        if expect(UInt8(ascii: ":")) {
            guard let s = digits(2) else { return nil }
            second = s
        }
        var millis = 0
        if i < n, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") {
            i += 1
            var count = 0
            while i < n, bytes[i] &- UInt8(ascii: "0") < 10 {
                if count < 3 { millis = millis * 10 + Int(bytes[i] - UInt8(ascii: "0")) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            var c = count
            while c < 3 { millis *= 10; c += 1 }
        }
        var offsetMinutes = 0
        if i < n {
            let z = bytes[i]
            if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
                i += 1
            } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                guard let om = digits(2), oh <= 23, om <= 59 else { return nil }
                offsetMinutes = (oh * 60 + om) * (z == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        guard i == n, let local = unixMs(year: year, month: month, day: day, hour: hour, minute: minute,
                                         second: second, millis: millis) else { return nil }
        return local - Int64(offsetMinutes) * 60_000
    }

    static func parseISO8601(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parseISO8601($0) }
    }

    /// Parses an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
    /// and the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
    /// (`Sun Nov  6 08:49:37 1994`) forms that recipients must still accept.
    static func parseHTTPDate(_ text: String) -> Int64? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "\t" })
        var day: Int?, month: Int?, year: Int?
        var hms: (Int, Int, Int)?
        for token in tokens {
            if token.contains(":") {
                let parts = token.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 3, let h = Int(parts[0]), let m = Int(parts[1]), let s = Int(parts[2]) else { return nil }
                hms = (h, m, s)
            } else if let m = months.firstIndex(of: token.lowercased()) {
                month = m + 1
            } else if !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int(token) {
                if token.utf8.count == 4, year == nil {
                    year = v
                } else if token.utf8.count <= 2, day == nil {
                    day = v
                } else if token.utf8.count == 2, year == nil {
                    year = v >= 70 ? 1900 + v : 2000 + v
                } else {
                    return nil
                }
            }
        }
        guard let d = day, let mo = month, let y = year, let (h, mi, s) = hms else { return nil }
        return unixMs(year: y, month: mo, day: d, hour: h, minute: mi, second: s, millis: 0)
    }
}

/// An option named the way venues name it, reduced to what a volatility surface needs.
///
/// Deribit and Bybit write `BTC-25DEC26-60000-C` (day without a leading zero: `BTC-6JAN23-…`;
/// Bybit's USDT-settled series add `-USDT`); OKX writes `BTC-USD-261225-60000-C` (yymmdd).
/// Deribit spells a fractional strike with `d` (`XRP_USDC-30JUN25-2d2-C` is 2.2). All three list
/// expiries at 08:00 UTC on the named date, so that is the expiry instant here: an expiry a day
/// off would move T by a whole day and the total variance of a short-dated smile by far more
/// than the venues disagree.
public struct VolInstrument: Sendable, Equatable, Hashable {
    /// The base asset as the venue writes it before the first `-` ("BTC").
    public var underlying: String
    /// Expiry instant, Unix ms (08:00 UTC on the expiry date).
    public var expiryMs: Int64
    public var strike: Double
    public var isCall: Bool

    public init(underlying: String, expiryMs: Int64, strike: Double, isCall: Bool) {
        self.underlying = underlying
        self.expiryMs = expiryMs
        self.strike = strike
        self.isCall = isCall
    }

    /// The hour (UTC) at which the venues here settle their options.
    public static let expiryHourUTC = 8

    /// "JAN"…"DEC" as three ASCII bytes packed into an Int, for a compare without a String.
    private static let monthCodes: [Int] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        .map { m in m.utf8.reduce(0) { $0 << 8 | Int($1) } }

    /// `BASE-DMMMYY-STRIKE-C|P[-SETTLE]` (Deribit, Bybit); nil when the name is not of that form.
    /// Read on the bytes (a chain has hundreds of names per poll; splitting into Strings cost ~3 µs each).
    public static func dayMonthYear(_ name: String) -> VolInstrument? {
        var copy = name
        return copy.withUTF8 { b -> VolInstrument? in
            let parts = fields(b)
            guard parts.count == 4 || parts.count == 5, parts[0].count > 0 else { return nil }
            let date = parts[1]
            guard date.count == 6 || date.count == 7 else { return nil }
            let dayLen = date.count - 5
            let m = date.lowerBound + dayLen
            let code = Int(b[m]) << 16 | Int(b[m + 1]) << 8 | Int(b[m + 2])
            guard let day = digits(b, date.lowerBound..<m), let month = monthCodes.firstIndex(of: code),
                  let yy = digits(b, (m + 3)..<date.upperBound) else { return nil }
            return finish(b, base: parts[0], year: 2000 + yy, month: month + 1, day: day, strike: parts[2], right: parts[3])
        }
    }

    /// `BASE-QUOTE-YYMMDD-STRIKE-C|P` (OKX); nil when the name is not of that form.
    public static func okxStyle(_ name: String) -> VolInstrument? {
        var copy = name
        return copy.withUTF8 { b -> VolInstrument? in
            let parts = fields(b)
            guard parts.count == 5, parts[0].count > 0, parts[1].count > 0, parts[2].count == 6 else { return nil }
            let d = parts[2].lowerBound
            guard let yy = digits(b, d..<(d + 2)), let mm = digits(b, (d + 2)..<(d + 4)),
                  let dd = digits(b, (d + 4)..<(d + 6)) else { return nil }
            return finish(b, base: parts[0], year: 2000 + yy, month: mm, day: dd, strike: parts[3], right: parts[4])
        }
    }

    /// The ranges between '-' separators (at most 6; more means not an option name).
    private static func fields(_ b: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(6)
        var start = 0
        for i in 0..<b.count where b[i] == UInt8(ascii: "-") {
            out.append(start..<i)
            start = i + 1
            if out.count > 5 { return [] }
        }
        out.append(start..<b.count)
        return out
    }

    private static func finish(_ b: UnsafeBufferPointer<UInt8>, base: Range<Int>, year: Int, month: Int, day: Int,
                               strike: Range<Int>, right: Range<Int>) -> VolInstrument? {
        guard right.count == 1 else { return nil }
        let isCall: Bool
        switch b[right.lowerBound] {
        case UInt8(ascii: "C"): isCall = true
        case UInt8(ascii: "P"): isCall = false
        default: return nil
        }
        guard let k = strikeValue(b, strike), k.isFinite, k > 0,
              let expiry = CivilTime.unixMs(year: year, month: month, day: day,
                                             hour: expiryHourUTC, minute: 0, second: 0, millis: 0) else { return nil }
        return VolInstrument(underlying: String(decoding: UnsafeBufferPointer(rebasing: b[base]), as: UTF8.self),
                             expiryMs: expiry, strike: k, isCall: isCall)
    }

    /// Digits with at most one '.' or 'd' (Deribit's decimal point), at most 15 digits: the
    /// integer mantissa is exact, so one division gives the correctly rounded value.
    private static func strikeValue(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        guard !r.isEmpty, r.count <= 16 else { return nil }
        var mantissa = 0, fraction = 0, digitCount = 0, sawPoint = false
        for i in r {
            let c = b[i]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "d") {
                guard !sawPoint, digitCount > 0 else { return nil }
                sawPoint = true
                continue
            }
            let d = c &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            mantissa = mantissa * 10 + Int(d)
            digitCount += 1
            if sawPoint { fraction += 1 }
        }
        guard digitCount > 0, digitCount <= 15, !(sawPoint && fraction == 0) else { return nil }
        var scale = 1.0
        for _ in 0..<fraction { scale *= 10 }
        return Double(mantissa) / scale
    }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        guard !r.isEmpty, r.count <= 4, r.upperBound <= b.count else { return nil }
        var v = 0
        for i in r {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
}

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

    private static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    /// `BASE-DMMMYY-STRIKE-C|P[-SETTLE]` (Deribit, Bybit); nil when the name is not of that form.
    public static func dayMonthYear(_ name: String) -> VolInstrument? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5, !parts[0].isEmpty else { return nil }
        let date = Array(parts[1].utf8)
        guard date.count == 6 || date.count == 7 else { return nil }
        let dayLen = date.count - 5
        guard let day = digits(date[0..<dayLen]),
              let month = months.firstIndex(of: String(decoding: date[dayLen..<(dayLen + 3)], as: UTF8.self)),
              let yy = digits(date[(dayLen + 3)...]) else { return nil }
        return finish(base: parts[0], year: 2000 + yy, month: month + 1, day: day, strike: parts[2], right: parts[3])
    }

    /// `BASE-QUOTE-YYMMDD-STRIKE-C|P` (OKX); nil when the name is not of that form.
    public static func okxStyle(_ name: String) -> VolInstrument? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 5, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        let date = Array(parts[2].utf8)
        guard date.count == 6, let yy = digits(date[0..<2]), let mm = digits(date[2..<4]),
              let dd = digits(date[4..<6]) else { return nil }
        return finish(base: parts[0], year: 2000 + yy, month: mm, day: dd, strike: parts[3], right: parts[4])
    }

    private static func finish(base: Substring, year: Int, month: Int, day: Int,
                               strike: Substring, right: Substring) -> VolInstrument? {
        let isCall: Bool
        switch right {
        case "C": isCall = true
        case "P": isCall = false
        default: return nil
        }
        let strikeText = strike.replacingOccurrences(of: "d", with: ".")
        guard let k = DecimalText.parse(strikeText), k.isFinite, k > 0,
              let expiry = CivilTime.unixMs(year: year, month: month, day: day,
                                             hour: expiryHourUTC, minute: 0, second: 0, millis: 0) else { return nil }
        return VolInstrument(underlying: String(base), expiryMs: expiry, strike: k, isCall: isCall)
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
        var v = 0
        for c in bytes {
            let d = c &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
}

extension Substring {
    /// `replacingOccurrences` without Foundation, for one ASCII character.
    fileprivate func replacingOccurrences(of a: Character, with b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}

/// Venue-style instrument names, so a desk can paste what its venue shows.
///
/// | venue | form | example |
/// |---|---|---|
/// | Deribit | `BASE-DMMMYY-STRIKE-R` | `BTC-25DEC26-60000-C`, `BTC-5JAN27-60000-P` |
/// | Deribit linear | `BASE_QUOTE-DMMMYY-STRIKE-R` | `XRP_USDC-30JAN26-0d55-C` (`d` is the decimal point) |
/// | Bybit | `BASE-DMMMYY-STRIKE-R[-QUOTE]` | `BTC-6JAN23-17500-C`, `BTC-6JAN23-17500-C-USDT` |
/// | OKX | `BASE-QUOTE-YYMMDD-STRIKE-R` | `BTC-USD-261225-60000-C` |
///
/// The date carries no time: expiry is 08:00 UTC on it, as on all three venues. With no quote in the
/// name the underlying is `BASE-USD` (`defaultQuote`): Deribit's and Bybit's inverse and USDC options
/// are on the USD index, which is the oracle's `BASE-USD` mark.
extension OptionContract {
    public init(venueName name: String, defaultQuote: String = "USD", field: String = "option") throws(OptionError) {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func bad(_ why: String) -> OptionError {
            OptionError(.malformed, field: field,
                        "\"\(name)\" is not an option name (\(why)); write e.g. \"BTC-25DEC26-60000-C\" or \"BTC-USD-261225-60000-C\"")
        }
        var base: String, quote: String, dateMs: Int64, strikeText: String, rightText: String
        if parts.count == 5, let first = parts[1].utf8.first, !Self.isDigit(first) {
            // OKX: BASE-QUOTE-YYMMDD-STRIKE-R (a Deribit/Bybit date always starts with a digit, so a
            // Bybit name with a 6-digit strike, BTC-6JAN27-100000-C-USDT, is not taken for OKX).
            base = parts[0]; quote = parts[1]; strikeText = parts[3]; rightText = parts[4]
            guard parts[2].utf8.count == 6, parts[2].utf8.allSatisfy(Self.isDigit), let d = Self.okxDate(parts[2]) else {
                throw bad("\(parts[2]) is not a YYMMDD date")
            }
            dateMs = d
        } else if parts.count == 4 || parts.count == 5 {
            base = parts[0]; quote = parts.count == 5 ? parts[4] : defaultQuote
            strikeText = parts[2]; rightText = parts[3]
            if let u = base.firstIndex(of: "_") {
                quote = String(base[base.index(after: u)...])
                base = String(base[..<u])
            }
            guard let d = Self.deribitDate(parts[1]) else { throw bad("\(parts[1]) is not a date like 25DEC26") }
            dateMs = d
        } else {
            throw bad("expected 4 or 5 parts separated by '-'")
        }
        guard let right = rightText.count == 1 ? OptionRight(text: rightText) : nil else {
            throw bad("the right must be C or P, not \(rightText)")
        }
        let underlying = try Self.checkUnderlying("\(base)-\(quote)", field: field)
        let strike = try Self.checkStrike(String(strikeText.map { $0 == "d" ? "." : $0 }), field: field)
        self.init(underlying: underlying, right: right, strike: strike,
                  expiryMs: dateMs + Int64(Self.venueExpiryHourUTC) * 3_600_000)
    }

    /// The Deribit-style name (`BTC-25DEC26-60000-C`) when the expiry is at 08:00 UTC and the quote is
    /// USD; otherwise the OKX-style name, which carries the quote. Used in notices and CLI output.
    public var venueName: String {
        let day = expiryMs >= 0 ? expiryMs / 86_400_000 : (expiryMs - 86_399_999) / 86_400_000
        let ymd = RFC3339.format(ms: day * 86_400_000)   // "YYYY-MM-DDT00:00:00.000Z"
        let u = Array(ymd.utf8)
        let yy = String(decoding: u[2..<4], as: UTF8.self), mm = String(decoding: u[5..<7], as: UTF8.self)
        let dd = String(decoding: u[8..<10], as: UTF8.self)
        let parts = underlying.split(separator: "-")
        let r = right == .call ? "C" : "P"
        let onTime = expiryMs - day * 86_400_000 == Int64(Self.venueExpiryHourUTC) * 3_600_000
        if onTime, parts.count == 2, parts[1] == "USD" {
            let month = Self.months[Int(mm)! - 1]
            return "\(parts[0])-\(Int(dd)!)\(month)\(yy)-\(strike.text)-\(r)"
        }
        return "\(underlying)-\(yy)\(mm)\(dd)-\(strike.text)-\(r)"
    }

    static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

    static func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

    /// `25DEC26` or `5JAN27` (day without leading zero allowed; month in any case) → midnight UTC ms.
    static func deribitDate(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count == 6 || u.count == 7 else { return nil }
        let dayLen = u.count - 5
        guard u[0..<dayLen].allSatisfy(isDigit), u[(dayLen + 3)...].allSatisfy(isDigit) else { return nil }
        let day = u[0..<dayLen].reduce(0) { $0 * 10 + Int($1 - 48) }
        let monthText = String(decoding: u[dayLen..<(dayLen + 3)], as: UTF8.self).uppercased()
        guard let m = months.firstIndex(of: monthText) else { return nil }
        let year = 2000 + Int(u[dayLen + 3] - 48) * 10 + Int(u[dayLen + 4] - 48)
        return CivilTime.unixMs(year: year, month: m + 1, day: day, hour: 0, minute: 0, second: 0, millis: 0)
    }

    /// `261225` → 2026-12-25 midnight UTC ms.
    static func okxDate(_ s: String) -> Int64? {
        let d = Array(s.utf8).map { Int($0 - 48) }
        return CivilTime.unixMs(year: 2000 + d[0] * 10 + d[1], month: d[2] * 10 + d[3], day: d[4] * 10 + d[5],
                                hour: 0, minute: 0, second: 0, millis: 0)
    }
}

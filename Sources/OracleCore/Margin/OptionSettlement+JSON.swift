extension OptionSettlement {
    /// The notice's `settlements` member: one object per option settled, money as decimal strings
    /// (8 fraction digits at most), e.g.
    ///
    ///     [{"option":"BTC-25DEC26-60000-C","underlying":"BTC-USD","quantity":"-5","method":"mark",
    ///       "settlement_price":"64000","intrinsic":"4000","value":"-20000","entry_price":"2100",
    ///       "cash":"-9500","balance":"15500","settled_at":"2026-12-25T08:00:05.000Z"}]
    public static func jsonArray(_ list: [OptionSettlement]) -> String {
        "[" + list.map(\.json).joined(separator: ",") + "]"
    }

    public var json: String {
        func dec(_ v: Double) -> String { JSONString.quoted(DecimalText.format(v, maxFractionDigits: 8)) }
        return "{\"option\":" + JSONString.quoted(name) + ",\"underlying\":" + JSONString.quoted(option.underlying)
            + ",\"quantity\":" + dec(quantity) + ",\"method\":" + JSONString.quoted(method)
            + ",\"settlement_price\":" + dec(settlementPrice) + ",\"intrinsic\":" + dec(intrinsic)
            + ",\"value\":" + dec(value) + ",\"entry_price\":" + dec(entryPremium) + ",\"cash\":" + dec(cash)
            + ",\"balance\":" + dec(balanceAfter) + ",\"settled_at\":\"" + RFC3339.format(ms: atMs) + "\"}"
    }

    /// For the syslog line and the log: `settled BTC-25DEC26-60000-C x-5 at 64000 cash -9500 USD`.
    public func syslogText(currency: String) -> String {
        "settled \(name) x\(DecimalText.format(quantity, maxFractionDigits: 8)) at \(DecimalText.format(settlementPrice, maxFractionDigits: 2))"
            + " cash \(DecimalText.format(cash, maxFractionDigits: 2)) \(currency)"
    }
}

/// One option position settled to cash at its expiry (docs/option-expiry.md).
///
/// European, cash-settled: each contract pays its intrinsic value at the settlement price,
/// max(F − K, 0) for a call and max(K − F, 0) for a put, F = the underlying's mark (mid, the same
/// forward options are valued on). The account's margin-currency balance moves by the *realised*
/// P&L, q × (intrinsic − entry premium), not by q × intrinsic: the model counts an option's equity
/// as q × (value − entry premium) against an untouched balance (the premium was never taken out
/// of it, as a linear position's entry is not), so this is the amount that leaves the account's
/// equity exactly where it was the instant before — settlement changes what the account holds and
/// what it must post, never what it is worth.
public struct OptionSettlement: Sendable, Equatable {
    public var account: String
    public var option: OptionContract
    /// Signed contracts (one unit of the underlying each).
    public var quantity: Double
    /// Premium per contract the position was entered at (`entry_price`).
    public var entryPremium: Double
    /// How the settlement price was chosen (`mark`: the underlying's mark at the settlement).
    public var method: String
    public var settlementPrice: Double
    /// Per contract: max(±(F − K), 0).
    public var intrinsic: Double
    /// q × intrinsic: what the position was worth at settlement.
    public var value: Double
    /// q × (intrinsic − entry premium): credited (debited when negative) to the margin-currency balance.
    public var cash: Double
    /// The margin-currency balance before and after (may go below 0; see `settle`).
    public var balanceBefore: Double
    public var balanceAfter: Double
    /// Unix ms the settlement was made (≥ the option's expiry).
    public var atMs: Int64

    /// The contract's venue-style name, `BTC-25DEC26-60000-C`.
    public var name: String { option.venueName }

    /// max(F − K, 0) for a call, max(K − F, 0) for a put.
    public static func intrinsic(_ right: OptionRight, price f: Double, strike k: Double) -> Double {
        max(0, right == .call ? f - k : k - f)
    }

    /// Why an expired option was not settled (the owner logs it and tries again later).
    public struct Refusal: Sendable, Equatable {
        public var account: String
        public var option: String
        public var reason: String
    }

    /// Settles every option of `account` whose expiry is at or before `nowMs` and whose underlying
    /// has a settlement price (`price`, nil: wait). Options are removed, the sum of their realised
    /// P&L goes to the `currency` balance (a line is added when the account has none).
    ///
    /// The balance may go below 0: a short option settled in the money can owe more than the cash
    /// held. That debt is kept on the cash line — the margin currency counts at 1 without haircut,
    /// so a negative balance lowers equity one for one, exactly as the obligation does — and
    /// `AccountJSON.validate` accepts a negative balance for the margin currency only. Netting it
    /// against other collateral or clamping at 0 would make up money or sell an asset nobody sold.
    ///
    /// Returns nil when nothing settled. Non-finite figures refuse the option's settlement (it stays
    /// in the account, expired, valued at intrinsic) and are returned in `refused`.
    public static func settle(_ account: Account, nowMs: Int64, currency: String, method: String = "mark",
                              price: (String) -> Double?) -> (account: Account, settlements: [OptionSettlement], refused: [Refusal]) {
        var kept: [Position] = []
        var out: [OptionSettlement] = []
        var refused: [Refusal] = []
        let cashIndex = account.collateral.firstIndex { $0.asset == currency }
        let before = cashIndex.map { account.collateral[$0].amount.value } ?? 0
        var balance = before
        for p in account.positions {
            guard let o = p.option, o.expiryMs <= nowMs, let f = price(o.underlying) else {
                kept.append(p)
                continue
            }
            let q = p.quantity.value, entry = p.entryPrice.value
            let iv = intrinsic(o.right, price: f, strike: o.strike.value)
            let cash = q * (iv - entry)
            guard f.isFinite, f > 0, iv.isFinite, cash.isFinite, (balance + cash).isFinite,
                  abs(balance + cash) <= AccountJSON.Bounds.maxAmount else {
                refused.append(Refusal(account: account.id, option: o.venueName,
                                       reason: "settlement of \(o.venueName) at \(f) gives a cash amount \(cash) outside the accepted bounds; the option stays, valued at intrinsic"))
                kept.append(p)
                continue
            }
            out.append(OptionSettlement(account: account.id, option: o, quantity: q, entryPremium: entry, method: method,
                                        settlementPrice: f, intrinsic: iv, value: q * iv, cash: cash,
                                        balanceBefore: balance, balanceAfter: balance + cash, atMs: nowMs))
            balance += cash
        }
        guard !out.isEmpty else { return (account, [], refused) }
        var settled = account
        settled.positions = kept
        // Eight fraction digits, as notices write money: the text is what the store and the API keep.
        let text = DecimalText.format(balance, maxFractionDigits: 8)
        let amount = VenueNumber(text: text, value: VenueNumber(text)?.value ?? balance)
        if let i = cashIndex {
            settled.collateral[i].amount = amount
        } else {
            settled.collateral.append(CollateralBalance(asset: currency, amount: amount))
        }
        if let last = out.indices.last { out[last].balanceAfter = amount.value }
        return (settled, out, refused)
    }
}

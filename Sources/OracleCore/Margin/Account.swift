/// A margin account as the daemon stores it: collateral balances and linear positions.
///
/// Amounts keep the text they arrived with (`VenueNumber`), so an account read back from the
/// store or the API shows exactly what was written; the `Double` beside it is what the margin
/// model computes with. Hold/acknowledge flags are store concerns and live there, not here.
public struct Account: Sendable, Equatable {
    /// Unique id; restricted to `[A-Za-z0-9._:-]` (1…128 chars) because it names spool files.
    public var id: String
    public var collateral: [CollateralBalance]
    public var positions: [Position]
    /// Per-account threshold overrides (nil: the `[margin]` policy applies unchanged).
    public var thresholds: ThresholdOverrides?

    public init(id: String, collateral: [CollateralBalance] = [], positions: [Position] = [],
                thresholds: ThresholdOverrides? = nil) {
        self.id = id
        self.collateral = collateral
        self.positions = positions
        self.thresholds = thresholds
    }

    /// Every pair whose mark this account needs: its positions' pairs and its collateral's pairs,
    /// in first-use order, without duplicates. Zero balances and zero quantities need no mark.
    public func pairsNeeded(in universe: MarginUniverse) -> [String] {
        var out: [String] = []
        for c in collateral where c.amount.value != 0 {
            if let p = universe.collateralPair(c.asset), !out.contains(p) { out.append(p) }
        }
        for p in positions where p.quantity.value != 0 && !out.contains(p.pair) { out.append(p.pair) }
        return out
    }
}

/// A balance of one collateral asset (`{"asset": "BTC", "amount": "0.5"}`); never negative.
public struct CollateralBalance: Sendable, Equatable {
    public var asset: String
    public var amount: VenueNumber

    public init(asset: String, amount: VenueNumber) {
        self.asset = asset
        self.amount = amount
    }
}

/// A position on a pair's mark: linear (perpetual/future) or a European option on it.
///
/// Linear: signed quantity in base units, entry price in the pair's quote currency (which must be
/// the margin currency). Option (`option` set): `pair` is the option's underlying, `quantity` the
/// signed number of contracts of one unit of the underlying each, `entryPrice` the premium paid per
/// contract (≥ 0). docs/options.md ("Accounts") has the valuation and the requirement.
public struct Position: Sendable, Equatable {
    public var pair: String
    /// Positive long, negative short.
    public var quantity: VenueNumber
    public var entryPrice: VenueNumber
    /// The option contract, nil for a linear position.
    public var option: OptionContract?

    public init(pair: String, quantity: VenueNumber, entryPrice: VenueNumber) {
        self.pair = pair
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.option = nil
    }

    /// An option position; its pair is the contract's underlying.
    public init(option: OptionContract, quantity: VenueNumber, entryPrice: VenueNumber) {
        self.pair = option.underlying
        self.quantity = quantity
        self.entryPrice = entryPrice
        self.option = option
    }

    public var isOption: Bool { option != nil }
}

extension Account {
    /// The account holds at least one option (valued with a volatility and margined by the grid).
    public var hasOptions: Bool { positions.contains { $0.option != nil } }
}

/// Per-account threshold overrides (`"thresholds": {"call_ratio": "1.2", "call_deadline": "30m"}`).
/// Unset fields fall back to the `[margin]` policy; the merged set must stay ordered
/// (warn_exit ≥ warn ≥ call ≥ urgent ≥ liquidation > 0), which `AccountJSON` checks.
public struct ThresholdOverrides: Sendable, Equatable {
    public var warnRatio: Double?
    public var warnExitRatio: Double?
    public var callRatio: Double?
    public var urgentRatio: Double?
    public var liquidationRatio: Double?
    public var callDeadlineMs: Int64?

    public init(warnRatio: Double? = nil, warnExitRatio: Double? = nil, callRatio: Double? = nil,
                urgentRatio: Double? = nil, liquidationRatio: Double? = nil, callDeadlineMs: Int64? = nil) {
        self.warnRatio = warnRatio
        self.warnExitRatio = warnExitRatio
        self.callRatio = callRatio
        self.urgentRatio = urgentRatio
        self.liquidationRatio = liquidationRatio
        self.callDeadlineMs = callDeadlineMs
    }

    public var isEmpty: Bool {
        warnRatio == nil && warnExitRatio == nil && callRatio == nil && urgentRatio == nil
            && liquidationRatio == nil && callDeadlineMs == nil
    }
}

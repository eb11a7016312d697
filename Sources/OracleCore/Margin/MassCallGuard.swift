/// The mass-call guard: which pairs' latest moves are suspect, and when a move counts as confirmed.
///
/// **Event.** In one mark update that gave pair p a new mark (new `seq`), count the accounts holding
/// p that enter a call (from none/warning to margin_call or worse, on trigger-eligible marks). When
/// that count is at least `minEntering` (3) and at least `share` (`mass_call_share`) of all accounts
/// holding p, the update is a mass-call event for p: one price moving that many of the pair's own
/// holders into call at once is more likely a bad mark than a market. The share is over p's
/// holders, not the whole book, so a pair held by a few accounts of a large book is guarded too.
///
/// **Unconfirmed until a later update agrees.** After the event p's move is *unconfirmed*, with the
/// moved price as reference. A later mark of p with a different `seq` (a new aggregation, not the
/// same value re-sent) whose price is within `tolerance` (1 %) of the reference, and which used a
/// quote newer than any the reference used (`evidence(of:)`), confirms it. A later
/// mark outside the tolerance replaces the reference and p stays unconfirmed: so the move is
/// confirmed once two consecutive new marks of p agree within 1 %, whether the market stayed where
/// the move took it or came back (then the confirmed price is the restored one and the accounts
/// are valued on it).
///
/// **No liquidation on an unconfirmed move.** While any pair an account needs is unconfirmed, every
/// path — the mark update itself, the periodic sweep, deadline checks, deposits — caps the account
/// at `urgent` with `liquidation_deferred`; the evaluation after confirmation decides.
public struct MassCallGuard: Sendable, Equatable {
    /// A suspect move: the price it moved to and the mark that carried it.
    public struct Pending: Sendable, Equatable {
        public var price: Double
        public var seq: UInt64
        /// When the mass-call event happened (Unix ms).
        public var sinceMs: Int64
        /// The newest quote time (Unix ms) among the sources the reference mark used; nil when unknown.
        public var evidenceMs: Int64?
    }

    public var share: Double
    public var minEntering: Int
    public var tolerance: Double
    public private(set) var pending: [String: Pending] = [:]

    public init(share: Double, minEntering: Int = 3, tolerance: Double = 0.01) {
        self.share = share
        self.minEntering = minEntering
        self.tolerance = tolerance
    }

    /// Whether `entering` of `holders` accounts entering call on one update of a pair is a mass call.
    public func isMassCall(entering: Int, holders: Int) -> Bool {
        entering >= minEntering && holders > 0 && Double(entering) >= share * Double(holders)
    }

    /// Records a mass-call event on `pair`, moved to `price` by the mark `seq`, whose newest used
    /// quote is from `evidenceMs`.
    public mutating func flag(pair: String, price: Double, seq: UInt64, nowMs: Int64, evidenceMs: Int64? = nil) {
        pending[pair] = Pending(price: price, seq: seq, sinceMs: nowMs, evidenceMs: evidenceMs)
    }

    /// The newest quote time among the sources a mark used: a later mark confirms a move only if it
    /// carries a quote newer than this, not merely a new `seq` (a poll cycle re-aggregates the same
    /// still-fresh quotes under a new seq, which is no new evidence).
    public static func evidence(of mark: Mark) -> Int64? {
        mark.sources.lazy.filter { $0.verdict == .used }.compactMap(\.timeMs).max()
    }

    /// A new priceable mark of `pair`: returns true when it confirms a pending move (see the type's
    /// doc comment); a disagreeing new mark becomes the new reference.
    public mutating func observe(pair: String, price: Double, seq: UInt64, evidenceMs: Int64? = nil) -> Bool {
        guard var p = pending[pair], seq != p.seq, price.isFinite, price > 0 else { return false }
        // No newer quote than the reference had: the same evidence re-aggregated, neither a
        // confirmation nor a new reference.
        if let before = p.evidenceMs, let now = evidenceMs, now <= before { return false }
        if abs(price - p.price) <= tolerance * p.price {
            pending[pair] = nil
            return true
        }
        p.price = price
        p.seq = seq
        p.evidenceMs = evidenceMs ?? p.evidenceMs
        pending[pair] = p
        return false
    }

    public func isUnconfirmed(_ pair: String) -> Bool { pending[pair] != nil }

    /// Forget pairs no longer configured (reload).
    public mutating func retain(pairs: Set<String>) {
        pending = pending.filter { pairs.contains($0.key) }
    }
}

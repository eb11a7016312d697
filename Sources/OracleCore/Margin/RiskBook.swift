/// The risk views of every account at one history slot: one `RiskSnapshot` per distinct pair set
/// (an account's positions and non-cash collateral), built when the history moves, and one
/// single-pair volatility per pair for the add-ons.
///
/// Eligibility is per account: the returns behind an account are aligned over its own pairs only,
/// so a pair added by reload (with no history yet) moves only the accounts that hold it to the
/// standard model. A pair set not prepared in advance (an account installed between two slots)
/// is built on demand from the same history — same figures, just not cached.
public struct RiskBook: RiskSource {
    public let history: MarkHistory
    public let policy: MarginPolicy
    public private(set) var snapshots: [[String]: RiskSnapshot] = [:]
    public private(set) var volatilities: [String: PairVolatility] = [:]

    /// Prepares `pairSets` (each sorted) and the volatility of every pair in `pairs`.
    public init(history: MarkHistory, policy: MarginPolicy, pairSets: some Sequence<[String]>, pairs: [String]) {
        self.history = history
        self.policy = policy
        for set in pairSets where !set.isEmpty && snapshots[set] == nil {
            snapshots[set] = RiskSnapshot(history: history, pairs: set, policy: policy)
        }
        for pair in pairs {
            let single = snapshots[[pair]] ?? RiskSnapshot(history: history, pairs: [pair], policy: policy)
            if let v = single.volatility(of: pair) { volatilities[pair] = v }
        }
    }

    public func snapshot(for pairs: [String]) -> RiskSnapshot? {
        guard !pairs.isEmpty else { return nil }
        return snapshots[pairs] ?? RiskSnapshot(history: history, pairs: pairs, policy: policy)
    }

    public func volatility(of pair: String) -> PairVolatility? { volatilities[pair] }
}

import OracleCore

/// oracles.toml after decoding and validation: everything the daemon needs, as typed values.
///
/// Built only by `ConfigLoader`, so a value of this type has passed every cross-reference
/// check: each pair's sources name a defined `[[source]]`, each `convert` names a pair that
/// comes earlier in `pairs`, and each collateral asset is priced by a defined pair.
public struct OracleConfiguration: Sendable, Equatable {
    /// `[daemon]`: paths, polling, syslog and API limits.
    public var daemon: DaemonSettings
    /// `[[source]]` in file order, with per-kind defaults filled in.
    public var sources: [SourceSpec]
    /// `[[pair]]` in dependency order: a pair used in another's `convert` comes first, so one
    /// pass over this array per cycle has every cross rate ready when it is needed.
    public var pairs: [PairSpec]
    /// `[[collateral]]`, always including the margin currency itself (price 1, no haircut).
    public var collateral: [CollateralSpec]
    /// `[margin]`.
    public var margin: MarginPolicy
    /// `[cluster]`; nil for a single node.
    public var cluster: ClusterSettings? = nil
    /// `[[vol]]`: underlyings with an implied-volatility surface (none by default).
    public var vol: [VolSettings] = []
    /// `[store]`: SQLite (default) or a shared PostgreSQL.
    public var store: StoreSettings

    /// Assembles a configuration; `ConfigLoader` is the validating way to get one.
    public init(daemon: DaemonSettings, sources: [SourceSpec], pairs: [PairSpec],
                collateral: [CollateralSpec], margin: MarginPolicy, store: StoreSettings = StoreSettings()) {
        self.daemon = daemon
        self.sources = sources
        self.pairs = pairs
        self.collateral = collateral
        self.margin = margin
        self.store = store
    }

    /// The source named `name`, if defined.
    public func source(named name: String) -> SourceSpec? {
        sources.first { $0.name == name }
    }

    /// The pair with canonical symbol `symbol`, if defined.
    public func pair(_ symbol: String) -> PairSpec? {
        pairs.first { $0.symbol == symbol }
    }
}

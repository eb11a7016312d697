/// What the daemon keeps durably, whatever holds it: SQLite on one machine (`OracleDatabase`, the
/// default) or PostgreSQL shared by a cluster of nodes (`PostgresStore`).
///
/// Synchronous on purpose: the margin desk is one actor whose evaluation, commit and in-memory
/// update must not interleave with another message (an `await` inside would let one in). SQLite
/// blocks the calling thread for a local write; PostgreSQL blocks it for a round trip on a local
/// socket, bounded by the store's statement timeout.
///
/// The cluster parts (`fence`, `scope`, `node`) are nil on a single node; a store that is not shared
/// ignores them.
public protocol StateStore: Sendable {
    /// "sqlite" or "postgresql", for health and metrics.
    var backendName: String { get }

    // Accounts
    func putAccount(_ account: StoredAccount) throws(StoreError)
    /// All or nothing: an import either stores every account or none.
    func putAccounts(_ accounts: [StoredAccount]) throws(StoreError)
    /// Removes the account and its level state (its notices stay: they were sent).
    @discardableResult func deleteAccount(id: String) throws(StoreError) -> Bool
    func account(id: String) throws(StoreError) -> StoredAccount?
    func allAccounts() throws(StoreError) -> [StoredAccount]

    // Mark history
    func appendHistory(_ points: [(pair: String, tsMs: Int64, price: String)]) throws(StoreError)
    func history(pair: String, limit: Int) throws(StoreError) -> [(tsMs: Int64, price: String)]
    func historyPairs() throws(StoreError) -> [String]

    // Level state and the notice outbox
    func levels() throws(StoreError) -> [StoredLevel]
    func level(account: String) throws(StoreError) -> StoredLevel?
    /// Level changes and the notices they produced, in one transaction. With a `fence`, the same
    /// transaction first checks that `fence.node` still holds every shard the rows belong to with the
    /// token it was granted; if not, nothing is written and the error's `fencedShards` says which.
    func commitTransitions(levels: [StoredLevel], notices: [StoredNotice], fence: Fence?,
                           insideTransaction: () -> Void) throws(StoreError)
    /// Notices committed and not delivered. With a `scope`: only those of the scope's shards that no
    /// node has claimed, plus those this node claimed itself (in doubt after a crash).
    func undeliveredNotices(scope: DeliveryScope?, limit: Int) throws(StoreError) -> [StoredNotice]
    /// Before a notice is written to a spool, its deliverer claims it (fenced, committed): another
    /// node then never delivers it too. Returns the ids claimed (all of them without a fence).
    func claim(ids: [String], fence: Fence?) throws(StoreError) -> [String]
    func markDelivered(ids: [String], by node: String?) throws(StoreError)
    /// Delivered notices whose syslog line is not sent yet; with `node`, only those that node
    /// delivered (each node logs what its own spool received).
    func unsyslogged(by node: String?, limit: Int) throws(StoreError) -> [StoredNotice]
    func markSyslogged(ids: [String]) throws(StoreError)
    func notices(account: String?, limit: Int) throws(StoreError) -> [StoredNotice]
    /// A page of the notice history: up to `limit` notices strictly after `cursor` in
    /// (created_at_ms, id) order, oldest first, passing `filter` (account, created at or after sinceMs).
    /// `GET /v1/calls?state=all` and `oraclectl calls --follow` page with it.
    func notices(after cursor: NoticeCursor?, filter: NoticeFilter, limit: Int) throws(StoreError) -> [StoredNotice]
    func notice(id: String) throws(StoreError) -> StoredNotice?
    @discardableResult func acknowledge(noticeID: String, reason: String, by uid: Int64, atMs: Int64) throws(StoreError) -> Bool
    /// A risk manager's hold on an account (nil reason releases it). Creates the level row if needed.
    func setHold(account: String, reason: String?, by uid: Int64, atMs: Int64) throws(StoreError)

    // Slow marks
    func putSlowMarks(_ marks: [StoredSlowMark]) throws(StoreError)
    func slowMarks() throws(StoreError) -> [StoredSlowMark]
}

extension StateStore {
    public func history(pair: String) throws(StoreError) -> [(tsMs: Int64, price: String)] { try history(pair: pair, limit: 5000) }
    public func commitTransitions(levels: [StoredLevel], notices: [StoredNotice], insideTransaction: () -> Void = {}) throws(StoreError) {
        try commitTransitions(levels: levels, notices: notices, fence: nil, insideTransaction: insideTransaction)
    }
    public func undeliveredNotices(limit: Int = 10_000) throws(StoreError) -> [StoredNotice] { try undeliveredNotices(scope: nil, limit: limit) }
    public func markDelivered(ids: [String]) throws(StoreError) { try markDelivered(ids: ids, by: nil) }
    public func unsyslogged() throws(StoreError) -> [StoredNotice] { try unsyslogged(by: nil, limit: 10_000) }
    public func notices(account: String? = nil) throws(StoreError) -> [StoredNotice] { try notices(account: account, limit: 1000) }
}

/// The proof a node still owns what it writes: its name and, per shard, the fencing token its lease
/// was granted with. A token only grows (a new owner gets a new one), so a node that was paused or
/// partitioned past its lease carries a stale token and every fenced write it attempts is refused.
public struct Fence: Sendable, Equatable {
    public var node: String
    public var tokens: [Int: Int64]

    public init(node: String, tokens: [Int: Int64]) {
        self.node = node
        self.tokens = tokens
    }
}

/// Which undelivered notices a node may deliver: those of the shards it holds, and its own claims.
public struct DeliveryScope: Sendable, Equatable {
    public var node: String
    public var shards: Set<Int>
    /// Claims by another node older than this are in doubt past recovery (that node has not come back
    /// to settle them from its spool): the shard's owner delivers them again, flagged. Nil: never.
    public var inDoubtAfterMs: Int64?

    public init(node: String, shards: Set<Int>, inDoubtAfterMs: Int64? = nil) {
        self.node = node
        self.shards = shards
        self.inDoubtAfterMs = inDoubtAfterMs
    }
}

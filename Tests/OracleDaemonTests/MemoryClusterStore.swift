import OracleCore
import OracleStore
import Synchronization

/// A shared store for two or more desks in one test: the `ClusterStore` contract (fencing, claims,
/// leases on the test's clock, the change feed) in memory. A test double that owns time, so the
/// desk's cluster behaviour is tested without PostgreSQL; the same contract is tested against the
/// real PostgreSQL store in the store suites and end to end in ClusterEndToEndTests.
final class MemoryClusterStore: ClusterStore {
    struct Lease { var node: String?; var token: Int64; var expiresAtMs: Int64; var acquiredAtMs: Int64; var takenFrom: String? }
    struct State {
        var nowMs: Int64 = 0
        var accounts: [String: StoredAccount] = [:]
        var levels: [String: StoredLevel] = [:]
        var notices: [String: StoredNotice] = [:]
        var noticeOrder: [String] = []
        var syslogged: Set<String> = []
        var leases: [Int: Lease] = [:]
        var nodes: [String: (heartbeatMs: Int64, startedMs: Int64)] = [:]
        var fenceSeq: Int64 = 0
        var changes: [StoreChange] = []
        var slow: [String: StoredSlowMark] = [:]
        var history: [String: [(tsMs: Int64, price: String)]] = [:]
        var fencingRefusals = 0
        /// Knobs: claims by this node fail (it dies before claiming), marking delivered fails.
        var failClaimsFor: String?
        var failMarkDelivered = false
        /// The whole store unreachable (PostgreSQL stopped): level reads and commits fail.
        var down = false
    }

    private func checkUp() throws(StoreError) {
        if state.withLock({ $0.down }) { throw StoreError("store down (test)", unavailable: true) }
    }

    let state = Mutex(State())
    var backendName: String { "memory" }

    func advance(toMs t: Int64) { state.withLock { $0.nowMs = t } }
    var fencingRefusals: Int { state.withLock { $0.fencingRefusals } }
    func notice(_ id: String) -> StoredNotice? { state.withLock { $0.notices[id] } }

    // MARK: StateStore

    func putAccount(_ a: StoredAccount) throws(StoreError) { try putAccounts([a]) }
    func putAccounts(_ list: [StoredAccount]) throws(StoreError) {
        state.withLock { s in
            for a in list { s.accounts[a.id] = a }
            s.changes.append(StoreChange(seq: Int64(s.changes.count + 1), kind: list.count == 1 ? .account : .accounts, account: list.first?.id ?? ""))
        }
    }
    func deleteAccount(id: String) throws(StoreError) -> Bool {
        state.withLock { s in
            s.levels[id] = nil
            s.changes.append(StoreChange(seq: Int64(s.changes.count + 1), kind: .account, account: id))
            return s.accounts.removeValue(forKey: id) != nil
        }
    }
    func account(id: String) throws(StoreError) -> StoredAccount? { state.withLock { $0.accounts[id] } }
    func allAccounts() throws(StoreError) -> [StoredAccount] { state.withLock { $0.accounts.values.sorted { $0.id < $1.id } } }
    func appendHistory(_ points: [(pair: String, tsMs: Int64, price: String)]) throws(StoreError) {
        state.withLock { s in for p in points { s.history[p.pair, default: []].append((p.tsMs, p.price)) } }
    }
    func history(pair: String, limit: Int) throws(StoreError) -> [(tsMs: Int64, price: String)] {
        state.withLock { Array(($0.history[pair] ?? []).suffix(limit)) }
    }
    func historyPairs() throws(StoreError) -> [String] { state.withLock { $0.history.keys.sorted() } }
    func levels() throws(StoreError) -> [StoredLevel] {
        try checkUp()
        return state.withLock { Array($0.levels.values) }
    }
    func level(account: String) throws(StoreError) -> StoredLevel? { state.withLock { $0.levels[account] } }

    /// The fence check of the contract: every shard the rows belong to is held by the fence's node
    /// with the fence's token and has not expired on the store's clock.
    private static func refused(_ s: State, shards: Set<Int>, fence: Fence?) -> Set<Int> {
        guard let fence else { return [] }
        return shards.filter { shard in
            guard let l = s.leases[shard], let t = fence.tokens[shard] else { return true }
            return !(l.node == fence.node && l.token == t && l.expiresAtMs > s.nowMs)
        }
    }

    func commitTransitions(levels: [StoredLevel], notices: [StoredNotice], fence: Fence?, insideTransaction: () -> Void) throws(StoreError) {
        try checkUp()
        let bad: Set<Int> = state.withLock { s in
            let bad = Self.refused(s, shards: Set(levels.map(\.shard) + notices.map(\.shard)), fence: fence)
            guard bad.isEmpty else { s.fencingRefusals += 1; return bad }
            for l in levels {
                var l = l
                if let old = s.levels[l.account] { (l.holdReason, l.holdBy, l.holdAtMs) = (old.holdReason, old.holdBy, old.holdAtMs) }
                s.levels[l.account] = l
            }
            for n in notices where s.notices[n.id] == nil {
                s.notices[n.id] = n
                s.noticeOrder.append(n.id)
            }
            return []
        }
        if !bad.isEmpty { throw StoreError("fenced", fencedShards: bad) }
    }

    func undeliveredNotices(scope: DeliveryScope?, limit: Int) throws(StoreError) -> [StoredNotice] {
        state.withLock { s in
            s.noticeOrder.compactMap { s.notices[$0] }.filter { n in
                guard !n.delivered else { return false }
                guard let scope else { return true }
                return (n.claimedBy == nil && scope.shards.contains(n.shard)) || n.claimedBy == scope.node
            }.prefix(limit).map { $0 }
        }
    }

    func claim(ids: [String], fence: Fence?) throws(StoreError) -> [String] {
        if state.withLock({ $0.failClaimsFor != nil && $0.failClaimsFor == fence?.node }) { throw StoreError("claim refused (test)", unavailable: true) }
        return state.withLock { s in
            var out: [String] = []
            for id in ids {
                guard var n = s.notices[id], !n.delivered, n.claimedBy == nil || n.claimedBy == fence?.node,
                      Self.refused(s, shards: [n.shard], fence: fence).isEmpty else { continue }
                n.claimedBy = fence?.node
                s.notices[id] = n
                out.append(id)
            }
            return out
        }
    }

    func markDelivered(ids: [String], by node: String?) throws(StoreError) {
        if state.withLock({ $0.failMarkDelivered }) { throw StoreError("mark delivered refused (test)", unavailable: true) }
        state.withLock { s in
            for id in ids { s.notices[id]?.delivered = true; s.notices[id]?.deliveredBy = node }
        }
    }
    func unsyslogged(by node: String?, limit: Int) throws(StoreError) -> [StoredNotice] {
        state.withLock { s in
            s.noticeOrder.compactMap { s.notices[$0] }.filter { $0.delivered && !s.syslogged.contains($0.id) && (node == nil || $0.deliveredBy == node) }
        }
    }
    func markSyslogged(ids: [String]) throws(StoreError) { state.withLock { s in for id in ids { s.syslogged.insert(id) } } }
    func notices(account: String?, limit: Int) throws(StoreError) -> [StoredNotice] {
        state.withLock { s in Array(s.noticeOrder.reversed().compactMap { s.notices[$0] }.filter { account == nil || $0.account == account }.prefix(limit)) }
    }
    func notice(id: String) throws(StoreError) -> StoredNotice? { state.withLock { $0.notices[id] } }
    func notices(after cursor: NoticeCursor?, filter: NoticeFilter, limit: Int) throws(StoreError) -> [StoredNotice] {
        state.withLock { s in
            let all = s.notices.values.filter { n in
                (cursor.map { n.createdAtMs > $0.createdAtMs || (n.createdAtMs == $0.createdAtMs && n.id > $0.id) } ?? true)
                    && (filter.account.map { n.account == $0 } ?? true) && (filter.sinceMs.map { n.createdAtMs >= $0 } ?? true)
            }
            return Array(all.sorted { ($0.createdAtMs, $0.id) < ($1.createdAtMs, $1.id) }.prefix(max(0, limit)))
        }
    }
    func acknowledge(noticeID: String, reason: String, by uid: Int64, atMs: Int64) throws(StoreError) -> Bool {
        state.withLock { s in
            guard s.notices[noticeID] != nil else { return false }
            s.notices[noticeID]?.ackReason = reason
            return true
        }
    }
    func setHold(account: String, reason: String?, by uid: Int64, atMs: Int64) throws(StoreError) {
        state.withLock { s in
            var l = s.levels[account] ?? StoredLevel(account: account, level: "none", sinceMs: atMs)
            (l.holdReason, l.holdBy, l.holdAtMs) = (reason, reason == nil ? nil : uid, reason == nil ? nil : atMs)
            s.levels[account] = l
            s.changes.append(StoreChange(seq: Int64(s.changes.count + 1), kind: .hold, account: account))
        }
    }
    func putSlowMarks(_ marks: [StoredSlowMark]) throws(StoreError) { state.withLock { s in for m in marks { s.slow[m.pair] = m } } }
    func slowMarks() throws(StoreError) -> [StoredSlowMark] { state.withLock { Array($0.slow.values) } }

    // MARK: ClusterStore

    func ensureShards(count: Int) throws(StoreError) {
        state.withLock { s in for i in 0..<count where s.leases[i] == nil { s.leases[i] = Lease(node: nil, token: 0, expiresAtMs: 0, acquiredAtMs: 0) } }
    }
    func heartbeat(node: String, startedAtMs: Int64) throws(StoreError) -> ClusterSnapshot {
        state.withLock { s in
            s.nodes[node] = (s.nowMs, startedAtMs)
            return ClusterSnapshot(serverNowMs: s.nowMs,
                                   nodes: s.nodes.map { NodeRow(node: $0.key, heartbeatAgeMs: s.nowMs - $0.value.heartbeatMs, startedAtMs: $0.value.startedMs) },
                                   leases: s.leases.map { LeaseRow(shard: $0.key, node: $0.value.node, token: $0.value.token,
                                                                   expiresInMs: $0.value.expiresAtMs - s.nowMs, acquiredAtMs: $0.value.acquiredAtMs,
                                                                   takenFrom: $0.value.takenFrom) },
                                   lastChangeSeq: Int64(s.changes.count))
        }
    }
    func acquire(shard: Int, node: String, leaseMs: Int64) throws(StoreError) -> LeaseGrant? {
        state.withLock { s in
            guard let l = s.leases[shard], l.node == nil || l.expiresAtMs <= s.nowMs else { return nil }
            s.fenceSeq += 1
            let from = l.node != nil && l.node != node ? l.node : nil
            s.leases[shard] = Lease(node: node, token: s.fenceSeq, expiresAtMs: s.nowMs + leaseMs, acquiredAtMs: s.nowMs, takenFrom: from)
            return LeaseGrant(shard: shard, token: s.fenceSeq, takenFrom: from)
        }
    }
    func renew(_ held: [Int: Int64], node: String, leaseMs: Int64) throws(StoreError) -> Set<Int> {
        state.withLock { s in
            var out: Set<Int> = []
            for (shard, token) in held {
                guard var l = s.leases[shard], l.node == node, l.token == token else { continue }
                l.expiresAtMs = s.nowMs + leaseMs
                s.leases[shard] = l
                out.insert(shard)
            }
            return out
        }
    }
    func release(_ held: [Int: Int64], node: String) throws(StoreError) {
        state.withLock { s in
            for (shard, token) in held where s.leases[shard]?.node == node && s.leases[shard]?.token == token {
                s.leases[shard]?.node = nil
                s.leases[shard]?.takenFrom = nil
            }
        }
    }
    func accounts(shards: Set<Int>) throws(StoreError) -> [StoredAccount] {
        state.withLock { $0.accounts.values.filter { shards.contains($0.shard) }.sorted { $0.id < $1.id } }
    }
    func levels(shards: Set<Int>) throws(StoreError) -> [StoredLevel] {
        state.withLock { s in s.levels.values.filter { l in s.accounts[l.account].map { shards.contains($0.shard) } ?? false } }
    }
    func changes(after seq: Int64, limit: Int) throws(StoreError) -> [StoreChange] {
        state.withLock { Array($0.changes.dropFirst(Int(seq)).prefix(limit)) }
    }
}

import Foundation
import OracleConfig
import OracleCore
import OracleStore

/// This node's part of a cluster: which shards it may act on, and until when (local monotonic ms).
/// The `LeaseService` decides; the desk only evaluates, commits and delivers for what is in `held`.
struct ShardOwnership: Sendable {
    let settings: ClusterSettings
    var held: [Int: LeaseKeeper.Held] = [:]
    /// Local monotonic ms (the clock the leases' local validity is counted on).
    let monotonicNow: @Sendable () -> Int64

    func shard(of id: String) -> Int { ShardKey.shard(of: id, count: settings.shards) }

    /// The fence for a write now: the shards still valid locally, with their tokens.
    func fence() -> Fence {
        let now = monotonicNow()
        var tokens: [Int: Int64] = [:]
        for (s, h) in held where h.validUntilMs > now { tokens[s] = h.token }
        return Fence(node: settings.node, tokens: tokens)
    }

    func scope() -> DeliveryScope {
        let f = fence()
        return DeliveryScope(node: settings.node, shards: Set(f.tokens.keys), inDoubtAfterMs: settings.inDoubtAfterMs)
    }
}

/// What the desk counts about its part in the cluster (for `/metrics` and `GET /v1/cluster`).
struct ClusterDeskStats: Sendable {
    var fencingRejections = 0
    var shardsGained = 0
    var shardsLost = 0
    var changesApplied = 0
}

extension MarginDesk {
    /// Whether this node evaluates `id` (always on a single node).
    func owns(_ id: String) -> Bool {
        guard let c = cluster else { return true }
        return c.held[c.shard(of: id)] != nil
    }

    func shard(of id: String) -> Int { cluster?.shard(of: id) ?? 0 }

    /// The set of shards this node holds, from the lease service after every round. Idempotent:
    /// shards that left are forgotten (their accounts, machines and holds), shards that arrived are
    /// loaded from the shared store and evaluated at once, and their committed but undelivered
    /// notices (the previous owner's, if it died) are delivered here.
    public func setOwnership(_ held: [Int: LeaseKeeper.Held], nowMs: Int64) {
        guard var c = cluster else { return }
        let before = Set(c.held.keys), after = Set(held.keys)
        let lost = before.subtracting(after), gained = after.subtracting(before)
        if !lost.isEmpty {
            // Deliver what this node claimed for those shards while it still may: afterwards the
            // claims would sit in doubt until the new owner's in-doubt timeout.
            deliverPending()
            for id in accounts.keys where lost.contains(c.shard(of: id)) { evaluator.forget(id) }
            for (id, _) in holds where lost.contains(c.shard(of: id)) { evaluator.forget(id) }
            clusterStats.shardsLost += lost.count
            logger.notice("shards moved away from this node; their accounts are no longer evaluated here",
                          metadata: ["shards": "\(lost.sorted())"])
        }
        c.held = held
        cluster = c
        guard !gained.isEmpty else { return }
        do {
            try load(shards: gained, nowMs: nowMs)
            clusterStats.shardsGained += gained.count
        } catch {
            // Not loaded: act on none of them (the next round offers them again).
            for s in gained { c.held[s] = nil }
            cluster = c
            logger.error("cannot load the accounts of newly held shards; retried at the next lease round",
                         metadata: ["shards": "\(gained.sorted())", "error": "\(error)"])
            return
        }
        deliverPending()
    }

    /// Accounts, levels and holds of `shards` from the shared store, installed and evaluated.
    private func load(shards: Set<Int>, nowMs: Int64) throws {
        guard let store = db as? any ClusterStore else { return }
        let stored = try store.accounts(shards: shards)
        let levels = try store.levels(shards: shards)
        var ids: [String] = []
        for s in stored {
            do {
                evaluator.install(try AccountJSON.decode(s.json, universe: universe))
                ids.append(s.id)
            } catch {
                logger.error("stored account no longer valid under this configuration; fix it with PUT or remove the pair from it",
                             metadata: ["account": "\(s.id)", "error": "\(error)"])
            }
        }
        evaluator.restore(levels: levels.map(Self.restoredLevel))
        evaluator.risk = risk
        apply(evaluator.reevaluate(ids, nowMs: nowMs))
    }

    /// Changes other nodes (or this one) made through the API, from the store's feed: applied to the
    /// accounts this node evaluates, ignored for the others (their owner applies them).
    public func apply(changes: [StoreChange], nowMs: Int64) {
        guard let c = cluster, !changes.isEmpty else { return }
        var reloadAll = false
        var touched: [String] = []
        for ch in changes {
            switch ch.kind {
            case .accounts: reloadAll = true
            case .account, .hold:
                if c.held[c.shard(of: ch.account)] != nil { touched.append(ch.account) }
            }
        }
        clusterStats.changesApplied += changes.count
        do {
            if reloadAll {
                try load(shards: Set(c.held.keys), nowMs: nowMs)
                return
            }
            evaluator.risk = risk
            for id in Set(touched).sorted() {
                guard let stored = try db.account(id: id) else {
                    if accounts[id] != nil { _ = evaluator.remove(id) }
                    continue
                }
                let account = try AccountJSON.decode(stored.json, universe: universe)
                let level = try db.level(account: id)
                let hold = level?.holdReason.map { Held(reason: $0, by: level?.holdBy ?? 0, atMs: level?.holdAtMs ?? 0) }
                if accounts[id] != account { apply(evaluator.put([account], nowMs: nowMs)) }
                if holds[id] != hold { apply(evaluator.setHold(id, hold, nowMs: nowMs)) }
            }
        } catch {
            logger.error("cannot apply account changes from the shared store; the next full load corrects them",
                         metadata: ["error": "\(error)"])
        }
    }

    /// After a fenced commit was refused: this node lost those shards (taken over while it was
    /// paused or cut off). It stops acting on them at once; the lease service confirms next round.
    func fencedOut(_ shards: Set<Int>) {
        guard var c = cluster else { return }
        clusterStats.fencingRejections += 1
        for s in shards { c.held[s] = nil }
        cluster = c
        for id in accounts.keys where shards.contains(c.shard(of: id)) { evaluator.forget(id) }
        logger.warning("the store refused a write for shards this node no longer holds (fencing); they are dropped here",
                       metadata: ["shards": "\(shards.sorted())"])
        syslog.log(.warning, "lost shards \(shards.sorted()) to another node while this one was paused or cut off; its notices for them were refused")
    }

    /// The cluster part of health and `GET /v1/cluster` as this node sees it.
    func clusterDeskJSON() -> JSON {
        guard let c = cluster else { return .null }
        return .object([
            ("node", .string(c.settings.node)),
            ("shards_held", .array(c.held.keys.sorted().map { .int($0) })),
            ("accounts_evaluated", .int(accounts.count)),
            ("fencing_rejections", .int(clusterStats.fencingRejections)),
            ("shards_gained", .int(clusterStats.shardsGained)),
            ("shards_lost", .int(clusterStats.shardsLost)),
            ("changes_applied", .int(clusterStats.changesApplied)),
        ])
    }
}

extension MarginDesk {
    /// `GET /v1/accounts` in a cluster: every account in the shared store, not only this node's.
    /// Levels come from the store (the owners keep them there); values from this node's marks.
    func clusterList() -> JSON {
        let stored = (try? db.allAccounts()) ?? []
        let levels = Dictionary(((try? db.levels()) ?? []).map { ($0.account, $0) }, uniquingKeysWith: { $1 })
        return .object([("accounts", .array(stored.map { s in
            let local = accounts[s.id]
            let account = local ?? (try? AccountJSON.decode(s.json, universe: universe))
            let v = local != nil ? currentValuation(s.id) : account.map { model.value($0, marks: marks, risk: risk, options: evaluator.optionMarket()) }
            let level: String
            if local != nil { level = levelName(s.id) } else if v?.priced == true { level = levels[s.id]?.level ?? "none" } else { level = "unpriced" }
            let since = local != nil ? machines[s.id]?.state.sinceMs : levels[s.id]?.sinceMs
            return .object([
                ("id", .string(s.id)),
                ("level", .string(level)),
                ("ratio", ratioJSON(v)),
                ("equity", .decimal(v?.equity, digits: 2)),
                ("maintenance_requirement", .decimal(v?.maintenanceRequirement, digits: 2)),
                ("deficit", .decimal(v?.deficit, digits: 2)),
                ("since", since.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                ("held", .bool(local != nil ? holds[s.id] != nil : levels[s.id]?.holdReason != nil)),
                ("evaluated_here", .bool(local != nil)),
            ])
        }))])
    }

    /// `GET /v1/calls?state=open` in a cluster: open calls of every node, from the stored levels.
    func clusterOpenCalls() -> JSON {
        let levels = ((try? db.levels()) ?? []).filter { (MarginLevel(rawValue: $0.level) ?? .none).isCall }.sorted { $0.account < $1.account }
        return .object([("calls", .array(levels.map { l in
            let n = (try? db.notices(account: l.account, limit: 1))?.first
            let local = accounts[l.account] != nil
            let v = local ? currentValuation(l.account) : nil
            return .object([
                ("account", .string(l.account)), ("level", .string(l.level)),
                ("since", .string(RFC3339.format(ms: l.sinceMs))),
                ("deadline", l.deadlineMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                ("ratio", local ? ratioJSON(v) : l.ratio.map { .raw($0) } ?? .null),
                ("deficit", .decimal(v?.deficit, digits: 2)),
                ("notice", .optional(n?.id)), ("acknowledged", .optional(n?.ackReason)), ("held", .bool(l.holdReason != nil)),
            ])
        }))])
    }
}

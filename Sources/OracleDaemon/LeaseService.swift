import Logging
import OracleConfig
import OracleCore
import OracleStore
import ServiceLifecycle
import Synchronization

/// A cluster node's lease loop: heartbeat, renew, hand over, take over, and the change feed.
///
/// Every `lease / 4` it records a heartbeat, reads the cluster from the store, and lets the pure
/// `LeaseKeeper` decide what to renew, release and acquire. The desk is told what it holds *before*
/// a shard is released (it stops acting, then lets go) and *after* a grant (it loads the shard and
/// delivers the previous owner's committed notices). A node that misses renewals drops its shards
/// on its own monotonic clock before the server would give them away. Between rounds, every 250 ms,
/// it applies the changes other nodes made through their API (accounts, holds).
///
/// On graceful shutdown it releases every shard, so the other nodes take over at once rather than
/// after a lease.
struct LeaseService: Service {
    let store: any ClusterStore
    let desk: MarginDesk
    let settings: ClusterSettings
    let status: ClusterStatus
    let startedAtMs: Int64
    let logger: Logger
    var monotonicNow: @Sendable () -> Int64 = { Int64(WallClock.monotonicMs()) }
    var wallNow: @Sendable () -> Int64 = { WallClock.nowMs() }

    func run() async throws {
        var keeper = LeaseKeeper(node: settings.node, shards: settings.shards, leaseMs: settings.leaseMs)
        let roundMs = max(100, settings.leaseMs / 4)
        var lastRound: Int64?
        var lastChange: Int64? = nil
        var lastErrorLogged: Int64?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let started = monotonicNow()
            if lastRound.map({ started - $0 >= roundMs }) ?? true {
                lastRound = started
                do {
                    let seen = try store.heartbeat(node: settings.node, startedAtMs: startedAtMs)
                    if lastChange == nil { lastChange = seen.lastChangeSeq }
                    let live = seen.nodes.filter { $0.heartbeatAgeMs < settings.leaseMs }.map(\.node)
                    let leases = Dictionary(seen.leases.map { ($0.shard, LeaseKeeper.Lease(node: $0.node, token: $0.token, expiresInMs: $0.expiresInMs)) },
                                            uniquingKeysWith: { $1 })
                    let round = keeper.plan(.init(liveNodes: live, leases: leases), nowMs: started)
                    if !round.release.isEmpty || !round.expired.isEmpty {
                        // Stop acting first, then let go.
                        var keep = keeper.held
                        for s in round.release.keys { keep[s] = nil }
                        await desk.setOwnership(keep, nowMs: wallNow())
                    }
                    let renewed = round.renew.isEmpty ? [] : try store.renew(round.renew, node: settings.node, leaseMs: settings.leaseMs)
                    if !round.release.isEmpty { try store.release(round.release, node: settings.node) }
                    var granted: [Int: Int64] = [:]
                    var takeovers: [LeaseGrant] = []
                    for s in round.acquire {
                        guard let g = try store.acquire(shard: s, node: settings.node, leaseMs: settings.leaseMs) else { continue }
                        granted[s] = g.token
                        if g.takenFrom != nil { takeovers.append(g) }
                    }
                    let change = keeper.applied(renewed: renewed, attemptedRenew: round.renew, released: round.release,
                                                granted: granted, startedMs: started)
                    await desk.setOwnership(keeper.held, nowMs: wallNow())
                    status.recordRound(seen: seen, held: keeper.held, renewed: renewed.count, takeovers: takeovers,
                                       lost: change.lost.count, wallNowMs: wallNow())
                    for g in takeovers {
                        logger.notice("took over a shard whose owner stopped renewing its lease",
                                      metadata: ["shard": "\(g.shard)", "from": "\(g.takenFrom ?? "")", "token": "\(g.token)"])
                    }
                    if !change.lost.isEmpty {
                        logger.warning("lease renewals refused: shards lost", metadata: ["shards": "\(change.lost.sorted())"])
                    }
                } catch {
                    // The store is unreachable: the leases run out on the local clock and the desk
                    // stops acting on them before any other node may take them.
                    let gone = keeper.expire(nowMs: started)
                    if !gone.isEmpty { await desk.setOwnership(keeper.held, nowMs: wallNow()) }
                    status.recordFailure("\(error)")
                    if lastErrorLogged.map({ started - $0 >= 10_000 }) ?? true || !gone.isEmpty {
                        lastErrorLogged = started
                        logger.error("cannot reach the shared store for the lease round; shards are dropped when their leases run out",
                                     metadata: ["error": "\(error)", "held": "\(keeper.held.count)", "dropped": "\(gone.count)"])
                    }
                }
            }
            if let after = lastChange {
                do {
                    let changes = try store.changes(after: after, limit: 1000)
                    if let last = changes.last {
                        lastChange = last.seq
                        await desk.apply(changes: changes, nowMs: wallNow())
                    }
                } catch {
                    // The next lease round reports the store's state; the feed resumes from `after`.
                }
            }
            let elapsed = monotonicNow() - started
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(max(10, 250 - elapsed))) }
        }
        // Graceful shutdown: deliver, stop acting, hand everything over.
        let held = keeper.tokens(nowMs: monotonicNow())
        await desk.setOwnership([:], nowMs: wallNow())
        if !held.isEmpty {
            do {
                try store.release(held, node: settings.node)
                logger.notice("released every shard for the other nodes", metadata: ["shards": "\(held.count)"])
            } catch {
                logger.warning("could not release shards at shutdown; the other nodes take them when the leases expire",
                               metadata: ["error": "\(error)"])
            }
        }
    }
}

/// The cluster as this node last saw it, for `GET /v1/cluster`, health and `/metrics`.
public final class ClusterStatus: Sendable {
    public struct Snapshot: Sendable {
        public var node: String
        public var shards: Int
        public var leaseMs: Int64
        public var seen: ClusterSnapshot?
        public var held: [Int: LeaseKeeper.Held] = [:]
        public var rounds = 0
        public var renewals = 0
        public var takeovers = 0
        public var leasesLost = 0
        public var lastTakeover: (shard: Int, from: String, atMs: Int64)?
        public var lastRoundAtMs: Int64?
        public var lastError: String?
    }

    private let state: Mutex<Snapshot>

    public init(settings: ClusterSettings) {
        state = Mutex(Snapshot(node: settings.node, shards: settings.shards, leaseMs: settings.leaseMs))
    }

    public func snapshot() -> Snapshot { state.withLock { $0 } }

    func recordRound(seen: ClusterSnapshot, held: [Int: LeaseKeeper.Held], renewed: Int, takeovers: [LeaseGrant], lost: Int, wallNowMs: Int64) {
        state.withLock { s in
            s.seen = seen
            s.held = held
            s.rounds += 1
            s.renewals += renewed
            s.takeovers += takeovers.count
            s.leasesLost += lost
            if let t = takeovers.last { s.lastTakeover = (t.shard, t.takenFrom ?? "", wallNowMs) }
            s.lastRoundAtMs = wallNowMs
            s.lastError = nil
        }
    }

    func recordFailure(_ error: String) {
        state.withLock { $0.lastError = error }
    }
}

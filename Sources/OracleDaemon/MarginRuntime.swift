import Logging
import OracleConfig
import OracleCore
import OracleStore
import OracleSystem
import ServiceLifecycle

/// The margin trigger's pieces for the ServiceGroup: the desk (state), its routes and its service.
struct MarginRuntime {
    var api: any MarginAPI
    /// The desk itself, for the volatility feed (`MarginDesk.onVolatility`).
    var desk: MarginDesk
    /// In group order: the delivery retry schedule, then the trigger (shut down in reverse).
    var services: [any Service]

    static func universe(_ config: OracleConfiguration) -> MarginUniverse {
        MarginUniverse(policy: config.margin, collateral: config.collateral, pairs: config.pairs)
    }

    static func make(config: OracleConfiguration, feed: MarkFeed, reloads: ReloadController, logger: Logger) async throws -> MarginRuntime? {
        // SQLite in state_dir unless [store] names PostgreSQL.
        let db = try StateStoreOpener.open(config, logger: logger)
        let syslog = SyslogWriter(ident: config.daemon.syslogIdent, facility: config.daemon.syslogFacility.code,
                                  socketPath: config.daemon.syslogSocket)
        let clusterStore = try config.cluster.map { c throws(DaemonError) -> any ClusterStore in
            guard let store = db as? any ClusterStore else {
                throw DaemonError("[cluster] needs a store every node shares: set [store] backend = \"postgresql\" and its url, or remove [cluster] to run one node on SQLite")
            }
            try prepare(store, for: c, logger: logger)
            return store
        }
        let desk: MarginDesk
        do {
            desk = try await MarginDesk(db: db, spoolDirectory: config.daemon.spoolDir, syslog: syslog, universe: universe(config), logger: logger,
                                        cluster: config.cluster)
        } catch {
            let place = config.store.backend == .sqlite ? config.daemon.stateDir : "PostgreSQL"
            throw DaemonError("cannot load margin state from \(place): \(error)")
        }
        var services: [any Service] = [DeliveryRetryService(desk: desk),
                                       TriggerService(desk: desk, feed: feed, reloads: reloads, logger: logger)]
        var status: ClusterStatus?
        if let c = config.cluster, let store = clusterStore {
            let s = ClusterStatus(settings: c)
            status = s
            // Last in the group, so first to stop: shards are handed over while the trigger still runs.
            services.append(LeaseService(store: store, desk: desk, settings: c, status: s, startedAtMs: WallClock.nowMs(), logger: logger))
        }
        return MarginRuntime(api: MarginRoutes(desk: desk, cluster: status), desk: desk, services: services)
    }

    /// The lease rows, and the shard of every stored account under this cluster's shard count (a
    /// store first used by a single node has them all in shard 0).
    static func prepare(_ store: any ClusterStore, for c: ClusterSettings, logger: Logger) throws(DaemonError) {
        do {
            try store.ensureShards(count: c.shards)
            let misplaced = try store.allAccounts().compactMap { a -> StoredAccount? in
                let s = ShardKey.shard(of: a.id, count: c.shards)
                guard a.shard != s else { return nil }
                var moved = a
                moved.shard = s
                return moved
            }
            if !misplaced.isEmpty {
                try store.putAccounts(misplaced)
                logger.notice("stored accounts assigned to their cluster shards", metadata: ["accounts": "\(misplaced.count)"])
            }
        } catch {
            throw DaemonError("cannot prepare the cluster in the shared store: \(error)")
        }
    }
}

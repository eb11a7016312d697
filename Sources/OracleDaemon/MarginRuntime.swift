import Logging
import OracleConfig
import OracleCore
import OracleStore
import OracleSystem
import ServiceLifecycle

/// The margin trigger's pieces for the ServiceGroup: the desk (state), its routes and its service.
struct MarginRuntime {
    var api: any MarginAPI
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
        let desk: MarginDesk
        do {
            desk = try await MarginDesk(db: db, spoolDirectory: config.daemon.spoolDir, syslog: syslog, universe: universe(config), logger: logger)
        } catch {
            let place = config.store.backend == .sqlite ? config.daemon.stateDir : "PostgreSQL"
            throw DaemonError("cannot load margin state from \(place): \(error)")
        }
        return MarginRuntime(api: MarginRoutes(desk: desk),
                             services: [DeliveryRetryService(desk: desk),
                                        TriggerService(desk: desk, feed: feed, reloads: reloads, logger: logger)])
    }
}

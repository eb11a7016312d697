import Logging
import OracleConfig
import ServiceLifecycle

/// The margin trigger's pieces for the ServiceGroup. Until accounts exist in the config this is nil.
struct MarginRuntime {
    var api: any MarginAPI
    var service: any Service

    static func make(config: OracleConfiguration, feed: MarkFeed, reloads: ReloadController, logger: Logger) async throws -> MarginRuntime? {
        nil
    }
}

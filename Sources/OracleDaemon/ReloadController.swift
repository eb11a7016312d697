import OracleConfig
import Synchronization

/// SIGHUP and `POST /v1/reload` both end here: load and validate the file; on success hand the new
/// configuration to the services at their next cycle; on failure keep the old one and say why.
public final class ReloadController: Sendable {
    public let configPath: String
    private let pending = Mutex<OracleConfiguration?>(nil)
    private let pendingMargin = Mutex<OracleConfiguration?>(nil)
    private let state: OracleState

    public init(configPath: String, state: OracleState) {
        self.configPath = configPath
        self.state = state
    }

    /// Returns nil on success, or the validation error text (the old configuration stays in force).
    public func reload() async -> String? {
        do {
            let config = try ConfigLoader.load(path: configPath)
            pending.withLock { $0 = config }
            pendingMargin.withLock { $0 = config }
            await state.recordReload(error: nil)
            return nil
        } catch {
            let text = "reload of \(configPath) rejected, keeping the running configuration: \(error)"
            await state.recordReload(error: text)
            return text
        }
    }

    /// The poll loop's view: a new configuration once, then nil.
    public func takePending() -> OracleConfiguration? { pending.withLock { v in defer { v = nil }; return v } }

    /// The margin trigger's view (it picks up the same reload independently).
    public func takePendingMargin() -> OracleConfiguration? { pendingMargin.withLock { v in defer { v = nil }; return v } }
}

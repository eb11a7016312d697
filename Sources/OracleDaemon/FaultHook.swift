#if canImport(Glibc)
import Glibc
#endif

/// Fault-injection hooks for the end-to-end tests, in the style of `ORACLED_FAULT_STALL_FILE`: inert
/// unless the environment variable is set when the daemon starts; then the fault fires once the named
/// file exists. Never set them in production.
enum FaultHook {
    /// `ORACLED_FAULT_KILL_FETCH_FILE`: the fetch loop thread ends as if libcurl failed for good.
    static let killFetchVariable = "ORACLED_FAULT_KILL_FETCH_FILE"
    /// `ORACLED_FAULT_CLOSE_LISTENER_FILE`: the socket listener closes as if accept had failed.
    static let closeListenerVariable = "ORACLED_FAULT_CLOSE_LISTENER_FILE"

    /// The file named by `variable`, or nil when the hook is off.
    static func file(_ variable: String) -> String? {
        guard let raw = getenv(variable) else { return nil }
        let path = String(cString: raw)
        return path.isEmpty ? nil : path
    }

    /// Returns true once `path` exists, false if the task is cancelled first (looks every 50 ms).
    static func waitUntilExists(_ path: String) async -> Bool {
        while !Task.isCancelled {
            if access(path, F_OK) == 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

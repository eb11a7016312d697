import Synchronization

/// Which of the daemon's long-lived parts (the fetch loop thread, the socket listener) have died.
///
/// Why a shared flag: systemd's watchdog is fed by the poll loop alone, and the poll loop keeps
/// cycling when the fetch thread is gone (every fetch fails at once) or the listener is closed
/// (nothing reaches the API). A part's service marks itself dead here before it logs and throws, and
/// the poll loop feeds `WATCHDOG=1` only while nothing is dead, so even if the shutdown that follows
/// hangs, systemd stops hearing from the unit and restarts it.
public final class PartLiveness: Sendable {
    private let dead = Mutex<[String]>([])

    public init() {}

    /// Records that `part` died (idempotent per part).
    public func markDead(_ part: String) {
        dead.withLock { parts in if !parts.contains(part) { parts.append(part) } }
    }

    /// True while no part has died: the only state in which the watchdog may be fed.
    public var allAlive: Bool { dead.withLock { $0.isEmpty } }

    /// The parts that died, in the order they did.
    public var deadParts: [String] { dead.withLock { $0 } }
}

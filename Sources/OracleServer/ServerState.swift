#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Lifecycle state of a `UnixSocketServer`, an actor because `start()` and `shutdown()` may be
/// called from different tasks.
actor ServerState {
    struct Running {
        let listener: Channel
        let acceptTask: Task<Void, Never>
        let inode: ino_t?
    }

    private enum Phase {
        case idle, starting, running(Running), stopped
    }

    private var phase = Phase.idle

    /// True exactly once: the caller may start the server.
    func claimStart() -> Bool {
        guard case .idle = phase else { return false }
        phase = .starting
        return true
    }

    func running(listener: Channel, acceptTask: Task<Void, Never>, inode: ino_t?) {
        phase = .running(Running(listener: listener, acceptTask: acceptTask, inode: inode))
    }

    /// Moves to stopped and returns what must be torn down, or nil if nothing is running.
    func stop() -> Running? {
        defer { phase = .stopped }
        if case .running(let running) = phase { return running }
        return nil
    }
}

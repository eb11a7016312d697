import Synchronization

/// Request-body bytes buffered across all of a server's connections, bounded by
/// `ServerLimits.maxTotalBodyBytes`: per-connection limits alone would let N clients each hold a
/// maximal body at once (N × 32 MiB), so every connection reserves from this shared budget as its
/// body arrives and releases it once the request is handled or the connection ends.
final class BodyBudget: Sendable {
    let capacity: Int
    private let used = Mutex<Int>(0)

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Takes `bytes` from the budget; false (and nothing taken) if that would exceed it.
    func reserve(_ bytes: Int) -> Bool {
        used.withLock { u in
            guard bytes >= 0, u + bytes <= capacity else { return false }
            u += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        used.withLock { $0 = max(0, $0 - bytes) }
    }

    var inUse: Int { used.withLock { $0 } }
}

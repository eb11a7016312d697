/// Where committed notices are delivered: the Maildir spool in production (`SpoolWriter`), an
/// in-memory or failing double in tests. Delivery must be idempotent per notice id (a retry after a
/// partial failure redelivers the same entries) and durable when it returns.
public protocol NoticeSink: AnyObject {
    /// Delivers a batch durably; throws on the first failure (entries before it may be delivered).
    func deliver(_ entries: [SpoolEntry]) throws(SystemError)
    /// Prepares for the next burst off the latency path (spare files); failures are not reported here.
    func replenish()
}

extension SpoolWriter: NoticeSink {}

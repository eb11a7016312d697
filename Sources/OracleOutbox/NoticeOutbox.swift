import Logging
import OracleCore
import OracleStore
import OracleSystem

/// Delivers committed notices from the SQLite outbox to the spool, then to syslog, and keeps
/// retrying — on a short, bounded schedule and audibly — while the spool cannot be written.
///
/// Why chunks: a burst is delivered `chunkSize` notices at a time, each chunk marked delivered
/// before the next starts, and a chunk that fails is halved and retried down to one notice. With
/// one all-or-nothing batch, a burst bigger than the free space (110 calls on a spool with room for
/// 50) could never be delivered at all, however often it was retried; this way everything that fits
/// goes out at once, and the rest follows as space returns.
///
/// Why the writer is re-opened after a failure: the operator may clear a full disk by deleting
/// files, recreate a removed spool directory, or rotate `calls.jsonl`; a fresh `SpoolWriter`
/// re-creates `tmp/`, `new/`, `cur/` and the journal and re-indexes what is already there
/// (delivery stays idempotent, so nothing is doubled).
///
/// Logging is rate-bounded, not suppressed: the first failure, every change of error, and a
/// reminder every `reminderMs` while delivery stays deferred (with the age and the attempts).
///
/// Not thread-safe: owned by the `MarginDesk` actor.
public final class NoticeOutbox {
    /// What health and `/metrics` report about delivery.
    public struct Status: Sendable, Equatable {
        /// Notices committed but not yet in the spool (as of the last attempt).
        public var pending = 0
        /// The last delivery error; nil once a delivery succeeds.
        public var lastError: String?
        /// When delivery first failed in the current deferral (Unix ms); nil when not deferred.
        public var deferredSinceMs: Int64?
        public var lastAttemptMs: Int64?
        /// Failed attempts in the current deferral, and in total since start.
        public var attemptsDeferred = 0
        public var failuresTotal = 0
        public var deliveredTotal = 0
        /// The state database refused the last commit (disk full, I/O error): why, and since when.
        public var commitError: String?
        public var commitFailingSinceMs: Int64?
        public var commitFailuresTotal = 0
        /// From each notice's `created_at` to its delivery into the spool.
        public var deliveryLatency = DeliveryLatency()

        public var isDeferred: Bool { lastError != nil }
        public func deferredSeconds(nowMs: Int64) -> Double {
            deferredSinceMs.map { Double(max(0, nowMs - $0)) / 1000 } ?? 0
        }
    }

    let db: any StateStore
    let directory: String
    let syslog: SyslogWriter
    let logger: Logger
    let now: @Sendable () -> Int64
    let chunkSize: Int
    let reminderMs: Int64
    /// Opens the sink (the spool writer in production); called again after a failure, so a removed
    /// directory or journal is re-created.
    let openSink: () throws -> any NoticeSink
    private var spool: (any NoticeSink)?
    public private(set) var status = Status()
    /// In a cluster (set by the desk before each use): the fence every commit and claim carries, and
    /// which undelivered notices are this node's to deliver. Nil on a single node.
    public var fence: Fence?
    public var scope: DeliveryScope?
    /// The shards the last refused commit was fenced out of (empty when it was not a fencing refusal).
    public private(set) var fencedShards: Set<Int> = []
    private var lastLoggedMs: Int64 = .min
    private var lastCommitLoggedMs: Int64 = .min

    /// - Parameters:
    ///   - now: Unix ms for the status and the log (the daemon passes its wall clock).
    ///   - openSink: defaults to a `SpoolWriter` on `directory`.
    public init(db: any StateStore, directory: String, syslog: SyslogWriter, logger: Logger,
                chunkSize: Int = 32, reminderMs: Int64 = 30_000, now: @escaping @Sendable () -> Int64,
                openSink: (() throws -> any NoticeSink)? = nil) {
        self.db = db
        self.directory = directory
        self.syslog = syslog
        self.logger = logger
        self.chunkSize = max(1, chunkSize)
        self.reminderMs = reminderMs
        self.now = now
        self.openSink = openSink ?? { try SpoolWriter(directory: directory) }
        do {
            spool = try self.openSink()
            spool?.replenish()
        } catch {
            // Not fatal: notices queue in SQLite and delivery retries until the spool can be written.
            fail("\(error)", pending: 0)
        }
    }

    /// Step one: level changes and their notices in one SQLite transaction. False when the store
    /// refused it; the caller must then roll its state back so the next evaluation produces the same
    /// notices again (nothing is lost, nothing is half-recorded). Failures are logged on change and
    /// then every `reminderMs`, not on every retry (evaluations retry every poll cycle).
    public func commit(levels: [StoredLevel], notices: [StoredNotice]) -> Bool {
        fencedShards = []
        do {
            try db.commitTransitions(levels: levels, notices: notices, fence: fence) {
                if !notices.isEmpty { FaultPause.at(.commit) }
            }
        } catch where !error.fencedShards.isEmpty {
            // Not a store failure: another node holds those shards now. The caller drops them.
            fencedShards = error.fencedShards
            return false
        } catch {
            let t = now(), text = "\(error)"
            let changed = status.commitError != text
            if status.commitFailingSinceMs == nil { status.commitFailingSinceMs = t }
            status.commitError = text
            status.commitFailuresTotal += 1
            if changed || t - lastCommitLoggedMs >= reminderMs {
                lastCommitLoggedMs = t
                let age = Int(Double(t - (status.commitFailingSinceMs ?? t)) / 1000)
                logger.critical("cannot commit level changes to the state database; retried from the stored state at every evaluation",
                                metadata: ["error": "\(text)", "failing_seconds": "\(age)", "notices": "\(notices.count)"])
                syslog.log(.critical, "cannot record \(notices.count) margin notices in the state database for \(age) s (free space or fix the state_dir): \(text)")
            }
            return false
        }
        if let since = status.commitFailingSinceMs {
            let age = Int(Double(now() - since) / 1000)
            syslog.log(.notice, "state database writable again after \(age) s; margin notices recorded")
            logger.notice("state database writable again", metadata: ["failing_seconds": "\(age)"])
        }
        status.commitError = nil
        status.commitFailingSinceMs = nil
        lastCommitLoggedMs = .min
        return true
    }

    /// Called on every tick of the retry schedule: cheap when nothing is deferred.
    public func retryIfDeferred() {
        if status.isDeferred || status.pending > 0 { deliverPending() } else { spool?.replenish() }
    }

    /// Delivers the outbox to the spool (in chunks), then the syslog lines. On failure the notices
    /// stay queued in SQLite; health, metrics, the log and syslog say so, and the next tick retries.
    public func deliverPending() {
        var pending: [StoredNotice]
        do {
            pending = try db.undeliveredNotices(scope: scope, limit: 10_000)
            // In a cluster: claimed (fenced, committed) before any spool sees it, so no other node
            // delivers it too; what this node may no longer claim is left to the shard's owner.
            // Its own claims (a delivery this node started before it crashed or lost the shard) it
            // settles without a new claim: only its spool can say whether they were written, and the
            // spool writer skips what it already holds.
            if let fence, !pending.isEmpty {
                let toClaim = pending.filter { $0.claimedBy != fence.node }.map(\.id)
                let claimed = toClaim.isEmpty ? [] : Set(try db.claim(ids: toClaim, fence: fence))
                pending.removeAll { $0.claimedBy != fence.node && !claimed.contains($0.id) }
                for n in pending where n.claimedBy != nil && n.claimedBy != fence.node {
                    logger.warning("delivering a notice another node claimed and never settled (it has not come back); it may be a repeat of the same id",
                                   metadata: ["notice_id": "\(n.id)", "claimed_by": "\(n.claimedBy ?? "")"])
                    syslog.log(.warning, "notice \(n.id) redelivered: node \(n.claimedBy ?? "?") claimed it and never came back; consumers deduplicate by id")
                }
            }
        } catch {
            logger.error("cannot read the notice outbox; retried on the next tick", metadata: ["error": "\(error)"])
            return
        }
        status.pending = pending.count
        if !pending.isEmpty {
            status.lastAttemptMs = now()
            var delivered = 0
            var size = chunkSize
            while delivered < pending.count {
                let chunk = pending[delivered..<min(pending.count, delivered + size)]
                do {
                    if spool == nil { spool = try openSink() }
                    try spool!.deliver(chunk.map { SpoolEntry(id: $0.id, json: $0.json) })
                } catch {
                    // Re-open next time: the directory or the journal may have been removed or replaced.
                    spool = nil
                    // Halve the chunk and try again, down to one notice: on a nearly full disk
                    // whatever fits goes out now (at most log2(chunkSize) extra attempts).
                    if size > 1 {
                        size /= 2
                        continue
                    }
                    status.pending = pending.count - delivered
                    fail("\(error)", pending: status.pending)
                    break
                }
                let deliveredAt = now()
                for n in chunk { status.deliveryLatency.observe(ms: deliveredAt - n.createdAtMs) }
                if delivered == 0 { FaultPause.at(.deliver) }
                do { try db.markDelivered(ids: chunk.map(\.id), by: fence?.node) } catch {
                    // Delivered but not recorded: the next attempt finds them in the spool and skips them.
                    logger.error("cannot record delivered notices; they are skipped at the next attempt", metadata: ["error": "\(error)"])
                }
                delivered += chunk.count
            }
            status.deliveredTotal += delivered
            if delivered == pending.count {
                if status.isDeferred {
                    let waited = status.deferredSeconds(nowMs: now())
                    syslog.log(.notice, "spool \(directory) writable again; \(pending.count) deferred notices delivered after \(Int(waited)) s")
                    logger.notice("spool writable again; deferred notices delivered",
                                  metadata: ["delivered": "\(pending.count)", "deferred_seconds": "\(Int(waited))"])
                }
                status.pending = 0
                status.lastError = nil
                status.deferredSinceMs = nil
                status.attemptsDeferred = 0
                lastLoggedMs = .min
            }
        }
        syslogDelivered()
        spool?.replenish()
    }

    /// Syslog after the spool, tracked separately: a crash in between re-sends the line at the next
    /// delivery (at-least-once) instead of losing it.
    private func syslogDelivered() {
        let unlogged: [StoredNotice]
        do { unlogged = try db.unsyslogged(by: fence?.node, limit: 10_000) } catch {
            logger.error("cannot read which notices still need a syslog line; retried at the next delivery", metadata: ["error": "\(error)"])
            return
        }
        guard !unlogged.isEmpty else { return }
        for n in unlogged {
            let severity = SyslogWriter.Severity(rawValue: (MarginLevel(rawValue: n.level) ?? .warning).syslogPriority) ?? .notice
            syslog.log(severity, n.syslog.isEmpty ? "notice \(n.id)" : n.syslog)
            // The same line through the logger, with fields (journald: ACCOUNT=, LEVEL=, NOTICE_ID=).
            logger.log(level: Self.logLevel(syslogSeverity: severity), "\(n.syslog.isEmpty ? "notice \(n.id)" : n.syslog)",
                       metadata: ["account": "\(n.account)", "level": "\(n.level)", "notice_id": "\(n.id)"])
        }
        do { try db.markSyslogged(ids: unlogged.map(\.id)) } catch {
            logger.error("cannot record syslog delivery; lines may be repeated after a restart", metadata: ["error": "\(error)"])
        }
    }

    static func logLevel(syslogSeverity s: SyslogWriter.Severity) -> Logger.Level {
        switch s {
        case .emergency, .alert, .critical: .critical
        case .error: .error
        case .warning: .warning
        case .notice: .notice
        case .info: .info
        case .debug: .debug
        }
    }

    private func fail(_ text: String, pending: Int) {
        let t = now()
        let changed = status.lastError != text
        if status.deferredSinceMs == nil { status.deferredSinceMs = t }
        status.lastError = text
        status.attemptsDeferred += 1
        status.failuresTotal += 1
        guard changed || t - lastLoggedMs >= reminderMs else { return }
        lastLoggedMs = t
        let age = Int(status.deferredSeconds(nowMs: t))
        let prefix = changed ? "margin notices deferred" : "margin notices still deferred"
        syslog.log(.error, "\(prefix) (\(pending) queued in SQLite for \(age) s, \(status.attemptsDeferred) attempts): spool \(directory) not writable: \(text)")
        logger.error("spool not writable; notices queued durably in SQLite and retried every tick",
                     metadata: ["queued": "\(pending)", "deferred_seconds": "\(age)", "attempts": "\(status.attemptsDeferred)", "error": "\(text)"])
    }
}

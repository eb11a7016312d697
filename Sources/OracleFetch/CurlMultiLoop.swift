import CCurl
import CurlShim
import Glibc

/// libcurl's process-wide initialisation, run once (Swift initialises globals exactly once,
/// thread-safely) before the first multi handle exists, as curl_global_init(3) requires.
private let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

/// Fetches URLs over HTTP(S) with one `curl_multi` handle driven by one dedicated thread.
///
/// Why one thread: libcurl's multi interface multiplexes any number of transfers over non-blocking
/// sockets and shares one connection cache and DNS cache, so a handful of venues polled every
/// second costs one thread, keeps TLS connections warm, and never blocks Swift's cooperative pool.
/// Other threads only append to a queue under a lock and call `curl_multi_wakeup`, the one multi
/// call libcurl documents as safe from any thread.
///
/// Lifecycle: `init` → ``start()`` → any number of ``fetch(_:)`` calls from any task →
/// ``shutdown()``. Requests made before `start()` wait in the queue; after `shutdown()` they fail
/// at once with `cancelled`. The running thread holds a strong reference to the loop, so call
/// `shutdown()` to stop it; dropping the last reference does not.
///
/// `@unchecked Sendable` is safe because: all mutable state shared between threads lives in
/// `shared` (a pthread mutex); the multi handle is touched by the loop thread only, except for
/// `curl_multi_wakeup` (documented thread-safe) and `curl_multi_cleanup` in `deinit`, which
/// cannot run while the thread is alive because the thread retains `self`; the per-transfer state
/// (`CurlTransfer`) changes hands exactly once under the lock.
public final class CurlMultiLoop: @unchecked Sendable {
    /// Default `User-Agent` for requests that do not set their own.
    public let userAgent: String
    /// Cap on open connections across all hosts (CURLMOPT_MAX_TOTAL_CONNECTIONS); more transfers queue inside libcurl.
    public let maxTotalConnections: Int

    let multi: UnsafeMutableRawPointer?
    /// Why `multi` could not be created, if it could not; every fetch then fails with this.
    let setupFailure: FetchError?
    let shared = LockedState(SharedState())

    /// What the calling tasks and the loop thread share; only touched under `shared`'s lock.
    struct SharedState {
        enum Phase { case idle, running, stopping, stopped }
        var phase: Phase = .idle
        var thread: pthread_t?
        var nextID: UInt64 = 1
        /// Requests not yet picked up by the loop thread.
        var pending: [CurlTransfer] = []
        /// Ids the loop thread has taken from `pending` and not yet completed.
        var owned: Set<UInt64> = []
        /// Cancellations for owned ids, for the loop thread to act on.
        var cancelRequests: [UInt64] = []
        /// Cancellations that arrived before the request was enqueued (or after it completed);
        /// the fetch call removes its id when it returns, so this cannot grow.
        var cancelledEarly: Set<UInt64> = []
        /// How the loop ended, once it has (`phase == .stopped`).
        var exit: LoopExit?
        /// Callers of ``waitForExit()`` until the loop ends.
        var exitWaiters: [CheckedContinuation<LoopExit, Never>] = []
        /// Set by ``injectThreadDeath(reason:)`` (tests only): the thread ends as if libcurl had failed.
        var deathRequest: String?
    }

    /// How the loop thread ended.
    public enum LoopExit: Sendable, Equatable {
        /// ``shutdown()`` or ``requestStop()`` asked it to.
        case shutdown
        /// It ended on its own (libcurl failing persistently); nothing is fetched any more.
        case died(String)
    }

    /// Creates the multi handle; no thread runs until ``start()``.
    /// - Parameters:
    ///   - userAgent: sent on every request without its own `userAgent` (venues block empty ones).
    ///   - maxTotalConnections: upper bound on simultaneously open connections (at least 1).
    public init(userAgent: String, maxTotalConnections: Int = 32) {
        self.userAgent = userAgent
        self.maxTotalConnections = max(1, maxTotalConnections)
        if curlGlobalInitResult != CURLE_OK {
            self.multi = nil
            self.setupFailure = FetchError(.other, "libcurl global initialisation failed: \(String(cString: curl_easy_strerror(curlGlobalInitResult)))",
                                           curlCode: Int(curlGlobalInitResult.rawValue))
            return
        }
        guard let multi = curl_multi_init() else {
            self.multi = nil
            self.setupFailure = FetchError(.other, "libcurl could not create a multi handle (out of memory?)")
            return
        }
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, self.maxTotalConnections)
        // Keep as many idle connections cached as may be open, so each venue keeps a warm one.
        _ = shim_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, self.maxTotalConnections)
        self.multi = multi
        self.setupFailure = nil
    }

    deinit {
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Starts the loop thread. Idempotent; does nothing after ``shutdown()``.
    /// - Returns: whether the thread is running (false if it could not be created or has ended).
    @discardableResult
    public func start() -> Bool {
        guard multi != nil else { return false }
        return shared.withLock { state -> Bool in
            guard state.phase == .idle else { return state.phase == .running }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let rc = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let loop = Unmanaged<CurlMultiLoop>.fromOpaque(raw).takeRetainedValue()
                loop.runLoopThread()
                return nil
            }, context)
            if rc == 0 {
                state.thread = thread
                state.phase = .running
                return true
            } else {
                Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
                // Leave `idle`: fetches stay queued and a later start() may succeed.
                return false
            }
        }
    }

    /// Stops the loop: fails every queued and in-flight request with `cancelled`, joins the thread.
    /// Idempotent and safe to call from any thread except the loop thread itself; also joins a
    /// thread that ended on its own.
    public func shutdown() {
        requestStop()
        let thread = shared.withLock { state -> pthread_t? in
            defer { state.thread = nil }
            return state.thread
        }
        if let thread { pthread_join(thread, nil) }
    }

    /// Asks the loop to stop without waiting for it (safe from any thread or task, never blocks):
    /// the thread fails what is left and ends; ``waitForExit()`` then returns `.shutdown`.
    public func requestStop() {
        let (orphans, waiters, wake) = shared.withLock { state -> ([CurlTransfer], [CheckedContinuation<LoopExit, Never>], Bool) in
            switch state.phase {
            case .idle:
                state.phase = .stopped
                state.exit = .shutdown
                let orphans = state.pending
                state.pending = []
                let waiters = state.exitWaiters
                state.exitWaiters = []
                return (orphans, waiters, false)
            case .running:
                state.phase = .stopping
                return ([], [], true)
            case .stopping, .stopped:
                return ([], [], false)
            }
        }
        for transfer in orphans {
            transfer.finish(.failure(FetchError(.cancelled, "fetch loop shut down before the request to \(transfer.host) started")))
        }
        for waiter in waiters { waiter.resume(returning: .shutdown) }
        if wake, let multi { _ = curl_multi_wakeup(multi) }
    }

    /// Suspends until the loop thread has ended and says how: `.shutdown` when asked to stop,
    /// `.died(reason)` when it ended on its own. Returns at once if it already has. Not cancellable
    /// by itself: call ``requestStop()`` from a cancellation handler to end the wait.
    public func waitForExit() async -> LoopExit {
        await withCheckedContinuation { (continuation: CheckedContinuation<LoopExit, Never>) in
            let done = shared.withLock { state -> LoopExit? in
                if let exit = state.exit { return exit }
                state.exitWaiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Whether the loop thread is running (started and not ended).
    public var isRunning: Bool { shared.withLock { $0.phase == .running } }

    /// Fault injection for tests: the loop thread ends at its next wake-up exactly as it does when
    /// libcurl fails persistently (requests fail, ``waitForExit()`` returns `.died(reason)`).
    package func injectThreadDeath(reason: String) {
        shared.withLock { state in state.deathRequest = reason }
        if let multi { _ = curl_multi_wakeup(multi) }
    }

    /// Performs one GET and returns the final response, whatever its status.
    ///
    /// Throws ``FetchError`` (typed) when no response arrived: timeouts, connection and TLS failures,
    /// oversized bodies, an invalid request, task cancellation (the transfer is removed at once and
    /// its connection closed) or loop shutdown. Never blocks a thread of the cooperative pool: the
    /// task suspends on a continuation that the loop thread resumes.
    public func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        if let setupFailure { throw setupFailure }
        if let problem = Self.validate(request) { throw problem }
        let id = shared.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>) in
                let transfer = CurlTransfer(id: id, request: request, continuation: continuation)
                enqueue(transfer)
            }
        } onCancel: {
            cancel(id: id)
        }
        // A cancellation racing with completion may have left the id behind; forget it.
        shared.withLock { state in _ = state.cancelledEarly.remove(id) }
        return try result.get()
    }

    private func enqueue(_ transfer: CurlTransfer) {
        enum Verdict { case queued, cancelled, stopped(LoopExit?) }
        let verdict = shared.withLock { state -> Verdict in
            if state.cancelledEarly.remove(transfer.id) != nil { return .cancelled }
            if state.phase == .stopping || state.phase == .stopped { return .stopped(state.exit) }
            state.pending.append(transfer)
            return .queued
        }
        switch verdict {
        case .queued:
            if let multi { _ = curl_multi_wakeup(multi) }
        case .cancelled:
            transfer.finish(.failure(FetchError(.cancelled, "request to \(transfer.host) cancelled before it started")))
        case .stopped(.died(let reason)):
            transfer.finish(.failure(FetchError(.cancelled, "fetch loop thread died (\(reason)); request to \(transfer.host) not sent")))
        case .stopped:
            transfer.finish(.failure(FetchError(.cancelled, "fetch loop is shut down; request to \(transfer.host) not sent")))
        }
    }

    private func cancel(id: UInt64) {
        let unstarted = shared.withLock { state -> CurlTransfer? in
            if let index = state.pending.firstIndex(where: { $0.id == id }) {
                return state.pending.remove(at: index)
            }
            if state.owned.contains(id) {
                state.cancelRequests.append(id)
            } else {
                state.cancelledEarly.insert(id)
            }
            return nil
        }
        if let unstarted {
            unstarted.finish(.failure(FetchError(.cancelled, "request to \(unstarted.host) cancelled before it started")))
        } else if let multi {
            _ = curl_multi_wakeup(multi)
        }
    }

    /// Requests waiting for the loop thread to pick them up (for tests and metrics).
    var queuedCount: Int { shared.withLock { $0.pending.count } }

    /// Rejects limits libcurl would read as "no limit" and URLs it cannot take.
    static func validate(_ request: FetchRequest) -> FetchError? {
        let host = CurlTransfer.host(of: request.url)
        if request.connectTimeoutMs <= 0 || request.totalTimeoutMs <= 0 {
            return FetchError(.invalidRequest, "timeouts for \(host) must be positive (connect \(request.connectTimeoutMs) ms, total \(request.totalTimeoutMs) ms); 0 would mean wait forever")
        }
        if request.maxBodyBytes < 0 {
            return FetchError(.invalidRequest, "maxBodyBytes for \(host) must not be negative (got \(request.maxBodyBytes))")
        }
        if request.url.isEmpty || request.url.utf8.contains(0) {
            return FetchError(.invalidRequest, "URL is empty or contains a NUL byte; configure an absolute http(s) URL")
        }
        if let ua = request.userAgent, ua.utf8.contains(0) {
            return FetchError(.invalidRequest, "User-Agent for \(host) contains a NUL byte")
        }
        return nil
    }
}

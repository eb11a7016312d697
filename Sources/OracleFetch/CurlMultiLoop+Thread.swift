import CCurl
import CurlShim
import Glibc

extension CurlMultiLoop {
    /// Longest sleep in `curl_multi_poll` when nothing happens; libcurl shortens it for its own
    /// timers and `curl_multi_wakeup` interrupts it, so this only bounds how stale a missed wakeup can be.
    static let pollTimeoutMs: Int32 = 1_000
    /// `curl_multi_poll` failing this many times in a row (10 ms apart, so about 1 s) means the
    /// multi handle is broken for good: the thread ends and says why rather than spin uselessly.
    static let maxConsecutivePollFailures = 100

    /// The loop thread's body: move queued requests into libcurl, act on cancellations, drive
    /// transfers, hand completions back, sleep in `curl_multi_poll` until there is something to do.
    func runLoopThread() {
        guard let multi else { return }
        var worker = CurlWorker(multi: multi, defaultUserAgent: userAgent, poolLimit: min(maxTotalConnections, 16))
        var exit = LoopExit.shutdown
        var pollFailures = 0
        while true {
            let (incoming, cancels, ending) = shared.withLock { state -> ([CurlTransfer], [UInt64], LoopExit?) in
                if state.phase == .stopping { return ([], [], .shutdown) }
                if let reason = state.deathRequest { return ([], [], .died(reason)) }
                let incoming = state.pending
                state.pending = []
                for transfer in incoming { state.owned.insert(transfer.id) }
                let cancels = state.cancelRequests
                state.cancelRequests = []
                return (incoming, cancels, nil)
            }
            if let ending {
                exit = ending
                break
            }
            for transfer in incoming {
                if let failure = worker.begin(transfer) { complete(transfer, .failure(failure)) }
            }
            for id in cancels {
                if let transfer = worker.abort(id: id) {
                    complete(transfer, .failure(FetchError(.cancelled, "request to \(transfer.host) cancelled by the caller")))
                }
            }
            for (transfer, result) in worker.perform() { complete(transfer, result) }
            var readyFDs: Int32 = 0
            let rc = curl_multi_poll(multi, nil, 0, Self.pollTimeoutMs, &readyFDs)
            if rc == CURLM_OK {
                pollFailures = 0
            } else {
                // Cannot happen with a valid handle; if it does, do not spin a core at 100 %, and
                // end (so the daemon's fetch service reports it) if it does not go away.
                pollFailures += 1
                if pollFailures >= Self.maxConsecutivePollFailures {
                    exit = .died("curl_multi_poll failed \(pollFailures) times in a row: \(String(cString: curl_multi_strerror(rc)))")
                    break
                }
                usleep(10_000)
            }
        }

        // Shutting down (or dying): nothing new may enter once the phase is `stopped`, so failing
        // what is left here answers every request exactly once.
        let inFlight = worker.abortAll()
        let (leftovers, waiters) = shared.withLock { state -> ([CurlTransfer], [CheckedContinuation<LoopExit, Never>]) in
            state.phase = .stopped
            state.exit = exit
            let leftovers = state.pending
            state.pending = []
            state.owned.removeAll()
            state.cancelRequests.removeAll()
            let waiters = state.exitWaiters
            state.exitWaiters = []
            return (leftovers, waiters)
        }
        let why: String
        switch exit {
        case .shutdown: why = "fetch loop shut down"
        case .died(let reason): why = "fetch loop thread died (\(reason))"
        }
        for transfer in inFlight + leftovers {
            transfer.finish(.failure(FetchError(.cancelled, "\(why) while the request to \(transfer.host) was pending")))
        }
        worker.releasePool()
        for waiter in waiters { waiter.resume(returning: exit) }
    }

    /// Forgets the id in the shared table, then resumes the caller (in that order, so a cancellation
    /// arriving after completion is recorded as "early" and cleaned up by `fetch`).
    private func complete(_ transfer: CurlTransfer, _ result: Result<FetchResponse, FetchError>) {
        shared.withLock { state in _ = state.owned.remove(transfer.id) }
        transfer.finish(result)
    }
}

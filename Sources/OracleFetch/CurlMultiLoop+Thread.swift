import CCurl
import CurlShim
import Glibc

extension CurlMultiLoop {
    /// Longest sleep in `curl_multi_poll` when nothing happens; libcurl shortens it for its own
    /// timers and `curl_multi_wakeup` interrupts it, so this only bounds how stale a missed wakeup can be.
    static let pollTimeoutMs: Int32 = 1_000

    /// The loop thread's body: move queued requests into libcurl, act on cancellations, drive
    /// transfers, hand completions back, sleep in `curl_multi_poll` until there is something to do.
    func runLoopThread() {
        guard let multi else { return }
        var worker = CurlWorker(multi: multi, defaultUserAgent: userAgent, poolLimit: min(maxTotalConnections, 16))
        while true {
            let (incoming, cancels, stopping) = shared.withLock { state -> ([CurlTransfer], [UInt64], Bool) in
                if state.phase == .stopping { return ([], [], true) }
                let incoming = state.pending
                state.pending = []
                for transfer in incoming { state.owned.insert(transfer.id) }
                let cancels = state.cancelRequests
                state.cancelRequests = []
                return (incoming, cancels, false)
            }
            if stopping { break }
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
            if curl_multi_poll(multi, nil, 0, Self.pollTimeoutMs, &readyFDs) != CURLM_OK {
                // Cannot happen with a valid handle; if it does, do not spin a core at 100 %.
                usleep(10_000)
            }
        }

        // Shutting down: nothing new may enter once the phase is `stopped`, so failing what is left
        // here answers every request exactly once.
        let inFlight = worker.abortAll()
        let leftovers = shared.withLock { state -> [CurlTransfer] in
            state.phase = .stopped
            let leftovers = state.pending
            state.pending = []
            state.owned.removeAll()
            state.cancelRequests.removeAll()
            return leftovers
        }
        for transfer in inFlight + leftovers {
            transfer.finish(.failure(FetchError(.cancelled, "fetch loop shut down while the request to \(transfer.host) was pending")))
        }
        worker.releasePool()
    }

    /// Forgets the id in the shared table, then resumes the caller (in that order, so a cancellation
    /// arriving after completion is recorded as "early" and cleaned up by `fetch`).
    private func complete(_ transfer: CurlTransfer, _ result: Result<FetchResponse, FetchError>) {
        shared.withLock { state in _ = state.owned.remove(transfer.id) }
        transfer.finish(result)
    }
}

import CCurl
import CurlShim

/// The loop thread's private half of ``CurlMultiLoop``: the transfers inside the multi handle and a
/// small pool of idle easy handles. Only the loop thread creates or touches it, so it needs no lock.
struct CurlWorker {
    let multi: UnsafeMutableRawPointer
    let defaultUserAgent: String
    /// Idle easy handles kept for reuse (saves an allocation and keeps per-handle caches warm).
    let poolLimit: Int
    private var active: [UInt64: CurlTransfer] = [:]
    private var idle: [UnsafeMutableRawPointer] = []

    init(multi: UnsafeMutableRawPointer, defaultUserAgent: String, poolLimit: Int) {
        self.multi = multi
        self.defaultUserAgent = defaultUserAgent
        self.poolLimit = max(0, poolLimit)
    }

    /// Configures an easy handle for the transfer and adds it to the multi handle.
    /// Returns the error to answer with when that fails; the transfer is then not active.
    mutating func begin(_ transfer: CurlTransfer) -> FetchError? {
        guard let easy = idle.popLast() ?? curl_easy_init() else {
            return FetchError(.other, "libcurl could not create an easy handle for \(transfer.host) (out of memory?)")
        }
        if let failure = CurlEasyOptions.apply(to: easy, for: transfer, defaultUserAgent: defaultUserAgent) {
            recycle(easy)
            return failure
        }
        let rc = curl_multi_add_handle(multi, easy)
        guard rc == CURLM_OK else {
            recycle(easy)
            return FetchError(.other, "libcurl refused the request to \(transfer.host): \(String(cString: curl_multi_strerror(rc)))",
                              curlCode: Int(rc.rawValue))
        }
        transfer.easy = easy
        active[transfer.id] = transfer
        return nil
    }

    /// Removes a transfer the caller no longer wants; curl closes its connection if it was mid-response.
    mutating func abort(id: UInt64) -> CurlTransfer? {
        guard let transfer = active.removeValue(forKey: id) else { return nil }
        detach(transfer)
        return transfer
    }

    /// Removes every active transfer (shutdown) and returns them for the caller to fail.
    mutating func abortAll() -> [CurlTransfer] {
        let transfers = Array(active.values)
        active.removeAll()
        for transfer in transfers { detach(transfer) }
        return transfers
    }

    /// Drives libcurl once and returns the transfers that finished, with their results.
    mutating func perform() -> [(CurlTransfer, Result<FetchResponse, FetchError>)] {
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
        // Collect first: a CURLMsg is only valid until its handle is removed.
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            done.append((easy, message.pointee.data.result))
        }
        var finished: [(CurlTransfer, Result<FetchResponse, FetchError>)] = []
        for (easy, code) in done {
            guard let transfer = active.values.first(where: { $0.easy == easy }) else {
                // Not ours (cannot happen): still take it out of the multi handle so it cannot spin.
                _ = curl_multi_remove_handle(multi, easy)
                curl_easy_cleanup(easy)
                continue
            }
            let result = CurlEasyOptions.result(of: easy, code: code, transfer: transfer)
            active.removeValue(forKey: transfer.id)
            detach(transfer)
            finished.append((transfer, result))
        }
        return finished
    }

    /// Frees the pooled handles; called once when the loop ends.
    mutating func releasePool() {
        for easy in idle { curl_easy_cleanup(easy) }
        idle.removeAll()
    }

    private mutating func detach(_ transfer: CurlTransfer) {
        guard let easy = transfer.easy else { return }
        transfer.easy = nil
        _ = curl_multi_remove_handle(multi, easy)
        recycle(easy)
    }

    /// Resets a handle (dropping every pointer into a transfer) and pools or frees it.
    private mutating func recycle(_ easy: UnsafeMutableRawPointer) {
        if idle.count < poolLimit {
            curl_easy_reset(easy)
            idle.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }
}

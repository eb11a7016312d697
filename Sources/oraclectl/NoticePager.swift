#if canImport(Glibc)
import Glibc
#endif
import OracleClient

/// Walks `GET /v1/calls?state=all` page by page with the API's cursor: the history, then (`follow`)
/// new notices as they are recorded, each printed exactly once.
///
/// Each poll reads from a little before the newest notice printed (`lateWindowMs`) and skips the ids
/// it printed already. The re-read is for notices committed after a newer one was already visible:
/// nodes of a cluster stamp `created_at` with their own clocks and commit a moment later, and a daemon
/// restarted after a wall-clock step re-anchors its time. A plain cursor would step over those; the
/// window catches any that arrive within it. The state is only (newest time, recent ids), so a poll
/// after a daemon restart — or against another node sharing the store — carries on where it was.
struct NoticePager {
    /// How far back each poll re-reads, and how long printed ids are remembered for it.
    static let lateWindowMs: Int64 = 5_000

    let client: UnixHTTPClient
    let account: String?
    let pageSize: Int
    /// Where the history starts (nil: the first notice).
    let sinceMs: Int64?
    /// The newest `created_at` printed, and the ids printed within `lateWindowMs` of it.
    private var newestMs: Int64?
    private var recent: [String: Int64] = [:]

    init(client: UnixHTTPClient, account: String?, pageSize: Int, sinceMs: Int64?) {
        self.client = client
        self.account = account
        self.pageSize = pageSize
        self.sinceMs = sinceMs
    }

    /// One poll: every page from the window's start, printing notices not printed before.
    mutating func drain(_ print: (JSONValue) -> Void) throws(ClientError) {
        let from = newestMs.map { $0 - Self.lateWindowMs } ?? sinceMs
        var cursor: String?
        while true {
            var target = "/v1/calls?state=all&limit=\(pageSize)"
            if let from { target += "&since=\(max(0, from))" }
            if let cursor { target += "&cursor=" + pathSegment(cursor) }
            if let account { target += "&account=" + pathSegment(account) }
            let reply = try client.send("GET", target)
            try GlobalOptions.checkStatus(reply)
            guard let page = try? JSONValue.parse(reply.body), case .array(let notices)? = page["notices"] else {
                throw ClientError("oracled's answer to \(target) has no \"notices\" array; is the daemon older than this oraclectl?",
                                  kind: .protocol)
            }
            for notice in notices { emit(notice, print) }
            prune()
            guard page["has_more"] == .bool(true), !notices.isEmpty, case .string(let next)? = page["next_cursor"] else { return }
            cursor = next
        }
    }

    /// Polls for ever. A daemon that is down, restarting or answering 5xx is retried (one line on
    /// stderr when it goes away and one when it is back); a 4xx is the caller's mistake and ends it.
    mutating func follow(every seconds: Double, _ print: (JSONValue) -> Void) throws(ClientError) {
        var lost = false
        while true {
            do {
                try drain(print)
                if lost {
                    lost = false
                    Self.note("oracled answers again on \(client.endpoint); following from the last notice printed")
                }
            } catch let e where [.connect, .timeout, .io].contains(e.kind) {
                if !lost {
                    lost = true
                    Self.note("\(e.description); retrying every \(seconds) s")
                }
            }
            usleep(useconds_t(seconds * 1_000_000))
        }
    }

    private mutating func emit(_ notice: JSONValue, _ print: (JSONValue) -> Void) {
        guard case .string(let id)? = notice["id"] else {
            print(notice)
            return
        }
        guard recent[id] == nil else { return }
        // A notice without a readable time is printed once and remembered until the window moves on.
        let created = unixMs(notice["created_at"]) ?? newestMs ?? 0
        print(notice)
        recent[id] = created
        newestMs = max(newestMs ?? created, created)
    }

    private mutating func prune() {
        guard let newestMs else { return }
        let horizon = newestMs - Self.lateWindowMs
        recent = recent.filter { $0.value >= horizon }
    }

    private func unixMs(_ value: JSONValue?) -> Int64? {
        guard case .string(let text)? = value else { return nil }
        return RFC3339Time.unixMs(text)
    }

    static func note(_ text: String) {
        let bytes = Array("oraclectl: \(text)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import OracleClient

/// Walks `GET /v1/calls?state=all` with its cursor: every page of the history, then (`follow`) new
/// notices as they are recorded. The cursor is the only state, so a poll after a daemon restart — or
/// against another node sharing the store — continues exactly after the last notice printed:
/// nothing is skipped and nothing printed twice.
struct NoticePager {
    let client: UnixHTTPClient
    let account: String?
    let pageSize: Int
    /// Where the history starts (nil: the first notice); only used until the first notice gives a cursor.
    let sinceMs: Int64?
    private(set) var cursor: String?

    init(client: UnixHTTPClient, account: String?, pageSize: Int, sinceMs: Int64?) {
        self.client = client
        self.account = account
        self.pageSize = pageSize
        self.sinceMs = sinceMs
    }

    var target: String {
        var q = "/v1/calls?state=all&limit=\(pageSize)"
        if let cursor { q += "&cursor=" + pathSegment(cursor) } else if let sinceMs { q += "&since=\(sinceMs)" }
        if let account { q += "&account=" + pathSegment(account) }
        return q
    }

    /// Fetches and prints pages until one is not full. Any failure is thrown.
    mutating func drain(_ print: (JSONValue) -> Void) throws(ClientError) {
        while try nextPage(print) {}
    }

    /// Polls for ever. A daemon that is down, restarting or answering 5xx is retried at the same
    /// cursor (with one line on stderr when it goes away and one when it is back); a 4xx is the
    /// caller's mistake and ends the command.
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

    /// One request; prints its notices and advances the cursor. True when the page was full.
    private mutating func nextPage(_ print: (JSONValue) -> Void) throws(ClientError) -> Bool {
        let reply = try client.send("GET", target)
        try GlobalOptions.checkStatus(reply)
        guard let page = try? JSONValue.parse(reply.body), case .array(let notices)? = page["notices"] else {
            throw ClientError("oracled's answer to \(target) has no \"notices\" array; is the daemon older than this oraclectl?", kind: .protocol)
        }
        for notice in notices { print(notice) }
        if case .string(let next)? = page["next_cursor"] { cursor = next }
        return page["has_more"] == .bool(true) && !notices.isEmpty
    }

    static func note(_ text: String) {
        let bytes = Array("oraclectl: \(text)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

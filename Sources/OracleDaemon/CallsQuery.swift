import Foundation
import OracleStore

/// The query of `GET /v1/calls`: which view (`state=open`, the accounts in a call now; `state=all`,
/// the notice history) and, for the history, where a page starts and how long it is.
///
/// The history pages with an opaque cursor (`next_cursor` of the previous page) in (created_at_ms, id)
/// order, oldest first; `since` (Unix ms or RFC 3339) and `account` filter it. Asking for a cursor,
/// `since`, `limit` or `account` without a `state` means the history.
public struct CallsQuery: Sendable, Equatable {
    public enum State: String, Sendable { case open, all }

    public static let defaultLimit = 500
    public static let maxLimit = 1000

    public var state: State
    public var cursor: NoticeCursor?
    public var filter: NoticeFilter
    public var limit: Int

    public init(state: State = .open, cursor: NoticeCursor? = nil, filter: NoticeFilter = NoticeFilter(), limit: Int = defaultLimit) {
        self.state = state
        self.cursor = cursor
        self.filter = filter
        self.limit = limit
    }

    /// Parses the query parameters; a bad one is a 400 naming the parameter and what it accepts.
    public init(query: [String: String]) throws(APIProblem) {
        let paging = ["cursor", "since", "limit", "account"].filter { query[$0] != nil }
        switch query["state"] {
        case nil: state = paging.isEmpty ? .open : .all
        case "open": state = .open
        case "all": state = .all
        case let other?: throw APIProblem(400, "state must be \"open\" or \"all\", not \"\(other)\"")
        }
        if state == .open && !paging.isEmpty {
            throw APIProblem(400, "\(paging.joined(separator: ", ")) page the notice history: use state=all (state=open lists the accounts in a call now)")
        }
        cursor = try query["cursor"].map { c throws(APIProblem) in try Self.decodeCursor(c) }
        filter = NoticeFilter(account: query["account"], sinceMs: try query["since"].map { s throws(APIProblem) in try Self.parseTime(s) })
        if let text = query["limit"] {
            guard let n = Int(text), (1...Self.maxLimit).contains(n) else {
                throw APIProblem(400, "limit must be a whole number from 1 to \(Self.maxLimit), not \"\(text.prefix(40))\"")
            }
            limit = n
        } else {
            limit = Self.defaultLimit
        }
    }

    // MARK: Cursor tokens

    /// `c1.` + base64url of `<created_at_ms>:<id>`: opaque to clients (they only hand it back), and
    /// versioned so the encoding can change without old tokens being misread.
    public static func encodeCursor(_ cursor: NoticeCursor) -> String {
        let raw = Data("\(cursor.createdAtMs):\(cursor.id)".utf8).base64EncodedString()
        return "c1." + raw.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decodeCursor(_ token: String) throws(APIProblem) -> NoticeCursor {
        let problem = APIProblem(400, "cursor \"\(token.prefix(60))\" is not one this API gave out; pass next_cursor from a previous page unchanged")
        guard token.hasPrefix("c1.") else { throw problem }
        var b64 = String(token.dropFirst(3)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"), let ms = Int64(text[..<colon]) else { throw problem }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty else { throw problem }
        return NoticeCursor(createdAtMs: ms, id: id)
    }

    // MARK: Times

    /// Unix milliseconds, or an RFC 3339 time (`2026-12-05T10:00:00Z`, offsets and fractions allowed).
    public static func parseTime(_ text: String) throws(APIProblem) -> Int64 {
        if let ms = Int64(text), ms >= 0 { return ms }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let f = ISO8601DateFormatter()
            f.formatOptions = options
            if let date = f.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        }
        throw APIProblem(400, "since must be Unix milliseconds or an RFC 3339 time like 2026-12-05T10:00:00Z, not \"\(text.prefix(40))\"")
    }
}

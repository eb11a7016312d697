import Foundation
import Logging
import OracleCore
import OracleServer
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon

/// `GET /v1/calls?state=all` pages the notice history with an opaque cursor instead of stopping at
/// 500 (issue 11): every notice once, oldest first, `since` and `account` filters, a cursor that
/// resumes after the last notice (which is what `oraclectl calls --follow` polls with), and a 400
/// naming the parameter for bad input. The expected order is a plain sort of the notices written here.
struct CallsPagingTests {
    struct Fixture {
        let routes: MarginRoutes
        let db: OracleDatabase
        let notices: [StoredNotice]
    }

    /// 620 notices (more than the old cap of 500), many sharing a millisecond, two accounts.
    func make() async throws -> Fixture {
        let db = try OracleDatabase.inMemory()
        var notices: [StoredNotice] = []
        for i in 0..<620 {
            let account = i % 4 == 0 ? "acct-b" : "acct-a"
            let id = "\(account)-warning-\(1000 + (i * 37) % 620)"
            notices.append(StoredNotice(id: id, account: account, level: "warning", createdAtMs: 1_000_000 + Int64(i / 5) * 1000,
                                        json: #"{"id":"\#(id)","account":"\#(account)"}"#, delivered: true))
        }
        try db.commitTransitions(levels: [], notices: notices)
        try db.markDelivered(ids: notices.map(\.id))
        try db.markSyslogged(ids: notices.map(\.id))
        let spool = NSTemporaryDirectory() + "calls-\(UUID().uuidString)"
        let universe = MarginUniverse(policy: MarginPolicy(), collateral: [], pairs: MarginRoutesTests.pairs)
        let desk = try await MarginDesk(db: db, spoolDirectory: spool, syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                        universe: universe, logger: Logger(label: "test"))
        return Fixture(routes: MarginRoutes(desk: desk), db: db, notices: notices)
    }

    func get(_ f: Fixture, _ query: [String: String]) async -> (status: Int, json: [String: Any]) {
        let req = APIRequest(method: "GET", path: "/v1/calls", query: query, peer: PeerCredentials(pid: 1, uid: getuid(), gid: 0))
        guard let resp = await f.routes.handle(req, parts: ["calls"], nowMs: 2_000_000), case .bytes(let b) = resp.body else { return (0, [:]) }
        return (resp.status, (try? JSONSerialization.jsonObject(with: Data(b))) as? [String: Any] ?? [:])
    }

    func ids(_ json: [String: Any]) -> [String] { (json["notices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }

    func sorted(_ f: Fixture, _ keep: (StoredNotice) -> Bool = { _ in true }) -> [String] {
        f.notices.filter(keep).sorted { ($0.createdAtMs, $0.id) < ($1.createdAtMs, $1.id) }.map(\.id)
    }

    /// Follows `next_cursor` while `has_more`; returns the ids served and the number of requests.
    func walk(_ f: Fixture, _ base: [String: String]) async -> (ids: [String], requests: Int, lastCursor: String?) {
        var query = base
        var out: [String] = []
        var requests = 0
        while requests < 100 {
            let (status, json) = await get(f, query)
            requests += 1
            #expect(status == 200, "\(json)")
            out += ids(json)
            guard json["has_more"] as? Bool == true, let next = json["next_cursor"] as? String else {
                return (out, requests, json["next_cursor"] as? String)
            }
            query["cursor"] = next
        }
        return (out, requests, nil)
    }

    @Test func historyPagesEveryNoticeOnceBeyondTheOldCap() async throws {
        let f = try await make()
        let first = await get(f, ["state": "all"])
        #expect(ids(first.json).count == 500 && first.json["has_more"] as? Bool == true, "default page is 500 and says more follow")

        let all = await walk(f, ["state": "all"])
        #expect(all.ids == sorted(f), "state=all pages through all 620 in (created_at, id) order")
        #expect(all.requests == 2)
        let small = await walk(f, ["state": "all", "limit": "7"])
        #expect(small.ids == sorted(f))
        #expect(small.requests == 89, "620 / 7 = 88.6 pages")

        // Paging parameters alone mean the history; filters combine.
        let since = await walk(f, ["since": "1100000", "limit": "50"])
        #expect(since.ids == sorted(f) { $0.createdAtMs >= 1_100_000 })
        let rfc = await walk(f, ["since": "1970-01-01T00:18:20Z", "account": "acct-b", "limit": "9"])
        #expect(rfc.ids == sorted(f) { $0.createdAtMs >= 1_100_000 && $0.account == "acct-b" })

        // Following: at the end the cursor stays put, and the next notice is served exactly once.
        let end = try #require(all.lastCursor)
        let idle = await get(f, ["cursor": end])
        #expect(ids(idle.json).isEmpty && idle.json["next_cursor"] as? String == end && idle.json["has_more"] as? Bool == false)
        let later = StoredNotice(id: "acct-a-cured-9", account: "acct-a", level: "cured", createdAtMs: 5_000_000, json: #"{"id":"acct-a-cured-9"}"#)
        try f.db.commitTransitions(levels: [], notices: [later])
        let next = await get(f, ["cursor": end])
        #expect(ids(next.json) == ["acct-a-cured-9"])
        let after = await get(f, ["cursor": try #require(next.json["next_cursor"] as? String)])
        #expect(ids(after.json).isEmpty)

        // No parameters: the open calls, as before.
        let open = await get(f, [:])
        #expect(open.status == 200 && open.json["calls"] is [Any] && open.json["notices"] == nil)
    }

    @Test func badPagingParametersAreRefusedByName() async throws {
        let f = try await make()
        let cases: [([String: String], String)] = [
            (["state": "all", "limit": "0"], "limit"),
            (["state": "all", "limit": "1001"], "limit"),
            (["state": "all", "limit": "ten"], "limit"),
            (["state": "all", "cursor": "c1.!!!"], "cursor"),
            (["state": "all", "cursor": "opaque"], "cursor"),
            (["state": "all", "since": "yesterday"], "since"),
            (["state": "open", "cursor": CallsQuery.encodeCursor(NoticeCursor(createdAtMs: 1, id: "x"))], "state=all"),
            (["state": "closed"], "state"),
        ]
        for (query, word) in cases {
            let (status, json) = await get(f, query)
            let message = (json["error"] as? [String: Any])?["message"] as? String ?? json["error"] as? String ?? ""
            #expect(status == 400 && message.contains(word), "\(query) → \(status) \(message)")
        }
    }

    @Test func cursorTokensRoundTripAnyId() throws {
        for cursor in [NoticeCursor(createdAtMs: 0, id: "a"), NoticeCursor(createdAtMs: 1_733_400_000_123, id: "acct:17/ü-margin_call-3")] {
            let token = CallsQuery.encodeCursor(cursor)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }, "\(token) needs no escaping")
            #expect(try CallsQuery.decodeCursor(token) == cursor)
        }
    }
}

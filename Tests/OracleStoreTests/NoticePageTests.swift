import Testing
import OracleStore

/// `StateStore.notices(after:filter:limit:)`, the pages behind `GET /v1/calls?state=all` and
/// `oraclectl calls --follow`: every notice exactly once in (created_at_ms, id) order, whatever the
/// page size, with many notices in one millisecond. The expected order is a plain sort of the rows
/// written here, not a call to the store. It runs on every backend.
struct NoticePageTests {
    /// 40 notices over 6 milliseconds (ties broken by id), two accounts, written in a shuffled order.
    static func notices() -> [StoredNotice] {
        var out: [StoredNotice] = []
        for i in 0..<40 {
            let ms = Int64(1_000 + (i * 7) % 6)
            let account = i % 3 == 0 ? "acct-b" : "acct-a"
            let id = "\(account)-margin_call-\((i * 13) % 40)"
            out.append(StoredNotice(id: id, account: account, level: "margin_call", createdAtMs: ms, json: #"{"id":"\#(id)"}"#))
        }
        return out
    }

    static func expectedOrder(_ rows: [StoredNotice], _ keep: (StoredNotice) -> Bool = { _ in true }) -> [String] {
        rows.filter(keep).sorted { ($0.createdAtMs, $0.id) < ($1.createdAtMs, $1.id) }.map(\.id)
    }

    /// Pages through with `limit` and returns the ids in the order served, checking each page's size.
    static func walk(_ store: any StateStore, filter: NoticeFilter, limit: Int) throws -> [String] {
        var cursor: NoticeCursor?
        var seen: [String] = []
        while true {
            let page = try store.notices(after: cursor, filter: filter, limit: limit)
            #expect(page.count <= limit)
            seen += page.map(\.id)
            guard let last = page.last, page.count == limit else { return seen }
            cursor = NoticeCursor(after: last)
        }
    }

    static func check(_ store: any StateStore) throws {
        let rows = notices()
        try store.commitTransitions(levels: [], notices: rows)
        let all = expectedOrder(rows)
        #expect(Set(all).count == 40)
        for limit in [1, 3, 7, 40, 1000] {
            #expect(try walk(store, filter: NoticeFilter(), limit: limit) == all, "limit \(limit)")
        }
        #expect(try walk(store, filter: NoticeFilter(account: "acct-b"), limit: 4) == expectedOrder(rows) { $0.account == "acct-b" })
        #expect(try walk(store, filter: NoticeFilter(sinceMs: 1_003), limit: 5) == expectedOrder(rows) { $0.createdAtMs >= 1_003 })
        #expect(try walk(store, filter: NoticeFilter(account: "acct-a", sinceMs: 1_004), limit: 2)
                == expectedOrder(rows) { $0.account == "acct-a" && $0.createdAtMs >= 1_004 })

        // A cursor in the middle of a millisecond resumes after that id, not after the millisecond.
        let tieMs = rows.filter { $0.createdAtMs == 1_002 }.map(\.id).sorted()
        try #require(tieMs.count >= 3)
        let resumed = try store.notices(after: NoticeCursor(createdAtMs: 1_002, id: tieMs[0]), filter: NoticeFilter(), limit: 2).map(\.id)
        #expect(resumed == [tieMs[1], tieMs[2]])

        // Following: the cursor after the last notice returns nothing, then exactly the newer notice.
        let end = NoticeCursor(createdAtMs: 1_005, id: all.last!)
        #expect(try store.notices(after: end, filter: NoticeFilter(), limit: 10).isEmpty)
        let later = StoredNotice(id: "acct-a-cured-1", account: "acct-a", level: "cured", createdAtMs: 2_000, json: "{}")
        try store.commitTransitions(levels: [], notices: [later])
        #expect(try store.notices(after: end, filter: NoticeFilter(), limit: 10).map(\.id) == ["acct-a-cured-1"])
        #expect(try store.notices(after: nil, filter: NoticeFilter(), limit: 0).isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func pagesEveryNoticeOnceInOrder(_ backend: Backend) throws {
        guard let (store, close) = try backend.make() else { return }
        defer { close() }
        try Self.check(store)
    }
}

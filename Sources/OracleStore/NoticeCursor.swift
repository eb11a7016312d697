/// A position in the notice history, which is ordered by (created_at_ms, id): the key of the last
/// notice a page returned. The next page starts strictly after it, so paging never repeats or skips
/// a notice that was already recorded, however many notices share one millisecond.
public struct NoticeCursor: Sendable, Equatable, Hashable {
    public var createdAtMs: Int64
    public var id: String

    public init(createdAtMs: Int64, id: String) {
        self.createdAtMs = createdAtMs
        self.id = id
    }

    public init(after notice: StoredNotice) {
        self.init(createdAtMs: notice.createdAtMs, id: notice.id)
    }
}

/// Which notices a page of history holds, apart from its position.
public struct NoticeFilter: Sendable, Equatable {
    /// Only this account's notices (nil: every account).
    public var account: String?
    /// Only notices created at or after this time, Unix ms (nil: from the first).
    public var sinceMs: Int64?

    public init(account: String? = nil, sinceMs: Int64? = nil) {
        self.account = account
        self.sinceMs = sinceMs
    }
}

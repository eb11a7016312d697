extension VenueAdapters {
    /// `oracled probe --json` output: `{"bid","ask","last","exchange_ts_ms"}` (decimal strings /
    /// integer or null) or `{"error":"<class>","retry_after_s":<int or null>}`. Compact JSON,
    /// keys in that order — scripts and the fixture tests compare it field by field.
    public static func probeJSON(_ result: Result<Quote, VenueError>) -> String {
        switch result {
        case .success(let q):
            return "{\"bid\":\(JSONString.quotedOrNull(q.bid?.text)),\"ask\":\(JSONString.quotedOrNull(q.ask?.text)),\"last\":\(JSONString.quotedOrNull(q.last?.text)),\"exchange_ts_ms\":\(q.exchangeTimestampMs.map { String($0) } ?? "null")}"
        case .failure(let e):
            return "{\"error\":\(JSONString.quotedOrNull(e.errorClass.rawValue)),\"retry_after_s\":\(e.retryAfterSeconds.map { String($0) } ?? "null")}"
        }
    }

}

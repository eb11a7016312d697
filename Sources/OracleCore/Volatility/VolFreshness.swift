/// Remembers, per (source, instrument), the last mark IV and since when it has not changed,
/// so a feed that keeps re-sending one number is caught as `frozen`.
///
/// A value type owned by whoever builds surfaces (one per underlying); it forgets instruments
/// not seen for `forgetAfterMs` so expired options do not accumulate.
public struct VolFreshness: Sendable {
    struct Entry: Sendable { var iv: Double; var sinceMs: Int64; var seenMs: Int64 }
    private var entries: [String: Entry] = [:]
    public var forgetAfterMs: Int64 = 86_400_000

    public init() {}

    /// Records a value at `nowMs` and returns since when it has been unchanged.
    public mutating func observe(source: String, instrument: String, iv: Double, nowMs: Int64) -> Int64 {
        let key = source + "\u{1F}" + instrument
        if var e = entries[key], e.iv == iv {
            e.seenMs = nowMs
            entries[key] = e
            return e.sinceMs
        }
        entries[key] = Entry(iv: iv, sinceMs: nowMs, seenMs: nowMs)
        return nowMs
    }

    /// Drops entries not seen recently.
    public mutating func prune(nowMs: Int64) {
        entries = entries.filter { nowMs - $0.value.seenMs <= forgetAfterMs }
    }

    public var count: Int { entries.count }
}

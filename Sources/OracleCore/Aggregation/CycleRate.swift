/// A pair's outcome in the current cycle, as the pairs that `convert` through it see it.
///
/// Only `ok` and `degraded` carry a price computed from this cycle's fresh quotes; a `stale`
/// (held) or `unavailable` convert pair makes every source converting through it an `error`,
/// because multiplying a fresh quote by an old rate would present an old price as fresh.
struct CycleRate: Sendable {
    var price: Double
    var status: Mark.Status

    static let unavailable = CycleRate(price: .nan, status: .unavailable)

    var isFresh: Bool { status == .ok || status == .degraded }
}

/// Detects a source that keeps repeating itself while the market moves.
///
/// A stuck venue (a cached endpoint, a halted matching engine still answering) returns the same
/// value and the same venue timestamp response after response. Counting *responses*
/// (`SourceSample.responseSeq`) rather than cycles means a slow poll interval, or a cycle where
/// nothing new arrived, never makes a source look frozen. The "others moved" condition keeps a
/// genuinely flat market from being flagged: the pair counts every value change of any of its
/// sources (`pairChanges`), and a source is frozen only if that count grew since its own value
/// last changed (its own changes reset the run, so only other sources can grow it).
///
/// It sits in every source slot and is updated for every source every cycle, so it is kept
/// small and branch-light: presence flags instead of `Optional`s.
struct FrozenTracker: Sendable {
    private var lastResponseSeq: UInt64 = 0
    private var hasResponseSeq = false
    private var hasVenueTimestamp = false
    private var value: Double = .nan
    private var venueTimestampMs: Int64 = 0
    /// New responses identical to the one that started the run.
    private(set) var repeats: Int = 0
    private var pairChangesAtRunStart: UInt64 = 0

    /// Records a response. `value` is nil when the response held no usable value (error or
    /// rejected quote): it counts neither as a repeat nor as a change.
    @inline(__always)
    mutating func observe(responseSeq: UInt64, value newValue: Double?, venueTimestampMs ts: Int64?,
                          pairChanges: inout UInt64) {
        if hasResponseSeq && lastResponseSeq == responseSeq { return }
        lastResponseSeq = responseSeq
        hasResponseSeq = true
        guard let newValue else { return }
        if value.isNaN {
            // First observation: the start of a run, not a move.
            start(newValue, ts)
            pairChangesAtRunStart = pairChanges
        } else if newValue == value && sameTimestamp(ts) {
            repeats += 1
        } else {
            start(newValue, ts)
            pairChanges &+= 1
            pairChangesAtRunStart = pairChanges
        }
    }

    @inline(__always)
    private mutating func start(_ newValue: Double, _ ts: Int64?) {
        value = newValue
        hasVenueTimestamp = ts != nil
        venueTimestampMs = ts ?? 0
        repeats = 0
    }

    @inline(__always)
    private func sameTimestamp(_ ts: Int64?) -> Bool {
        if let ts { return hasVenueTimestamp && ts == venueTimestampMs }
        return !hasVenueTimestamp
    }

    /// Frozen after `threshold` identical new responses while another source moved; `threshold`
    /// ≤ 0 turns detection off.
    @inline(__always)
    func isFrozen(threshold: Int, pairChanges: UInt64) -> Bool {
        threshold > 0 && repeats >= threshold && pairChanges > pairChangesAtRunStart
    }
}

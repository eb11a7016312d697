/// The margin level of one account, as a NIO-style state machine: a `State` value, one mutating
/// method per event, and an `Action` for the owner to perform (write a notice) — no I/O, no clock.
///
/// Rules (thresholds from `LevelThresholds`):
/// - **Gating.** An evaluation on marks that are not trigger-eligible (`stale`/`unavailable`, or
///   `degraded` below `min_trigger_sources`), or with an unpriceable ratio (NaN), changes nothing and
///   notifies nothing — no warning, call, cure or liquidation, not even after a deadline.
/// - **Escalation** notifies at once, at the most severe level reached (none → urgent is one notice).
///   Entering a call (margin_call or urgent from below margin_call) sets the deadline now + call_deadline.
/// - **No re-notice** while a level holds.
/// - **De-escalation** only past the exit ratios: warning → none at `warnExitRatio`, urgent →
///   margin_call at `urgentExitRatio`; both silent (the open call still stands). A call (margin_call,
///   urgent, liquidation) ends only with `cured`: equity ≥ initial requirement and ratio ≥
///   `callExitRatio` (`LevelThresholds.isCured`); the state then returns to `none`.
/// - **Liquidation** needs the ratio below `liquidationRatio` on both the latest mark and the slow
///   mark, or an expired deadline; an evaluation with `liquidationBlocked` (a mass-call update, or a
///   pair whose mass-call move is not yet confirmed) never liquidates (the account goes to urgent at
///   most, flagged `liquidationDeferred`) and the next unblocked evaluation decides.
/// - **Cure beats an expired deadline.** An evaluation that finds the call cured cures it, even if
///   the deadline passed before this evaluation: the deadline means "not cured in time", and the
///   account is cured when it is first looked at again.
/// - **Non-finite figures** (equity, initial requirement, NaN ratio) are not a decision: nothing.
///
/// Notice ids: every notification increments `state.noticeSeq`; `Notice.makeId(account:level:seq:)`
/// turns it into a stable id, so the owner must persist the state (with the counter) together with
/// the notice it writes.
public struct LevelMachine: Sendable, Equatable {
    /// Everything the store persists per account.
    public struct State: Sendable, Equatable {
        /// Never `.cured` (that is a notice, not a resting state).
        public var level: MarginLevel
        /// When `level` was entered (Unix ms); nil for the initial `none`.
        public var sinceMs: Int64?
        /// Call deadline (Unix ms), set on entering a call, cleared by a cure.
        public var deadlineMs: Int64?
        /// Notices issued so far for this account; the last notice's sequence number.
        public var noticeSeq: UInt64

        public init(level: MarginLevel = .none, sinceMs: Int64? = nil, deadlineMs: Int64? = nil, noticeSeq: UInt64 = 0) {
            self.level = level == .cured ? .none : level
            self.sinceMs = sinceMs
            self.deadlineMs = deadlineMs
            self.noticeSeq = noticeSeq
        }
    }

    /// What the owner must do after an event.
    public enum Action: Sendable, Equatable {
        case none
        /// Write a notice at `level` (id sequence: `state.noticeSeq` after the event).
        case notify(MarginLevel, deadlineMs: Int64?, flags: NoticeFlags)
    }

    /// One evaluation of the account on fresh marks.
    public struct Input: Sendable, Equatable {
        /// Adjusted equity / maintenance requirement on the latest marks (+∞ without requirement).
        public var ratio: Double
        /// The same ratio on the slow marks (liquidation confirmation).
        public var slowRatio: Double
        public var equity: Double
        /// Maintenance requirement (for the cure test); derived from equity / ratio when not given.
        public var maintenance: Double
        public var initialRequirement: Double
        /// Every mark used is `ok`, or `degraded` with ≥ min_trigger_sources usable sources.
        public var eligible: Bool
        /// This update moved an unusual share of accounts into call at once (the notice says so).
        public var massCall: Bool
        /// No liquidation now: a mass-call update, or a pair of the account whose mass-call move is
        /// still unconfirmed (`MarginEvaluator`). Implied by `massCall`.
        public var liquidationBlocked: Bool

        public init(ratio: Double, slowRatio: Double, equity: Double, initialRequirement: Double,
                    eligible: Bool, massCall: Bool = false, liquidationBlocked: Bool = false, maintenance: Double? = nil) {
            self.ratio = ratio
            self.slowRatio = slowRatio
            self.equity = equity
            self.maintenance = maintenance ?? (ratio.isInfinite && ratio > 0 ? 0 : equity / ratio)
            self.initialRequirement = initialRequirement
            self.eligible = eligible
            self.massCall = massCall
            self.liquidationBlocked = liquidationBlocked || massCall
        }
    }

    public var thresholds: LevelThresholds
    public private(set) var state: State

    public init(thresholds: LevelThresholds, state: State = State()) {
        self.thresholds = thresholds
        self.state = state
    }

    /// Event: the account was valued on new marks (or changed: deposit, new positions).
    public mutating func markEvaluated(_ input: Input, nowMs: Int64) -> Action {
        guard input.eligible, !input.ratio.isNaN, !input.slowRatio.isNaN,
              input.equity.isFinite, input.initialRequirement.isFinite else { return .none }
        let t = thresholds
        var flags: NoticeFlags = input.massCall ? [.massCall] : []
        // Cure first: a cured call is cured even when its deadline passed before this evaluation.
        if state.level.isCall, t.isCured(equity: input.equity, maintenance: input.maintenance, initial: input.initialRequirement) {
            state = State(level: .none, sinceMs: nowMs, deadlineMs: nil, noticeSeq: state.noticeSeq + 1)
            return .notify(.cured, deadlineMs: nil, flags: flags.intersection(.massCall))
        }
        var target = Self.rawLevel(ratio: input.ratio, slowRatio: input.slowRatio, thresholds: t)
        if state.level.isCall, state.level != .liquidation, let d = state.deadlineMs, nowMs >= d {
            target = .liquidation
            flags.insert(.deadlineExpired)
        }
        if target == .liquidation, input.liquidationBlocked {
            target = .urgent
            flags.remove(.deadlineExpired)
            flags.insert(.liquidationDeferred)
        }
        if target.severity > state.level.severity {
            return escalate(to: target, nowMs: nowMs, flags: flags)
        }
        switch state.level {
        case .marginCall, .urgent, .liquidation:
            if state.level == .urgent, input.ratio >= t.urgentExitRatio {
                state.level = .marginCall
                state.sinceMs = nowMs
            }
        case .warning:
            if input.ratio >= t.warnExitRatio {
                state.level = .none
                state.sinceMs = nowMs
            }
        case .none, .cured:
            break
        }
        return .none
    }

    /// Event: a timer fired at (or after) the call deadline. Liquidates an open call whose deadline
    /// has passed, if the marks are eligible; otherwise the next eligible evaluation does. It knows
    /// nothing of a cure or of an unconfirmed move: `MarginEvaluator` runs `markEvaluated` on a fresh
    /// valuation instead (cure first, liquidation capped while blocked); this is for owners without one.
    public mutating func deadlineReached(nowMs: Int64, eligible: Bool) -> Action {
        guard eligible, state.level == .marginCall || state.level == .urgent,
              let d = state.deadlineMs, nowMs >= d else { return .none }
        return escalate(to: .liquidation, nowMs: nowMs, flags: [.deadlineExpired])
    }

    /// Event: the account was deleted or replaced wholesale; keep the notice counter so ids of a
    /// re-created account never collide with notices already in the spool.
    public mutating func reset() {
        state = State(level: .none, sinceMs: nil, deadlineMs: nil, noticeSeq: state.noticeSeq)
    }

    /// The ratio interval in which `markEvaluated` certainly does nothing: escalation below `low`,
    /// de-escalation or cure at/above `high` (cure also needing equity ≥ initial). The incremental
    /// sweep re-evaluates an account only when prices could have pushed it out of this band.
    public var quietBand: QuietBand {
        let t = thresholds
        switch state.level {
        case .none, .cured: return QuietBand(low: t.warnRatio, high: .infinity, highNeedsInitial: false)
        case .warning: return QuietBand(low: t.callRatio, high: t.warnExitRatio, highNeedsInitial: false)
        case .marginCall: return QuietBand(low: t.urgentRatio, high: t.callExitRatio, highNeedsInitial: true)
        case .urgent: return QuietBand(low: t.liquidationRatio, high: t.urgentExitRatio, highNeedsInitial: false)
        case .liquidation: return QuietBand(low: -.infinity, high: t.callExitRatio, highNeedsInitial: true)
        }
    }

    /// The level a ratio pair reaches by thresholds alone (no deadline, no hysteresis).
    public static func rawLevel(ratio: Double, slowRatio: Double, thresholds t: LevelThresholds) -> MarginLevel {
        if ratio < t.liquidationRatio && slowRatio < t.liquidationRatio { return .liquidation }
        if ratio < t.urgentRatio { return .urgent }
        if ratio < t.callRatio { return .marginCall }
        if ratio < t.warnRatio { return .warning }
        return .none
    }

    private mutating func escalate(to target: MarginLevel, nowMs: Int64, flags: NoticeFlags) -> Action {
        if !state.level.isCall, target == .marginCall || target == .urgent {
            state.deadlineMs = nowMs + thresholds.callDeadlineMs
        } else if !state.level.isCall {
            state.deadlineMs = nil
        }
        state.level = target
        state.sinceMs = nowMs
        state.noticeSeq += 1
        return .notify(target, deadlineMs: state.deadlineMs, flags: flags)
    }
}

/// See `LevelMachine.quietBand`.
public struct QuietBand: Sendable, Equatable {
    /// Below this ratio the account escalates (−∞: nothing below).
    public var low: Double
    /// At or above this ratio it may de-escalate or cure (+∞: nothing above).
    public var high: Double
    /// Crossing `high` matters only together with equity ≥ initial requirement (a cure).
    public var highNeedsInitial: Bool

    public init(low: Double, high: Double, highNeedsInitial: Bool) {
        self.low = low
        self.high = high
        self.highNeedsInitial = highNeedsInitial
    }

    /// Whether an account with these figures is inside the band (nothing to do). Written without
    /// the ratio so that a zero requirement needs no special case: E ≥ L·M and E < max(H·M, I?).
    public func contains(equity e: Double, maintenance m: Double, initial i: Double) -> Bool {
        let aboveLow = !low.isFinite || e >= low * m
        let upper = high.isFinite ? max(high * m, highNeedsInitial ? i : -.infinity) : .infinity
        return aboveLow && e < upper
    }
}

extension MarginEvaluator {
    /// Event: a new set of marks. Feeds the slow marks and the mass-call confirmations with every
    /// new priceable mark (new `seq`), then re-evaluates the holders of the pairs that changed.
    public mutating func marksUpdated(_ new: [String: Mark], nowMs: Int64) -> Actions {
        var out = Actions()
        var changed: Set<String> = []
        var moved: Set<String> = []   // pairs with a new priceable mark: mass-call candidates
        for (pair, mark) in new {
            let old = marks[pair]
            if old?.seq != mark.seq || old?.status != mark.status || old?.price != mark.price {
                changed.insert(pair)
                if MarginModel.isPriceable(mark), let p = mark.price, old?.seq != mark.seq {
                    var s = slowMarks[pair] ?? SlowMark(windowMs: policy.slowMarkWindowMs)
                    s.update(price: p, atMs: mark.updatedAtMs ?? nowMs)
                    slowMarks[pair] = s
                    out.slowMarks[pair] = s
                    if massCall.observe(pair: pair, price: p, seq: mark.seq, evidenceMs: MassCallGuard.evidence(of: mark)) { out.confirmed.append(pair) }
                    moved.insert(pair)
                }
            }
            marks[pair] = mark
        }
        guard !changed.isEmpty else { return out }
        // The holders of the changed pairs, by book slot, each once.
        if pairSlotsDirty { rebuildPairSlots() }
        stamp &+= 1
        if stamp == 0 {
            for i in slotStamp.indices { slotStamp[i] = 0 }
            stamp = 1
        }
        var candidates: [Int32] = []
        for pair in changed {
            guard let p = book.pairIndex[pair] else { continue }
            for slot in pairSlots[Int(p)] where slotStamp[Int(slot)] != stamp {
                slotStamp[Int(slot)] = stamp
                candidates.append(slot)
            }
        }
        var due = screen(slots: candidates)
        for id in unslotted.sorted() where accounts[id].map({ $0.pairsNeeded(in: universe).contains { changed.contains($0) } }) == true {
            due.append(id)
        }
        evaluate(due, nowMs: nowMs, moved: moved, into: &out)
        // A confirmation releases deferred liquidations, including expired deadlines the screen skips.
        if !out.confirmed.isEmpty { deadlines(nowMs: nowMs, into: &out) }
        return out
    }

    /// Event: the volatility surfaces changed (`volatility` replaced). Every account holding an
    /// option on one of `pairs` (all option accounts when nil) is valued afresh and its level machine
    /// runs: a volatility spike with prices unchanged must reach a short option book at once, not at
    /// the next sweep. Option accounts are never in the flat book (`unslotted`), so this is their list.
    public mutating func volatilityUpdated(pairs: Set<String>? = nil, nowMs: Int64) -> Actions {
        var out = Actions()
        let due = unslotted.sorted().filter { id in
            guard let a = accounts[id], a.hasOptions else { return false }
            guard let pairs else { return true }
            return a.positions.contains { $0.option != nil && pairs.contains($0.pair) }
        }
        evaluate(due, nowMs: nowMs, into: &out)
        return out
    }

    /// Event: the periodic sweep — every account (screened), then the deadlines. Any notice it
    /// produces is one the incremental path missed (the owner counts them as corrections).
    public mutating func sweepTick(nowMs: Int64) -> (actions: Actions, corrections: Int) {
        var out = Actions()
        let active = book.isActive
        let all = (0..<active.count).filter { active[$0] }.map { Int32($0) }
        evaluate(screen(slots: all) + unslotted.sorted(), nowMs: nowMs, into: &out)
        let corrections = out.notices.count
        expiries(nowMs: nowMs, into: &out)
        deadlines(nowMs: nowMs, into: &out)
        return (out, corrections)
    }

    /// Event: a timer at or after call deadlines (also part of `sweepTick`); the owner may call it on
    /// every poll cycle: until the earliest open deadline it returns at once. Also settles expired
    /// options (`expiryTick`), equally free until the earliest expiry.
    public mutating func deadlineTick(nowMs: Int64) -> Actions {
        var out = Actions()
        // Expiry settlement first (free until the earliest expiry): a settled account's own
        // evaluation already covers its deadline.
        expiries(nowMs: nowMs, into: &out)
        guard let next = nextDeadlineMs, nowMs >= next else { return out }
        deadlines(nowMs: nowMs, into: &out)
        return out
    }

    /// Open calls (margin_call, urgent) whose deadline passed, not held: evaluated in full on the
    /// current marks. The level machine checks the cure first, so money that arrived before this
    /// check cures instead of liquidating; an unconfirmed move defers the liquidation.
    mutating func deadlines(nowMs: Int64, into out: inout Actions) {
        var due: [String] = []
        var next: Int64?
        // Held accounts are left out: releasing a hold evaluates the account at once, deadline included.
        for (id, m) in machines where accounts[id] != nil && holds[id] == nil
            && (m.state.level == .marginCall || m.state.level == .urgent) {
            guard let d = m.state.deadlineMs else { continue }
            if d <= nowMs { due.append(id) } else { next = min(next ?? d, d) }
        }
        // Due ones that stay open (ineligible marks, an unconfirmed move) keep the scan coming.
        nextDeadlineMs = due.isEmpty ? next : min(next ?? nowMs, nowMs)
        evaluate(due.sorted(), nowMs: nowMs, into: &out)
    }

    /// Of the accounts in book `slots`, those whose level machine could act on the current marks:
    /// the flat book gives each account's standard-model ratio in nanoseconds, and an account whose
    /// ratio stays inside its level's quiet band (`LevelMachine.quietBand`, widened by 0.1 % for
    /// rounding) cannot change level, so its full valuation is skipped. New, unpriced and invalid
    /// accounts are always due. Deadlines are `deadlines`' business. The portfolio model values
    /// every candidate in full.
    mutating func screen(slots: [Int32]) -> [String] {
        // The flat book knows no add-ons or tiered haircuts: with either configured its ratio can be
        // too high, so the screen could skip an account that crosses (MarginUniverse.flatBookIsExact).
        guard screening, policy.model == .standard, universe.flatBookIsExact else {
            return slots.compactMap { book.isActive[Int($0)] ? book.ids[Int($0)] : nil }
        }
        guard !slots.isEmpty else { return [] }
        let prices = SweepPrices(marks: marks, book: book, priceSide: policy.priceSide)
        let units = book.assetUnitValues(prices)
        book.reevaluate(slots: slots, prices: prices, units: units)
        var due: [String] = []
        for s32 in slots {
            let slot = Int(s32)
            guard book.isActive[slot] else { continue }
            let r = book.ratio(slot)
            let band = slotBand[slot]
            if slotForce[slot] || r.isNaN || r < band.low * 1.001 || r >= band.high * 0.999 {
                due.append(book.ids[slot])
            } else {
                screenedOut += 1
            }
        }
        return due
    }

    /// Values `ids` on the current marks and runs their level machines. `moved` are the pairs with
    /// a new mark in this update: the candidates of a mass-call event (empty outside `marksUpdated`).
    mutating func evaluate(_ ids: [String], nowMs: Int64, moved: Set<String> = [], into out: inout Actions) {
        clockMs = max(clockMs, nowMs)
        guard !ids.isEmpty else { return }
        evaluations += ids.count
        out.evaluated += ids.count
        var slow: [String: Mark]?
        var inputs: [(id: String, v: Valuation, input: LevelMachine.Input, pairs: [String])] = []
        inputs.reserveCapacity(ids.count)
        var entering: [String: Int] = [:]
        for id in ids {
            guard let account = accounts[id], let machine = machines[id] else { continue }
            let v = model.value(account, marks: marks, risk: risk, options: optionMarket(nowMs: nowMs))
            valuations[id] = v
            let slot = bookSlot[id]
            if let slot { slotForce[slot] = !v.priced }
            let pairs = account.pairsNeeded(in: universe)
            guard v.priced else {
                // Usable marks but no usable valuation: say so once, never decide on it.
                if v.missingPair == nil, let reason = v.unpricedReason, invalid[id] != reason {
                    invalid[id] = reason
                    out.unpriced.append((id, reason))
                }
                continue
            }
            invalid[id] = nil
            let t = machine.thresholds
            // The slow ratio matters only below the liquidation ratio (both must be below it).
            var slowRatio = v.ratio
            if v.ratio < t.liquidationRatio {
                if slow == nil { slow = slowMarkSet() }
                slowRatio = model.value(account, marks: slow!, risk: risk, options: optionMarket(nowMs: nowMs)).ratio
            }
            let input = LevelMachine.Input(ratio: v.ratio, slowRatio: slowRatio, equity: v.equity,
                                           initialRequirement: v.initialRequirement, eligible: v.triggerEligible,
                                           maintenance: v.maintenanceRequirement)
            if !moved.isEmpty, v.triggerEligible, !machine.state.level.isCall,
               LevelMachine.rawLevel(ratio: v.ratio, slowRatio: slowRatio, thresholds: t).isCall {
                for p in pairs where moved.contains(p) { entering[p, default: 0] += 1 }
            }
            inputs.append((id, v, input, pairs))
        }
        // Mass call: one update pushing an unusual share of a pair's holders into call at once.
        var massPairs: Set<String> = []
        for (pair, n) in entering.sorted(by: { $0.key < $1.key }) {
            let holders = byPair[pair]?.count ?? 0
            guard massCall.isMassCall(entering: n, holders: holders), let price = marks[pair]?.price else { continue }
            massPairs.insert(pair)
            massCall.flag(pair: pair, price: price, seq: marks[pair]?.seq ?? 0, nowMs: nowMs,
                          evidenceMs: marks[pair].flatMap(MassCallGuard.evidence(of:)))
            massCallEvents += 1
            lastMassCallAtMs = nowMs
            out.massCalls.append(MassCallEvent(pair: pair, entering: n, holders: holders, atMs: nowMs))
        }
        let anyPending = !massCall.pending.isEmpty
        for (id, v, var input, pairs) in inputs {
            guard holds[id] == nil, var m = machines[id] else { continue }
            input.massCall = !massPairs.isEmpty && pairs.contains { massPairs.contains($0) }
            input.liquidationBlocked = input.massCall || (anyPending && pairs.contains { massCall.isUnconfirmed($0) })
            let before = m.state
            let action = m.markEvaluated(input, nowMs: nowMs)
            machines[id] = m
            if m.state != before, let slot = bookSlot[id] { slotBand[slot] = m.quietBand }
            if m.state != before { noteDeadline(m.state) }
            if case let .notify(level, deadline, flags) = action {
                var published = v
                if let account = accounts[id] { published.topUps = model.publishedTopUps(v, account: account, marks: marks, risk: risk,
                                                                                      options: optionMarket(nowMs: nowMs)) }
                out.notices.append(Notice(level: level, seq: m.state.noticeSeq, createdAtMs: nowMs, deadlineMs: deadline,
                                          flags: flags, valuation: published, currency: universe.currency))
            }
            if m.state != before { out.levels.append(LevelChange(account: id, state: m.state, ratio: v.ratio)) }
        }
    }

    /// The current marks with each pair's price replaced by its slow mark.
    func slowMarkSet() -> [String: Mark] {
        var out = marks
        for (pair, s) in slowMarks {
            if let v = s.value, var m = out[pair] {
                m.price = v
                out[pair] = m
            }
        }
        return out
    }
}

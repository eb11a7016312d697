import Foundation
import OracleCore
import OracleStore

extension MarginDesk {
    /// PUT /v1/accounts/{id}: validate, store, evaluate at once (a deposit can cure right away).
    public func put(id: String, body: [UInt8], nowMs: Int64) throws(APIProblem) -> JSON {
        guard machinesCurrent() else { throw Self.storeDown }
        let account: Account
        do {
            account = try AccountJSON.decode(Data(body), universe: universe, ignoring: Self.readOnlyKeys)
        } catch {
            // 422 for numbers out of bounds and thresholds that cannot be ordered, 400 otherwise.
            throw APIProblem(error.httpStatus, "account \(id): \(error)")
        }
        guard account.id == id else {
            throw APIProblem(400, "the body's \"id\" (\(account.id)) differs from the path's (\(id)); PUT /v1/accounts/\(account.id) or fix the body")
        }
        do {
            try db.putAccount(StoredAccount(id: id, json: AccountJSON.encode(account), updatedAtMs: nowMs, shard: shard(of: id)))
        } catch {
            throw APIProblem(error.unavailable ? 503 : 500, "\(error)")
        }
        // In a cluster another node may own it: it applies the change from the store's feed.
        guard owns(id) else { return render(id: id) ?? .null }
        evaluator.risk = risk
        apply(evaluator.put([account], nowMs: nowMs))
        return render(id: id) ?? .null
    }

    /// Fields the API adds to an account; a client may send them back with a PUT.
    static let readOnlyKeys: Set<String> = ["equity", "ratio", "level", "since", "deadline", "maintenance_requirement",
                                            "initial_requirement", "deficit", "top_up", "components", "risk", "priced",
                                            "unpriced_reason", "hold", "currency", "last_notice", "account", "marks"]

    /// POST /v1/accounts/import: NDJSON, one account per line. Every line is validated before anything is
    /// stored; a bad line is reported with its number and nothing is imported.
    public func importAccounts(ndjson: [UInt8], nowMs: Int64) throws(APIProblem) -> JSON {
        guard machinesCurrent() else { throw Self.storeDown }
        var parsed: [Account] = []
        var seen: [String: Int] = [:]
        var lineNo = 0
        var start = 0
        let bytes = ndjson
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            lineNo += 1
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { if end == bytes.count { break } else { continue } }
            do {
                let a = try AccountJSON.decode(Data(line), universe: universe, ignoring: Self.readOnlyKeys)
                if let first = seen[a.id] { throw APIProblem(400, "line \(lineNo): account \(a.id) already appears on line \(first); nothing imported") }
                seen[a.id] = lineNo
                parsed.append(a)
            } catch let p as APIProblem {
                throw p
            } catch let e as AccountError {
                throw APIProblem(e.httpStatus, "line \(lineNo): \(e); nothing imported")
            } catch {
                throw APIProblem(400, "line \(lineNo): \(error); nothing imported")
            }
            if end == bytes.count { break }
        }
        do {
            try db.putAccounts(parsed.map { StoredAccount(id: $0.id, json: AccountJSON.encode($0), updatedAtMs: nowMs, shard: shard(of: $0.id)) })
        } catch {
            throw APIProblem(error.unavailable ? 503 : 500, "\(error); nothing imported")
        }
        evaluator.risk = risk
        apply(evaluator.put(parsed.filter { owns($0.id) }, nowMs: nowMs))
        return .object([("imported", .int(parsed.count))])
    }

    public func delete(id: String) throws(APIProblem) -> JSON {
        guard machinesCurrent() else { throw Self.storeDown }
        guard try exists(id) else { throw APIProblem(404, "no account \"\(id)\"") }
        do { try db.deleteAccount(id: id) } catch { throw APIProblem(error.unavailable ? 503 : 500, "\(error)") }
        guard owns(id) else { return .object([("deleted", .string(id))]) }
        let seq = evaluator.remove(id) ?? 0
        // Keep the notice counter durable so a re-created account never reuses a notice id.
        if seq > 0 {
            commit(levels: [StoredLevel(account: id, level: "none", sinceMs: 0, transitionSeq: Int64(seq))], notices: [])
        }
        return .object([("deleted", .string(id))])
    }

    public func hold(id: String, reason: String?, by uid: UInt32, nowMs: Int64) throws(APIProblem) -> JSON {
        guard machinesCurrent() else { throw Self.storeDown }
        guard try exists(id) else { throw APIProblem(404, "no account \"\(id)\"") }
        do { try db.setHold(account: id, reason: reason, by: Int64(uid), atMs: nowMs) } catch { throw APIProblem(error.unavailable ? 503 : 500, "\(error)") }
        if let reason {
            syslog.log(.notice, "account \(id) held by uid \(uid): \(reason)")
        } else {
            syslog.log(.notice, "account \(id) released by uid \(uid)")
        }
        // In a cluster another node may own it: it applies the hold from the store's feed.
        guard owns(id) else { return render(id: id) ?? .null }
        evaluator.risk = risk
        apply(evaluator.setHold(id, reason.map { Held(reason: $0, by: Int64(uid), atMs: nowMs) }, nowMs: nowMs))
        return render(id: id) ?? .null
    }

    static let storeDown = APIProblem(503, "the state store is not answering, so nothing can be changed now; retry when GET /v1/health shows margin.store ok")

    /// Known here, or (in a cluster) to the shared store.
    func exists(_ id: String) throws(APIProblem) -> Bool {
        if accounts[id] != nil { return true }
        guard cluster != nil else { return false }
        do { return try db.account(id: id) != nil } catch { throw APIProblem(503, "\(error)") }
    }

    public func acknowledge(noticeID: String, reason: String, by uid: UInt32, nowMs: Int64) throws(APIProblem) -> JSON {
        do {
            guard try db.acknowledge(noticeID: noticeID, reason: reason, by: Int64(uid), atMs: nowMs) else {
                throw APIProblem(404, "no notice \"\(noticeID)\"; GET /v1/calls lists them")
            }
        } catch let p as APIProblem { throw p } catch { throw APIProblem(500, "\(error)") }
        syslog.log(.notice, "notice \(noticeID) acknowledged by uid \(uid): \(reason)")
        return .object([("acknowledged", .string(noticeID)), ("reason", .string(reason)), ("by_uid", .int(uid))])
    }

    public func list(nowMs: Int64) -> JSON {
        if cluster != nil { return clusterList() }
        return .object([("accounts", .array(accounts.keys.sorted().map { id in
            let v = currentValuation(id)
            let m = machines[id]?.state
            return .object([
                ("id", .string(id)),
                ("level", .string(levelName(id))),
                ("ratio", ratioJSON(v)),
                ("equity", .decimal(v?.equity, digits: 2)),
                ("maintenance_requirement", .decimal(v?.maintenanceRequirement, digits: 2)),
                ("deficit", .decimal(v?.deficit, digits: 2)),
                ("since", m?.sinceMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                ("held", .bool(holds[id] != nil)),
            ])
        }))])
    }

    /// Every mark the account needs can price it and its last valuation was finite (the cheap test
    /// behind `unpriced`, no valuation).
    func isPriced(_ id: String) -> Bool { evaluator.isPriced(id) }

    /// The account valued afresh on the current marks (for the API; cheap for one account).
    func currentValuation(_ id: String) -> Valuation? { evaluator.value(id) }

    func levelName(_ id: String) -> String {
        if !isPriced(id) { return "unpriced" }
        return (machines[id]?.state.level ?? .none).rawValue
    }

    func ratioJSON(_ v: Valuation?) -> JSON {
        guard let v, v.priced else { return .null }
        return v.ratio.isFinite ? .decimal(v.ratio, digits: 6) : .string(v.ratio > 0 ? "inf" : "-inf")
    }

    public func account(id: String, nowMs: Int64) throws(APIProblem) -> JSON {
        guard let j = render(id: id) else { throw APIProblem(404, "no account \"\(id)\"; GET /v1/accounts lists them") }
        return j
    }

    /// The breakdown operators read when a call arrives: every component of equity and requirement.
    /// In a cluster, an account another node evaluates is shown from the shared store: its stored
    /// level state, valued on this node's marks, with `"owner"` saying whose it is.
    func render(id: String) -> JSON? {
        if let account = accounts[id] {
            return render(account, state: machines[id]?.state, hold: holds[id], level: levelName(id), owner: cluster?.settings.node)
        }
        guard cluster != nil, let stored = try? db.account(id: id),
              let account = try? AccountJSON.decode(stored.json, universe: universe) else { return nil }
        let level = try? db.level(account: id)
        let state = level.map { Self.restoredLevel($0).state }
        let hold = level.flatMap { Self.restoredLevel($0).hold }
        let v = model.value(account, marks: marks, risk: risk, options: evaluator.optionMarket())
        return render(account, state: state, hold: hold, level: v.priced ? (state?.level ?? .none).rawValue : "unpriced", owner: nil)
    }

    func render(_ account: Account, state st: LevelMachine.State?, hold: Held?, level: String, owner: String?) -> JSON {
        let id = account.id
        let v = model.value(account, marks: marks, risk: risk, options: evaluator.optionMarket())
        let lastNotice = (try? db.notices(account: id, limit: 1))?.first
        var fields: [(String, JSON)] = [
            ("id", .string(id)),
            ("level", .string(level)),
            ("since", st?.sinceMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("deadline", st?.deadlineMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
            ("priced", .bool(v.priced)),
            ("unpriced_reason", .optional(v.unpricedReason)),
            ("currency", .string(universe.currency)),
            ("equity", .decimal(v.equity, digits: 2)),
            ("maintenance_requirement", .decimal(v.maintenanceRequirement, digits: 2)),
            ("initial_requirement", .decimal(v.initialRequirement, digits: 2)),
            ("ratio", ratioJSON(v)),
            ("deficit", .decimal(v.deficit, digits: 2)),
            ("top_up", .object(model.publishedTopUps(v, account: account, marks: marks, risk: risk, options: evaluator.optionMarket()).map { ($0.asset, .decimal($0.amount, digits: 8)) })),
            ("components", .object([
                ("collateral", .array(v.collateral.map { c in
                    .object([("asset", .string(c.asset)), ("amount", .decimal(c.amount)), ("price", .decimal(c.price)),
                             ("haircut", .decimal(c.haircut, digits: 4)), ("value", .decimal(c.value, digits: 2))])
                })),
                ("positions", .array(v.positions.map { p in
                    var line: [(String, JSON)] = [
                        ("pair", .string(p.pair)), ("quantity", .decimal(p.quantity)), ("entry_price", .decimal(p.entryPrice)),
                        ("mark", .decimal(p.markPrice)), ("valuation_price", .decimal(p.valuationPrice)),
                        ("notional", .decimal(p.notional, digits: 2)), ("unrealised_pnl", .decimal(p.unrealisedPnl, digits: 2)),
                        ("maintenance", .decimal(p.maintenance, digits: 2)), ("initial", .decimal(p.initial, digits: 2)),
                        ("liquidity_addon", .decimal(p.liquidityAddOn, digits: 2)),
                        ("concentration_addon", .decimal(p.concentrationAddOn, digits: 2))]
                    if let o = p.option {
                        line.insert(("option", OptionJSON.contract(o)), at: 1)
                        line.append(("option_price", .decimal(p.valuationPrice, digits: 6)))
                        line.append(("volatility", .decimal(p.volatility, digits: 6)))
                        line.append(("greeks", p.greeks.map(OptionJSON.greeks) ?? .null))
                    } else if p.inOptionGrid {
                        line.append(("in_option_grid", .bool(true)))
                    }
                    return .object(line)
                })),
            ])),
            ("risk", .object([
                ("model", .string(v.riskModel.description)),
                ("model_fallback", .optional(v.riskModel.fallbackReason)),
                ("var", .decimal(v.valueAtRisk, digits: 2)),
                ("es", .decimal(v.expectedShortfall, digits: 2)),
                ("liquidity_addon", .decimal(v.liquidityAddOn, digits: 2)),
                ("concentration_addon", .decimal(v.concentrationAddOn, digits: 2)),
                ("stress_floor", .decimal(v.stressFloor, digits: 2)),
                ("scenario_floor", .decimal(v.scenarioFloor, digits: 2)),
                ("standard_maintenance", .decimal(v.standardMaintenance, digits: 2)),
                ("standard_initial", .decimal(v.standardInitial, digits: 2)),
                ("option_grid", v.optionMargin.map(OptionJSON.grid) ?? .null),
            ])),
            ("greeks", v.optionMargin.map(OptionJSON.accountGreeks) ?? .null),
            ("marks", .array(v.marks.map { m in
                .object([("pair", .string(m.pair)), ("price", .decimal(m.price)), ("confidence", .decimal(m.confidence)),
                         ("sources", .int(m.sources)), ("status", .string(m.status.rawValue))])
            })),
            ("hold", hold.map { h in .object([("reason", .string(h.reason)), ("by_uid", .int(h.by)), ("at", .string(RFC3339.format(ms: h.atMs)))]) } ?? .null),
            ("last_notice", lastNotice.map { n in
                .object([("id", .string(n.id)), ("level", .string(n.level)), ("created_at", .string(RFC3339.format(ms: n.createdAtMs))),
                         ("acknowledged", n.ackReason.map { .string($0) } ?? .null)])
            } ?? .null),
            ("account", .raw(AccountJSON.encode(account))),
        ]
        fields.removeAll { $0.0 == "unpriced_reason" && v.priced }
        if cluster != nil { fields.insert(("evaluated_by", owner.map { .string($0) } ?? .string("another node")), at: 1) }
        return .object(fields)
    }

    /// GET /v1/calls?state=open: accounts at margin_call or worse, with their latest notice.
    /// GET /v1/calls?state=all: one page of the notice history (see `CallsQuery`), oldest first, with
    /// `next_cursor` (resume after this page's last notice, also to poll for newer ones; the request's
    /// own cursor when the page is empty) and `has_more` (the page is full: ask again at once).
    public func calls(_ query: CallsQuery, nowMs: Int64) throws(APIProblem) -> JSON {
        switch query.state {
        case .open where cluster != nil:
            return clusterOpenCalls()
        case .open:
            let open = machines.filter { accounts[$0.key] != nil && $0.value.state.level.isCall }.keys.sorted()
            return .object([("calls", .array(open.map { id in
                let st = machines[id]!.state
                let n = (try? db.notices(account: id, limit: 1))?.first
                return .object([
                    ("account", .string(id)), ("level", .string(st.level.rawValue)),
                    ("since", st.sinceMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                    ("deadline", st.deadlineMs.map { .string(RFC3339.format(ms: $0)) } ?? .null),
                    ("ratio", ratioJSON(currentValuation(id))), ("deficit", .decimal(currentValuation(id)?.deficit, digits: 2)),
                    ("notice", .optional(n?.id)), ("acknowledged", .optional(n?.ackReason)), ("held", .bool(holds[id] != nil)),
                ])
            }))])
        case .all:
            let page: [StoredNotice]
            do { page = try db.notices(after: query.cursor, filter: query.filter, limit: query.limit) } catch { throw APIProblem(error.unavailable ? 503 : 500, "\(error)") }
            let next = page.last.map(NoticeCursor.init(after:)) ?? query.cursor
            return .object([
                ("notices", .array(page.map { Self.withDeliverer($0) })),
                ("next_cursor", .optional(next.map(CallsQuery.encodeCursor))),
                ("has_more", .bool(page.count == query.limit)),
            ])
        }
    }

    /// The notice as it was sent, plus (in a cluster) `"delivered_by"`: the node whose spool holds it.
    static func withDeliverer(_ n: StoredNotice) -> JSON {
        guard let node = n.deliveredBy, n.json.hasSuffix("}") else { return .raw(n.json) }
        return .raw(String(n.json.dropLast()) + ",\"delivered_by\":" + JSON.string(node).rendered + "}")
    }

    /// POST /v1/whatif: which accounts would reach which level under relative price shocks
    /// (`shocks`, per pair: price × (1 + s)) and relative volatility shocks (`vol_shocks`, per
    /// `[[vol]]` underlying or its pair: every σ of the surface × (1 + s), `ShockedVolatility`).
    /// Options are re-valued and their grid re-run on the shocked marks and σ; nothing is written.
    public func whatIf(body: [UInt8]) throws(APIProblem) -> JSON {
        let usage = #"expected {"shocks": {"BTC-USD": "-0.2"}, "vol_shocks": {"BTC": "+0.3"}} (relative moves, as strings or numbers; either may be left out)"#
        guard let obj = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { throw APIProblem(400, usage) }
        let shocks = obj["shocks"] as? [String: Any], volShocks = obj["vol_shocks"] as? [String: Any]
        guard shocks != nil || volShocks != nil,
              obj["shocks"] == nil || shocks != nil, obj["vol_shocks"] == nil || volShocks != nil else { throw APIProblem(400, usage) }
        func number(_ raw: Any) -> Double? { (raw as? String).flatMap { DecimalText.parse($0) } ?? (raw as? NSNumber)?.doubleValue }
        var shocked = marks
        var applied: [(String, JSON)] = []
        for (pair, raw) in (shocks ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let s = number(raw), s.isFinite, s > -1 else { throw APIProblem(400, "shocks.\(pair): expected a relative move > -1 such as \"-0.2\"") }
            guard var m = shocked[pair], let p = m.price else { throw APIProblem(400, "shocks.\(pair): unknown or unpriced pair") }
            m.price = p * (1 + s)
            shocked[pair] = m
            applied.append((pair, .decimal(s, digits: 6)))
        }
        var options = evaluator.optionMarket()
        var volApplied: [(String, JSON)] = []
        if let volShocks {
            let requested = volShocks.sorted(by: { $0.key < $1.key }).map { (key: $0.key, shock: number($0.value)) }
            let byPair = (evaluator.volatility as? SurfaceVolatility)?.underlyingByPair ?? [:]
            switch ShockedVolatility.resolve(requested, underlyingByPair: byPair) {
            case let .failure(refusal): throw APIProblem(400, refusal.description)
            case let .success(byPairShock):
                if let market = options {
                    options = OptionMarket(volatility: ShockedVolatility(base: market.volatility, shocks: byPairShock), nowMs: market.nowMs)
                }
            }
            volApplied = requested.map { ($0.key, .decimal($0.shock, digits: 6)) }
        }
        var rows: [JSON] = []
        var counts: [String: Int] = [:]
        for id in accounts.keys.sorted() {
            guard let account = accounts[id], let machine = machines[id] else { continue }
            let v = model.value(account, marks: shocked, risk: risk, options: options)
            guard v.priced else { continue }
            let level = LevelMachine.rawLevel(ratio: v.ratio, slowRatio: v.ratio, thresholds: machine.thresholds)
            counts[level.rawValue, default: 0] += 1
            guard level != .none else { continue }
            var row: [(String, JSON)] = [
                ("account", .string(id)), ("level", .string(level.rawValue)),
                ("current_level", .string(machine.state.level.rawValue)), ("ratio", ratioJSON(v)),
                ("equity", .decimal(v.equity, digits: 2)), ("deficit", .decimal(v.deficit, digits: 2)),
                ("top_up", .object(model.publishedTopUps(v, account: account, marks: shocked, risk: risk, options: options)
                    .map { ($0.asset, .decimal($0.amount, digits: 8)) })),
                ("maintenance_requirement", .decimal(v.maintenanceRequirement, digits: 2)),
            ]
            if let m = v.optionMargin { row.append(("option_grid", OptionJSON.grid(m))) }
            rows.append(.object(row))
        }
        var answer: [(String, JSON)] = [("shocks", .object(applied))]
        if volShocks != nil { answer.append(("vol_shocks", .object(volApplied))) }
        return .object(answer + [("levels", .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                                 ("accounts", .array(rows))])
    }
}

/// An API failure with its status; the routes turn it into the JSON error answer.
public struct APIProblem: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let message: String
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { message }
}

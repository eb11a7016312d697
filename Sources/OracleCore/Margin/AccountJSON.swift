import Foundation

/// Account documents in DESIGN.md's shape:
///
///     {"id": "acct-17",
///      "collateral": [{"asset": "USDC", "amount": "25000"}],
///      "positions":  [{"pair": "BTC-USD", "quantity": "-2", "entry_price": "65000"}],
///      "thresholds": {"call_ratio": "1.2", "call_deadline": "30m"}}
///
/// Decimals travel as strings (JSON numbers are accepted too). Unknown keys are rejected rather
/// than ignored: a misspelt `"colateral"` silently dropped would value the account without its
/// collateral and call it. Bodies are read with `JSONScanner` (see `AccountJSON+Scanner.swift`):
/// a bulk import decodes hundreds of thousands of accounts, and `JSONSerialization` was its
/// bottleneck. The Foundation reader stays as `decodeWithFoundation` for bodies the scanner
/// cannot judge alone and as the reference the scanner path is tested against.
public enum AccountJSON {
    static let topKeys: Set<String> = ["id", "collateral", "positions", "thresholds"]
    static let thresholdKeys = ["warn_ratio", "warn_exit_ratio", "call_ratio", "urgent_ratio",
                                "liquidation_ratio", "call_deadline"]

    /// Parses and validates one account. `extraKeys` are top-level keys to ignore (for example the
    /// read-only `equity`/`level` an API client echoes back).
    public static func decode(_ data: Data, universe: MarginUniverse,
                              ignoring extraKeys: Set<String> = []) throws(AccountError) -> Account {
        let scanned = data.withUnsafeBytes { raw in
            decodeScanned(raw.assumingMemoryBound(to: UInt8.self), ignoring: extraKeys)
        }
        guard let scanned else { return try decodeWithFoundation(data, universe: universe, ignoring: extraKeys) }
        let account = try scanned.get()
        try validate(account, universe: universe)
        return account
    }

    /// The `JSONSerialization` reader `decode` used before the scanner: still the path for bodies
    /// the scanner rejects or cannot judge alone, and the reference of the differential test.
    /// Differs from `decode` only in decimal text of JSON numbers (`NSNumber`'s rendering).
    static func decodeWithFoundation(_ data: Data, universe: MarginUniverse,
                                     ignoring extraKeys: Set<String> = []) throws(AccountError) -> Account {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw AccountError(.malformedJSON, field: "", "not valid JSON (\(detail)); send one JSON object per account")
        }
        guard let dict = object as? [String: Any] else {
            throw AccountError(.wrongType, field: "", "expected a JSON object like {\"id\": \"acct-1\", \"collateral\": [], \"positions\": []}")
        }
        let account = try parse(dict, ignoring: extraKeys)
        try validate(account, universe: universe)
        return account
    }

    /// Convenience for text (one NDJSON line).
    public static func decode(_ text: String, universe: MarginUniverse,
                              ignoring extraKeys: Set<String> = []) throws(AccountError) -> Account {
        try decode(Data(text.utf8), universe: universe, ignoring: extraKeys)
    }

    /// Compact JSON in the same shape, decimals as their original text, keys in a fixed order.
    public static func encode(_ account: Account) -> String {
        var s = "{\"id\":" + JSONString.quoted(account.id) + ",\"collateral\":["
        for (i, c) in account.collateral.enumerated() {
            if i > 0 { s += "," }
            s += "{\"asset\":\(JSONString.quoted(c.asset)),\"amount\":\(JSONString.quoted(c.amount.text))}"
        }
        s += "],\"positions\":["
        for (i, p) in account.positions.enumerated() {
            if i > 0 { s += "," }
            if let o = p.option {
                s += "{\"option\":{\"underlying\":\(JSONString.quoted(o.underlying)),\"right\":\"\(o.right.rawValue)\","
                    + "\"strike\":\(JSONString.quoted(o.strike.text)),\"expiry\":\"\(RFC3339.format(ms: o.expiryMs))\"},"
            } else {
                s += "{\"pair\":\(JSONString.quoted(p.pair)),"
            }
            s += "\"quantity\":\(JSONString.quoted(p.quantity.text)),\"entry_price\":\(JSONString.quoted(p.entryPrice.text))}"
        }
        s += "]"
        if let t = account.thresholds, !t.isEmpty {
            var parts: [String] = []
            func add(_ key: String, _ v: Double?) {
                if let v { parts.append("\"\(key)\":\(JSONString.quoted(DecimalText.format(v, maxFractionDigits: 12)))") }
            }
            add("warn_ratio", t.warnRatio)
            add("warn_exit_ratio", t.warnExitRatio)
            add("call_ratio", t.callRatio)
            add("urgent_ratio", t.urgentRatio)
            add("liquidation_ratio", t.liquidationRatio)
            if let d = t.callDeadlineMs { parts.append("\"call_deadline\":\"\(d)ms\"") }
            s += ",\"thresholds\":{" + parts.joined(separator: ",") + "}"
        }
        return s + "}"
    }

    // MARK: - validation

    /// Sane bounds on account numbers (docs/margin-levels.md "Bounds"). They refuse typing and unit
    /// mistakes (1e306 units, a price in the wrong currency's cents) before they reach the model,
    /// where they would overflow to ±∞/NaN and leave the account silently unpriced. Set far above
    /// any real book: the largest token supplies are ~1e15 units, prices above 1e9 do not exist,
    /// and 1e15 in the margin currency is above any single account. Within them every figure the
    /// model computes (Σ |q| × price, × rates ≤ 1) stays finite with room to spare.
    public enum Bounds {
        /// Largest |quantity| of a position, base units.
        public static let maxQuantity = 1e15
        /// Largest collateral balance, asset units.
        public static let maxAmount = 1e15
        /// Largest entry price, in the margin currency.
        public static let maxPrice = 1e9
        /// Largest |quantity| × entry price of one position, in the margin currency.
        public static let maxNotional = 1e15

        static func text(_ v: Double) -> String { "1e\(Int(log10(v).rounded()))" }
    }

    /// Checks an account built in code against the universe, with the same messages as `decode`.
    public static func validate(_ account: Account, universe: MarginUniverse) throws(AccountError) {
        try validateId(account.id)
        var seenAssets: [String: Int] = [:]
        for (i, c) in account.collateral.enumerated() {
            func f() -> String { "collateral[\(i)]" }   // built only for an error
            guard universe.collateral[c.asset] != nil else {
                throw AccountError(.unknownAsset, field: f() + ".asset",
                                   "unknown asset \(JSONString.quoted(c.asset)); known assets: \(universe.knownAssets.joined(separator: ", "))")
            }
            if let j = seenAssets[c.asset] {
                throw AccountError(.duplicate, field: f() + ".asset",
                                   "duplicate asset \(JSONString.quoted(c.asset)) (also collateral[\(j)]); give one balance per asset")
            }
            seenAssets[c.asset] = i
            guard c.amount.value.isFinite else {
                throw AccountError(.invalidDecimal, field: f() + ".amount", "\(JSONString.quoted(c.amount.text)) is not a finite decimal")
            }
            // The margin currency may be negative: a cash debt, which expiry settlement of a short
            // option in the money can leave (OptionSettlement.settle); it counts at 1, no haircut.
            guard c.amount.value >= 0 || (c.asset == universe.currency && c.amount.value >= -Bounds.maxAmount) else {
                throw AccountError(.invalidValue, field: f() + ".amount",
                                   "negative collateral \(c.amount.text); only the margin currency \(universe.currency) may be negative (a cash debt)")
            }
            guard c.amount.value <= Bounds.maxAmount else {
                throw AccountError(.outOfRange, field: f() + ".amount",
                                   "\(c.amount.text) exceeds the largest accepted balance \(Bounds.text(Bounds.maxAmount)) units; check the units")
            }
        }
        var seenPairs: [String: Int] = [:]
        var seenOptions: [OptionContract: Int] = [:]
        for (i, p) in account.positions.enumerated() {
            func f() -> String { "positions[\(i)]" }
            let pairField = p.option == nil ? ".pair" : ".option.underlying"
            guard universe.pairs[p.pair] != nil else {
                throw AccountError(.unknownPair, field: f() + pairField,
                                   "unknown pair \(JSONString.quoted(p.pair)); known pairs: \(universe.knownPairs.joined(separator: ", "))")
            }
            let quote = MarginUniverse.quoteCurrency(of: p.pair)
            guard quote == universe.currency else {
                throw AccountError(.invalidValue, field: f() + pairField,
                                   "\(p.pair) is quoted in \(quote), positions must be quoted in the margin currency \(universe.currency)")
            }
            if let o = p.option {
                guard o.underlying == p.pair else {
                    throw AccountError(.invalidValue, field: f() + ".pair",
                                       "\(p.pair) is not the option's underlying \(o.underlying); leave \"pair\" out of an option position")
                }
                if let j = seenOptions[o] {
                    throw AccountError(.duplicate, field: f() + ".option",
                                       "duplicate option \(o.venueName) (also positions[\(j)]); net them into one position")
                }
                seenOptions[o] = i
                guard o.strike.value <= Bounds.maxPrice else {
                    throw AccountError(.outOfRange, field: f() + ".option.strike",
                                       "\(o.strike.text) exceeds the largest accepted price \(Bounds.text(Bounds.maxPrice)); check the units")
                }
            } else {
                if let j = seenPairs[p.pair] {
                    throw AccountError(.duplicate, field: f() + ".pair",
                                       "duplicate pair \(JSONString.quoted(p.pair)) (also positions[\(j)]); net them into one position")
                }
                seenPairs[p.pair] = i
            }
            guard p.quantity.value.isFinite else {
                throw AccountError(.invalidDecimal, field: f() + ".quantity", "\(JSONString.quoted(p.quantity.text)) is not a finite decimal")
            }
            // An option's entry price is the premium paid, which may be 0 (a contract received).
            let what: String = p.option == nil ? "a positive finite price" : "a finite premium per contract ≥ 0"
            guard p.entryPrice.value.isFinite, p.entryPrice.value > 0 || (p.option != nil && p.entryPrice.value == 0) else {
                throw AccountError(.invalidValue, field: f() + ".entry_price",
                                   "\(JSONString.quoted(p.entryPrice.text)) must be \(what)")
            }
            guard p.entryPrice.value <= Bounds.maxPrice else {
                throw AccountError(.outOfRange, field: f() + ".entry_price",
                                   "\(p.entryPrice.text) exceeds the largest accepted price \(Bounds.text(Bounds.maxPrice)); check the units")
            }
            let q = abs(p.quantity.value)
            guard q <= Bounds.maxQuantity else {
                throw AccountError(.outOfRange, field: f() + ".quantity",
                                   "\(p.quantity.text) exceeds the largest accepted quantity ±\(Bounds.text(Bounds.maxQuantity)) base units; check the units")
            }
            guard q * p.entryPrice.value <= Bounds.maxNotional else {
                throw AccountError(.outOfRange, field: f() + ".quantity",
                                   "notional at entry |\(p.quantity.text)| × \(p.entryPrice.text) exceeds \(Bounds.text(Bounds.maxNotional)) \(universe.currency); check the units")
            }
        }
        if let t = account.thresholds {
            _ = try LevelThresholds.validated(policy: universe.policy, overrides: t)
        }
    }

    static func validateId(_ id: String) throws(AccountError) {
        guard !id.isEmpty else {
            throw AccountError(.invalidValue, field: "id", "empty id; give the account a name like \"acct-17\"")
        }
        guard id.utf8.count <= 128 else {
            throw AccountError(.invalidValue, field: "id", "id longer than 128 bytes")
        }
        let ok = id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
        }
        guard ok, id.utf8.first != UInt8(ascii: ".") else {
            throw AccountError(.invalidValue, field: "id",
                               "\(JSONString.quoted(id)) may use only letters, digits and . _ : - (and not start with .), because it names spool files")
        }
    }

    // MARK: - parsing

    static func parse(_ dict: [String: Any], ignoring extraKeys: Set<String>) throws(AccountError) -> Account {
        for key in dict.keys.sorted() where !topKeys.contains(key) && !extraKeys.contains(key) {
            throw AccountError(.unknownField, field: key, "unknown key; expected id, collateral, positions, thresholds")
        }
        guard let rawId = dict["id"] else { throw AccountError(.missingField, field: "id", "missing; every account needs an id") }
        guard let id = rawId as? String else { throw AccountError(.wrongType, field: "id", "must be a string") }

        var collateral: [CollateralBalance] = []
        for (i, item) in try array(dict["collateral"], field: "collateral").enumerated() {
            let f = "collateral[\(i)]"
            let o = try object(item, field: f, keys: ["asset", "amount"])
            collateral.append(CollateralBalance(asset: try string(o["asset"], field: f + ".asset"),
                                                amount: try decimal(o["amount"], field: f + ".amount")))
        }
        var positions: [Position] = []
        for (i, item) in try array(dict["positions"], field: "positions").enumerated() {
            let f = "positions[\(i)]"
            let o = try object(item, field: f, keys: ["pair", "quantity", "entry_price", "option"])
            let q = try decimal(o["quantity"], field: f + ".quantity")
            let e = try decimal(o["entry_price"], field: f + ".entry_price")
            if let raw = o["option"], !(raw is NSNull) {
                var named: String?
                if let v = o["pair"], !(v is NSNull) { named = try string(v, field: f + ".pair") }
                positions.append(try optionPosition(try optionContract(raw, field: f + ".option"), pair: named,
                                                    quantity: q, entryPrice: e, field: f))
            } else {
                positions.append(Position(pair: try string(o["pair"], field: f + ".pair"), quantity: q, entryPrice: e))
            }
        }
        var thresholds: ThresholdOverrides?
        if let raw = dict["thresholds"], !(raw is NSNull) {
            let o = try object(raw, field: "thresholds", keys: Set(thresholdKeys))
            var t = ThresholdOverrides()
            func ratio(_ key: String) throws(AccountError) -> Double? {
                guard let v = o[key], !(v is NSNull) else { return nil }
                return try decimal(v, field: "thresholds." + key).value
            }
            t.warnRatio = try ratio("warn_ratio")
            t.warnExitRatio = try ratio("warn_exit_ratio")
            t.callRatio = try ratio("call_ratio")
            t.urgentRatio = try ratio("urgent_ratio")
            t.liquidationRatio = try ratio("liquidation_ratio")
            if let v = o["call_deadline"], !(v is NSNull) {
                t.callDeadlineMs = try duration(v, field: "thresholds.call_deadline")
            }
            thresholds = t.isEmpty ? nil : t
        }
        return Account(id: id, collateral: collateral, positions: positions, thresholds: thresholds)
    }

    /// An option position from its decoded contract; a `pair` given beside it must be the underlying.
    static func optionPosition(_ contract: OptionContract, pair: String?, quantity: VenueNumber, entryPrice: VenueNumber,
                               field: String) throws(AccountError) -> Position {
        if let pair, pair != contract.underlying {
            throw AccountError(.invalidValue, field: field + ".pair",
                               "\(JSONString.quoted(pair)) is not the option's underlying \(contract.underlying); leave \"pair\" out of an option position")
        }
        return Position(option: contract, quantity: quantity, entryPrice: entryPrice)
    }

    /// The `option` member as `JSONSerialization` hands it over: a venue name or an object of four strings.
    static func optionContract(_ raw: Any, field: String) throws(AccountError) -> OptionContract {
        do {
            if let name = raw as? String { return try OptionContract(venueName: name, field: field) }
            guard let o = raw as? [String: Any] else {
                throw AccountError(.wrongType, field: field,
                                   "must be an object with underlying, right, strike, expiry, or a name like \"BTC-25DEC26-60000-C\"")
            }
            let keys = OptionContract.jsonKeys
            for key in o.keys.sorted() where !keys.contains(key) {
                throw AccountError(.unknownField, field: "\(field).\(key)", "unknown key; an option has \(keys.joined(separator: ", "))")
            }
            var text: [String: String] = [:]
            for key in ["underlying", "right", "strike", "expiry"] {
                guard let v = o[key], !(v is NSNull) else {
                    throw AccountError(.missingField, field: "\(field).\(key)", "missing; an option needs underlying, right, strike and expiry")
                }
                guard let t = v as? String else {
                    throw AccountError(.invalidValue, field: "\(field).\(key)", "must be a string (decimals travel as text: \"60000\")")
                }
                text[key] = t
            }
            return try OptionContract(underlying: text["underlying"]!, right: text["right"]!, strike: text["strike"]!,
                                      expiry: text["expiry"]!, fieldPrefix: field)
        } catch let e as AccountError {
            throw e
        } catch let e as OptionError {
            throw AccountError(option: e)
        } catch {
            throw AccountError(.invalidValue, field: field, "\(error)")
        }
    }

    static func array(_ v: Any?, field: String) throws(AccountError) -> [Any] {
        guard let v, !(v is NSNull) else { return [] }
        guard let a = v as? [Any] else { throw AccountError(.wrongType, field: field, "must be an array") }
        return a
    }

    static func object(_ v: Any, field: String, keys: Set<String>) throws(AccountError) -> [String: Any] {
        guard let o = v as? [String: Any] else {
            throw AccountError(.wrongType, field: field, "must be an object with keys \(keys.sorted().joined(separator: ", "))")
        }
        for key in o.keys.sorted() where !keys.contains(key) {
            throw AccountError(.unknownField, field: "\(field).\(key)", "unknown key; expected \(keys.sorted().joined(separator: ", "))")
        }
        return o
    }

    static func string(_ v: Any?, field: String) throws(AccountError) -> String {
        guard let v, !(v is NSNull) else { throw AccountError(.missingField, field: field, "missing") }
        guard let s = v as? String else { throw AccountError(.wrongType, field: field, "must be a string") }
        return s
    }

    /// A decimal from a string ("0.5") or a JSON number (0.5); booleans, "NaN", "inf" and
    /// out-of-range values are rejected.
    static func decimal(_ v: Any?, field: String) throws(AccountError) -> VenueNumber {
        guard let v, !(v is NSNull) else { throw AccountError(.missingField, field: field, "missing") }
        let text: String
        if let s = v as? String {
            text = s.trimmingCharacters(in: .whitespaces)
        } else if let n = v as? NSNumber, !isBoolean(n) {
            text = "\(n)"
        } else {
            throw AccountError(.wrongType, field: field, "must be a decimal string like \"0.5\"")
        }
        guard let number = VenueNumber(text), number.value.isFinite else {
            throw AccountError(.invalidDecimal, field: field, "\(JSONString.quoted(text)) is not a finite decimal; write e.g. \"0.5\"")
        }
        return number
    }

    static func isBoolean(_ n: NSNumber) -> Bool {
        // JSONSerialization hands `true`/`false` over as NSNumber with objCType "c"; a JSON number never is.
        String(cString: n.objCType) == "c"
    }

    /// "250ms", "30s", "60m", "1h", or a JSON number of milliseconds.
    static func duration(_ v: Any, field: String) throws(AccountError) -> Int64 {
        let bad = AccountError(.invalidValue, field: field, "expected a positive duration like \"30m\", \"90s\", \"1h\" or \"250ms\"")
        if let n = v as? NSNumber, !isBoolean(n) {
            let d = n.doubleValue
            guard d.isFinite, d > 0, d < 1e15 else { throw bad }
            return Int64(d)
        }
        guard let s = v as? String else { throw bad }
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            let num = s.dropLast(suffix.count)
            // "ms" must win over "s"; "5ms".dropLast(1) = "5m" would not parse anyway.
            guard let d = DecimalText.parse(num), d.isFinite, d > 0, d * scale < 1e15 else { continue }
            return Int64((d * scale).rounded())
        }
        throw bad
    }
}

/// The whole-body rules for implied-volatility sources: the same `ResponseTriage` as prices
/// (HTTP status, then the venue's error envelope, then the body), with the answer shaped as a
/// `VolAnswer` and every error named after the venue.
///
/// Deribit has no price adapter, so it has no `VenueKind`; its bodies are triaged as `generic`
/// (no venue-specific status rules apply to it) and the message prefix is renamed. OKX and
/// Bybit triage as themselves, so Bybit's 403 is still its IP rate limit.
enum VolTriage {
    static func parse(_ response: VenueResponse, triageAs kind: VenueKind, label: String,
                      bodyVerdict: (JSONScanner, JSONSpan) -> BodyVerdict?,
                      body: (JSONScanner, JSONSpan) throws(VenueError) -> VolAnswer) -> VolAnswer {
        do throws(VenueError) {
            return try ResponseTriage.parse(response, venue: kind, bodyVerdict: bodyVerdict, quote: body)
        } catch {
            return .failed(relabel(error, from: kind.rawValue, to: label))
        }
    }

    static func relabel(_ error: VenueError, from: String, to: String) -> VenueError {
        guard from != to, error.message.hasPrefix(from + ":") else { return error }
        var e = error
        e.message = to + error.message.dropFirst(from.count)
        return e
    }

    /// Builds a quote from one entry's fields, checking every number a surface would use.
    /// `ivScale` is 0.01 for venues that publish percent (Deribit) and 1 for fractions.
    static func quote(label: String, name: String, parse: (String) -> VolInstrument?,
                      markIV: Double?, ivScale: Double, bidIV: Double?, askIV: Double?,
                      forward: Double?, timestampMs: Int64?) throws(VenueError) -> VolQuote {
        guard let option = parse(name) else {
            throw VenueError(.other, "\(label): instrument '\(name.prefix(60))' is not an option name oracled can read (expected BASE-DDMMMYY-STRIKE-C|P or BASE-QUOTE-YYMMDD-STRIKE-C|P)")
        }
        guard let markIV else { throw VenueError(.other, "\(label): \(name): no mark IV") }
        let iv = markIV * ivScale
        guard iv.isFinite, iv > 0, iv <= VolQuote.maxPlausibleIV else {
            throw VenueError(.other, "\(label): \(name): mark IV \(markIV) is not a usable volatility (must be > 0 and at most \(VolQuote.maxPlausibleIV / ivScale))")
        }
        guard let forward, forward.isFinite, forward > 0 else {
            throw VenueError(.other, "\(label): \(name): no positive underlying (forward) price")
        }
        guard let timestampMs, timestampMs > 0 else { throw VenueError(.other, "\(label): \(name): no timestamp") }
        // A zero bid IV means "no bid" on Bybit and Deribit: not a quote of zero volatility.
        func side(_ v: Double?) -> Double? {
            guard let v, v.isFinite, v > 0 else { return nil }
            let x = v * ivScale
            return x <= VolQuote.maxPlausibleIV ? x : nil
        }
        return VolQuote(instrument: name, option: option, markIV: iv, bidIV: side(bidIV), askIV: side(askIV),
                        forward: forward, timestampMs: timestampMs)
    }
}

extension JSONScanner {
    /// A number field for a volatility source: absent, `null` and `""` are nil; anything else
    /// must be a finite plain decimal.
    func volNumber(_ value: JSONSpan?, _ field: StaticString, _ label: String) throws(VenueError) -> Double? {
        guard let value else { return nil }
        switch value.kind {
        case .null: return nil
        case .string, .number:
            if value.start == value.end { return nil }
            if let n = FastDecimal.number(rawBytes(of: value), escaped: value.hasEscapes) { return n.value }
            let t = text(of: value)
            guard let v = DecimalText.parse(t), v.isFinite else {
                throw VenueError(.other, "\(label): field '\(field)' is not a finite decimal number: '\(t.prefix(40))'")
            }
            return v
        default:
            throw VenueError(.other, "\(label): field '\(field)' is a JSON \(value.kind), expected a decimal number")
        }
    }

    /// A millisecond timestamp field (number or string) for a volatility source.
    func volTimestamp(_ value: JSONSpan?, _ field: StaticString, _ label: String) throws(VenueError) -> Int64? {
        guard let value, value.kind != .null, !value.isEmptyString else { return nil }
        guard value.kind == .string || value.kind == .number, !value.hasEscapes,
              let ms = TimestampText.millis(rawBytes(of: value), unit: .ms) else {
            throw VenueError(.other, "\(label): field '\(field)' is not a millisecond timestamp: '\(text(of: value).prefix(40))'")
        }
        return ms
    }

    /// The container at `value` of `kind`, or an `other` error naming the field.
    func volContainer(_ value: JSONSpan?, _ kind: JSONSpan.Kind, _ field: String, _ label: String) throws(VenueError) -> JSONSpan {
        guard let value, value.kind == kind else {
            throw VenueError(.other, "\(label): expected an \(kind) at '\(field)'; \(value.map { "found a JSON \($0.kind)" } ?? "it is missing") — the venue changed its format or this is not an option answer")
        }
        return value
    }
}

extension JSONScanner {
    /// The values of six keys of an option entry in one walk of its members (an option chain
    /// entry has ~25 members; two five-key walks cost twice as much). First occurrence wins.
    func volMembers(of object: JSONSpan, _ k0: StaticString, _ k1: StaticString, _ k2: StaticString,
                    _ k3: StaticString, _ k4: StaticString, _ k5: StaticString)
        -> (JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?, JSONSpan?) {
        var f0: JSONSpan?, f1: JSONSpan?, f2: JSONSpan?, f3: JSONSpan?, f4: JSONSpan?, f5: JSONSpan?
        var missing = 6
        forEachMember(of: object) { key, value in
            if f0 == nil, string(key, equals: k0) { f0 = value; missing -= 1 }
            else if f1 == nil, string(key, equals: k1) { f1 = value; missing -= 1 }
            else if f2 == nil, string(key, equals: k2) { f2 = value; missing -= 1 }
            else if f3 == nil, string(key, equals: k3) { f3 = value; missing -= 1 }
            else if f4 == nil, string(key, equals: k4) { f4 = value; missing -= 1 }
            else if f5 == nil, string(key, equals: k5) { f5 = value; missing -= 1 }
            return missing > 0
        }
        return (f0, f1, f2, f3, f4, f5)
    }
}

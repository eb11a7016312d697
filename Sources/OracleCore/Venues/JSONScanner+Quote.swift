/// Field readers shared by the venue parsers: prices, timestamps and error codes, with the
/// venue and field named in every error.
extension JSONScanner {
    /// A price field. Absent, `null` and `""` (OKX's empty book side) mean "no value";
    /// anything else must be a plain decimal (string or JSON number) with a finite value, whose
    /// text is kept as written.
    @inline(__always)
    func decimal(_ value: JSONSpan?, _ field: StaticString, _ venue: VenueKind) throws(VenueError) -> VenueNumber? {
        guard let value else { return nil }
        switch value.kind {
        case .null:
            return nil
        case .string, .number:
            if value.start == value.end { return nil }
            if let n = FastDecimal.number(rawBytes(of: value), escaped: value.hasEscapes) { return n }
            let text = text(of: value)
            if let n = VenueNumber(text) {
                // "1e999999" is a decimal literal but no price: its binary value is infinite and
                // would turn every statistic downstream into NaN.
                guard n.value.isFinite else {
                    throw VenueError(.other, "\(venue.rawValue): field '\(field)' is out of range: '\(text.prefix(40))'")
                }
                return n
            }
            throw VenueError(.other, "\(venue.rawValue): field '\(field)' is not a decimal number: '\(text.prefix(40))'")
        default:
            throw VenueError(.other, "\(venue.rawValue): field '\(field)' is a JSON \(value.kind), expected a decimal number")
        }
    }

    /// A timestamp field in `unit`, as Unix ms. Absent, `null` and `""` mean "no timestamp".
    func timestamp(_ value: JSONSpan?, _ field: StaticString, unit: TimestampText.Unit, _ venue: VenueKind) throws(VenueError) -> Int64? {
        guard let value else { return nil }
        switch value.kind {
        case .null:
            return nil
        case .string, .number:
            if value.start == value.end { return nil }
            if !value.hasEscapes, let ms = TimestampText.millis(rawBytes(of: value), unit: unit) { return ms }
            throw VenueError(.other, "\(venue.rawValue): field '\(field)' is not a timestamp: '\(text(of: value).prefix(40))'")
        default:
            throw VenueError(.other, "\(venue.rawValue): field '\(field)' is a JSON \(value.kind), expected a timestamp")
        }
    }

    /// An ISO-8601 timestamp string as Unix ms (Coinbase `time`).
    func isoTimestamp(_ value: JSONSpan?, _ field: StaticString, _ venue: VenueKind) throws(VenueError) -> Int64? {
        guard let value, value.kind != .null, !value.isEmptyString else { return nil }
        guard value.kind == .string, !value.hasEscapes, let ms = CivilTime.parseISO8601(rawBytes(of: value)) else {
            throw VenueError(.other, "\(venue.rawValue): field '\(field)' is not an ISO-8601 time: '\(text(of: value).prefix(40))'")
        }
        return ms
    }

    /// A code as text whether the venue sent it as a string or a number (`"0"` vs `0`); nil when absent or null.
    func codeText(_ value: JSONSpan?) -> String? {
        guard let value else { return nil }
        switch value.kind {
        case .string, .number, .true, .false: return text(of: value)
        default: return nil
        }
    }

    /// A string field's text, nil when absent or not a string.
    func stringText(_ value: JSONSpan?) -> String? {
        guard let value, value.kind == .string else { return nil }
        return text(of: value)
    }

    /// The object at `value`, or an `other` error naming the missing field.
    func requireObject(_ value: JSONSpan?, _ field: StaticString, _ venue: VenueKind) throws(VenueError) -> JSONSpan {
        guard let value, value.kind == .object else {
            throw VenueError(.other, "\(venue.rawValue): expected an object at '\(field)'; \(value.map { "found a JSON \($0.kind)" } ?? "it is missing") — the venue changed its format or this is not a ticker")
        }
        return value
    }

    /// The array at `value`, or an `other` error naming the missing field.
    func requireArray(_ value: JSONSpan?, _ field: StaticString, _ venue: VenueKind) throws(VenueError) -> JSONSpan {
        guard let value, value.kind == .array else {
            throw VenueError(.other, "\(venue.rawValue): expected an array at '\(field)'; \(value.map { "found a JSON \($0.kind)" } ?? "it is missing") — the venue changed its format or this is not a ticker")
        }
        return value
    }
}

extension Quote {
    /// Throws `other` when a body parsed but carried no price at all, which would otherwise
    /// look like a quote to callers that only check for errors.
    consuming func requiringPrice(_ venue: VenueKind) throws(VenueError) -> Quote {
        guard bid != nil || ask != nil || last != nil else {
            throw VenueError(.other, "\(venue.rawValue): the body has no bid, ask or last price (all null or empty); the market may be halted")
        }
        return self
    }
}

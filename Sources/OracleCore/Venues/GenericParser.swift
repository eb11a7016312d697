/// `kind = "generic"`: any JSON ticker described by dotted paths (`GenericAdapterSpec`).
///
/// For venues without a dedicated adapter. Prices may be JSON numbers or strings; the
/// timestamp is converted from the configured unit (s/ms/us/ns or ISO-8601 text). When
/// `errorPath` is set and holds anything but null, false, 0, "" or an empty array/object, the
/// body is an error, classified from its text.
enum GenericParser {
    static func parse(symbol: String, response: VenueResponse, spec: GenericAdapterSpec?) throws(VenueError) -> Quote {
        guard let spec else {
            throw VenueError(.badRequest, "generic: source has kind = \"generic\" but no generic adapter settings (url template and price/bid/ask paths)")
        }
        guard spec.pricePath != nil || spec.bidPath != nil || spec.askPath != nil else {
            throw VenueError(.badRequest, "generic: set at least one of price_path, bid_path, ask_path")
        }
        let errorPath = spec.errorPath.map(JSONPath.init)
        return try ResponseTriage.parse(response, venue: .generic, bodyVerdict: { s, root in
            guard let errorPath, let v = s.value(atPath: errorPath, in: root), isError(s, v) else { return nil }
            let text = s.text(of: v)
            return BodyVerdict(ErrorText.classify(text), "\(errorPath) = \(text)")
        }, textVerdict: { text in
            text.isEmpty ? nil : BodyVerdict(ErrorText.classify(text), text)
        }) { (s, root) throws(VenueError) -> Quote in
            func find(_ path: String?) -> JSONSpan? {
                path.flatMap { s.value(atPath: JSONPath($0), in: root) }
            }
            let quote = Quote(
                bid: try s.decimal(find(spec.bidPath), "bid_path", .generic),
                ask: try s.decimal(find(spec.askPath), "ask_path", .generic),
                last: try s.decimal(find(spec.pricePath), "price_path", .generic),
                exchangeTimestampMs: try timestamp(s, find(spec.timestampPath), spec.timestampUnit))
            guard quote.bid != nil || quote.ask != nil || quote.last != nil else {
                let paths = [spec.pricePath, spec.bidPath, spec.askPath].compactMap { $0 }.joined(separator: ", ")
                throw VenueError(.other, "generic: none of the configured paths (\(paths)) holds a price in this body; check the paths against a real response")
            }
            return quote
        }
    }

    private static func timestamp(_ s: JSONScanner, _ v: JSONSpan?, _ unit: GenericAdapterSpec.TimestampUnit) throws(VenueError) -> Int64? {
        switch unit {
        case .iso8601: return try s.isoTimestamp(v, "timestamp_path", .generic)
        case .s: return try s.timestamp(v, "timestamp_path", unit: .s, .generic)
        case .ms: return try s.timestamp(v, "timestamp_path", unit: .ms, .generic)
        case .us: return try s.timestamp(v, "timestamp_path", unit: .us, .generic)
        case .ns: return try s.timestamp(v, "timestamp_path", unit: .ns, .generic)
        }
    }

    /// "Truthy" in the JSON sense the config documents: not null, false, 0, "" or empty.
    static func isError(_ s: JSONScanner, _ v: JSONSpan) -> Bool {
        switch v.kind {
        case .null, .false: return false
        case .true: return true
        case .string: return v.start != v.end
        case .number: return (VenueNumber(s.text(of: v))?.value ?? 1) != 0
        case .object, .array: return !s.isEmptyContainer(v)
        }
    }
}

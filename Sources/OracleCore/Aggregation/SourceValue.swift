/// Turns one venue quote into the single value the aggregation compares, or says why it cannot.
///
/// The mid of the book is preferred over `last` because it moves with every order, while a
/// trade can be minutes old on a quiet venue; but a crossed book (bid > ask) or one whose spread
/// exceeds `maxSpreadBps` has no meaningful mid, so such a book falls back to `last` and is
/// rejected when there is none. Every number must be finite and inside
/// [`minimumValue`, `maximumValue`]: zero, negative, NaN and values like 1e308 are venue bugs or
/// parse accidents, never prices.
enum SourceValue {
    /// Above this no asset is priced: a value here is a unit or parse error.
    static let maximumValue = 1e12
    /// Below this a value is indistinguishable from zero for margin purposes.
    static let minimumValue = 1e-12

    enum Extraction {
        case value(Double)
        case rejected(String)
    }

    static func extract(bid: Double?, ask: Double?, last: Double?, maxSpreadBps: Double) -> Extraction {
        // Healthy book first, with no string work at all.
        if let bid, let ask, isPlausible(bid), isPlausible(ask), bid <= ask {
            let mid = bid + (ask - bid) / 2
            if (ask - bid) / mid * 10_000 <= maxSpreadBps { return .value(mid) }
        }
        if bid == nil && ask == nil, let last, isPlausible(last) { return .value(last) }
        return explain(bid: bid, ask: ask, last: last, maxSpreadBps: maxSpreadBps)
    }

    /// The slow path: falls back to `last` where allowed and builds the reason otherwise.
    private static func explain(bid: Double?, ask: Double?, last: Double?, maxSpreadBps: Double) -> Extraction {
        var bookProblem: String?
        if let bid, let ask {
            if let p = problem(bid, field: "bid") {
                bookProblem = p
            } else if let p = problem(ask, field: "ask") {
                bookProblem = p
            } else if bid > ask {
                bookProblem = "crossed book: bid \(ReasonFormat.number(bid)) > ask \(ReasonFormat.number(ask))"
            } else {
                let mid = bid + (ask - bid) / 2
                let spreadBps = (ask - bid) / mid * 10_000
                if spreadBps <= maxSpreadBps { return .value(mid) }
                bookProblem = "spread \(ReasonFormat.bps(spreadBps)) bps > max \(ReasonFormat.bps(maxSpreadBps))"
            }
        } else if bid != nil {
            bookProblem = "one-sided book (bid without ask)"
        } else if ask != nil {
            bookProblem = "one-sided book (ask without bid)"
        }
        if let last {
            if let p = problem(last, field: "last") {
                if let bookProblem { return .rejected("\(bookProblem); \(p)") }
                return .rejected(p)
            }
            return .value(last)
        }
        if let bookProblem { return .rejected("\(bookProblem) and no last price") }
        return .rejected("quote has neither bid/ask nor last")
    }

    /// Finite and inside [`minimumValue`, `maximumValue`] (NaN fails every comparison).
    @inline(__always)
    static func isPlausible(_ v: Double) -> Bool {
        v >= minimumValue && v <= maximumValue
    }

    /// Nil for a plausible price, else why not.
    @inline(__always)
    static func problem(_ v: Double, field: String) -> String? {
        if isPlausible(v) { return nil }
        return describeProblem(v, field: field)
    }

    static func describeProblem(_ v: Double, field: String) -> String {
        if !v.isFinite { return "\(field) \(ReasonFormat.number(v)) is not finite" }
        if v == 0 { return "\(field) is zero" }
        if v < 0 { return "\(field) \(ReasonFormat.number(v)) is negative" }
        if v > maximumValue { return "\(field) \(ReasonFormat.number(v)) is absurd (above 1e12)" }
        return "\(field) \(ReasonFormat.number(v)) is absurd (below 1e-12)"
    }
}

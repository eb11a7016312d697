/// An allowed range for a number, with the words used in the error message.
struct Bound: Sendable {
    let contains: @Sendable (Double) -> Bool
    let text: String

    static let positive = Bound(contains: { $0 > 0 }, text: "greater than 0")
    static let nonNegative = Bound(contains: { $0 >= 0 }, text: "0 or more")
    static let any = Bound(contains: { _ in true }, text: "a number")
    static func atLeast(_ min: Double) -> Bound {
        Bound(contains: { $0 >= min }, text: "at least \(TableReader.format(min))")
    }
    static func closed(_ lo: Double, _ hi: Double) -> Bound {
        Bound(contains: { $0 >= lo && $0 <= hi }, text: "between \(TableReader.format(lo)) and \(TableReader.format(hi))")
    }
    /// (lo, hi): both ends excluded.
    static func open(_ lo: Double, _ hi: Double) -> Bound {
        Bound(contains: { $0 > lo && $0 < hi }, text: "greater than \(TableReader.format(lo)) and less than \(TableReader.format(hi))")
    }
    /// (lo, hi]
    static func leftOpen(_ lo: Double, _ hi: Double) -> Bound {
        Bound(contains: { $0 > lo && $0 <= hi }, text: "greater than \(TableReader.format(lo)) and at most \(TableReader.format(hi))")
    }
    /// [lo, hi)
    static func rightOpen(_ lo: Double, _ hi: Double) -> Bound {
        Bound(contains: { $0 >= lo && $0 < hi }, text: "at least \(TableReader.format(lo)) and less than \(TableReader.format(hi))")
    }
}

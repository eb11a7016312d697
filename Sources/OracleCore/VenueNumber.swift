import Foundation

/// A decimal exactly as a venue wrote it, with its binary value alongside.
///
/// The text is what travels (API, spool, probe output): it is never rebuilt from the
/// `Double`, so "23980.49000000" stays "23980.49000000". The `Double` is what the
/// aggregation computes with; robust statistics do not need more than 15 significant digits.
public struct VenueNumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let text: String
    public let value: Double

    public init(text: String, value: Double) {
        self.text = text
        self.value = value
    }

    /// Parses a plain decimal (optionally signed, optional exponent). Returns nil for
    /// anything else, including "", "NaN", "inf" and hex.
    public init?(_ text: some StringProtocol) {
        guard let v = DecimalText.parse(text) else { return nil }
        self.text = String(text)
        self.value = v
    }

    public var description: String { text }
}

/// Strict decimal-literal parsing: `Double(String)` alone accepts "nan", "inf" and hex floats,
/// which a venue body must never smuggle into a price.
public enum DecimalText {
    public static func parse(_ text: some StringProtocol) -> Double? {
        var sawDigit = false
        var i = text.utf8.startIndex
        let u = text.utf8
        if i < u.endIndex, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i = u.index(after: i) }
        var sawDot = false
        var sawExp = false
        while i < u.endIndex {
            let c = u[i]
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."):
                if sawDot || sawExp { return nil }
                sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if sawExp || !sawDigit { return nil }
                sawExp = true
                let n = u.index(after: i)
                if n < u.endIndex, u[n] == UInt8(ascii: "-") || u[n] == UInt8(ascii: "+") { i = n }
            default: return nil
            }
            i = u.index(after: i)
        }
        guard sawDigit else { return nil }
        return Double(String(text))
    }

    /// Formats a computed value (a mark, an equity) as a decimal string with at most
    /// `maxFractionDigits` digits and no exponent, trimming trailing zeros.
    public static func format(_ value: Double, maxFractionDigits: Int = 8) -> String {
        guard value.isFinite else { return "0" }
        var s = String(format: "%.\(maxFractionDigits)f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s
    }
}

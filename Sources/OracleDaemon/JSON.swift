import OracleCore

/// A JSON value with ordered keys, for answers whose field order operators read (and diff).
/// Numbers that are decimals travel as strings by contract; `.raw` carries integers and literals.
public indirect enum JSON: Sendable, Equatable {
    case string(String)
    case raw(String)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.rendered == b.rendered }

    public static func int<T: BinaryInteger>(_ v: T) -> JSON { .raw(String(v)) }
    public static func number(_ v: Double) -> JSON { v.isFinite ? .raw(DecimalText.format(v, maxFractionDigits: 6)) : .null }
    /// A decimal as a string (the API's convention for prices and money).
    public static func decimal(_ v: Double?, digits: Int = 8) -> JSON {
        guard let v, v.isFinite else { return .null }
        return .string(DecimalText.format(v, maxFractionDigits: digits))
    }
    public static func optional(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }

    public var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }

    public func render(into out: inout String) {
        switch self {
        case .string(let s): JSON.escape(s, into: &out)
        case .raw(let r): out += r
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.render(into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                JSON.escape(k, into: &out)
                out += ":"
                v.render(into: &out)
            }
            out += "}"
        }
    }

    public static func escape(_ s: String, into out: inout String) {
        out += JSONString.quoted(s)
    }
}

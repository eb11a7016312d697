/// Call or put. Spelled `call`/`put` in JSON and the CLI; venue names use `C`/`P`.
public enum OptionRight: String, Sendable, Equatable, Hashable, CaseIterable {
    case call, put

    /// Accepts `call`, `put`, `c`, `p` in any case (venues write `C`/`P`, people write `Call`).
    public init?(text: some StringProtocol) {
        switch text.lowercased() {
        case "call", "c": self = .call
        case "put", "p": self = .put
        default: return nil
        }
    }

    /// +1 for a call, −1 for a put: the sign that turns call formulas into put formulas.
    @inline(__always)
    public var sign: Double { self == .call ? 1 : -1 }
}

/// A margin level. Raw values are the DESIGN.md notice spellings.
///
/// `none` is the healthy, non-notice state; `cured` is a notice only (a call that ended), never a
/// state the machine rests in. Severity orders the states: none < warning < margin_call < urgent < liquidation.
public enum MarginLevel: String, Sendable, Equatable, Hashable, CaseIterable {
    case none
    case warning
    case marginCall = "margin_call"
    case urgent
    case liquidation
    case cured

    /// Ordering for escalation. `cured` ranks with `none`.
    public var severity: Int {
        switch self {
        case .none, .cured: 0
        case .warning: 1
        case .marginCall: 2
        case .urgent: 3
        case .liquidation: 4
        }
    }

    /// margin_call, urgent or liquidation: a call is open and only a cure closes it.
    public var isCall: Bool { severity >= 2 }

    /// Syslog severity for a notice at this level (RFC 5424 numbers: 2 crit, 3 err, 4 warning, 5 notice).
    public var syslogPriority: Int32 {
        switch self {
        case .liquidation: 2
        case .urgent, .marginCall: 3
        case .warning: 4
        case .none, .cured: 5
        }
    }
}

/// Circumstances a notice reports besides its level.
public struct NoticeFlags: OptionSet, Sendable, Equatable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The mark update behind this notice moved an unusual share of accounts into call at once
    /// (`mass_call_share`): check the oracle before acting on it.
    public static let massCall = NoticeFlags(rawValue: 1 << 0)
    /// The notice is a liquidation because the call deadline passed, not because of the ratio.
    public static let deadlineExpired = NoticeFlags(rawValue: 1 << 1)
    /// Liquidation conditions held but were deferred because of a mass-call event; the next
    /// confirming evaluation decides.
    public static let liquidationDeferred = NoticeFlags(rawValue: 1 << 2)
}

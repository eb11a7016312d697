/// Something in a valid oracles.toml that is almost certainly not what the operator meant, but
/// does not stop the daemon: a `[[source]]` no pair uses, a pair whose sources can never reach
/// `min_sources`. `oracled check-config` prints these (and fails on them with `--strict`).
///
/// Rendered like `ConfigError.Problem`, with `warning:` after the position:
///
///     oracles.toml:40: warning: [[source]] bitstamp: name: no [[pair]] lists source "bitstamp", so it is never polled; …
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// A `[[source]]` that no `[[pair]]` lists.
        case unusedSource
        /// A pair whose distinct, quotable sources are fewer than its `min_sources`.
        case quorumUnreachable
    }

    public var code: Code
    public var file: String
    public var line: Int?
    public var section: String
    public var key: String
    public var message: String

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": warning: "
        if !section.isEmpty { text += section + ": " }
        if !key.isEmpty { text += key + ": " }
        return text + message
    }
}

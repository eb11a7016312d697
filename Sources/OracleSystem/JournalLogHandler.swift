import Logging

/// A swift-log handler that writes each line to journald as one entry with fields: MESSAGE,
/// PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE/CODE_LINE/CODE_FUNC, and one field per metadata key
/// (`account` → `ACCOUNT`, `pair` → `PAIR`, `level` → `LEVEL`, `notice_id` → `NOTICE_ID`,
/// `source` → `SOURCE`, …; an array value gives one field per element). Libraries keep logging plain metadata; the executable bootstraps
/// this handler under systemd, so `journalctl -u oracled ACCOUNT=acct-17` selects one account's lines.
///
/// MESSAGE also carries the metadata as `key=value` after the text, so the default `journalctl`
/// view (which prints MESSAGE only) reads like the stderr lines did. When journald cannot take
/// an entry the line goes to stderr instead (never dropped silently).
public struct JournalLogHandler: LogHandler {
    /// Field names the handler writes itself; a metadata key mapping to one of them is prefixed
    /// with `META_` rather than overwriting it.
    static let reserved: Set<String> = ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "MESSAGE_ID"]

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let writer: JournalWriter
    private let identifier: String
    private var fallback: StreamLogHandler

    public init(label: String, writer: JournalWriter, identifier: String = "oracled") {
        self.writer = writer
        self.identifier = identifier
        fallback = StreamLogHandler.standardError(label: label)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        if writer.send(fields(for: event)) { return }
        var f = fallback
        f.logLevel = logLevel
        f.metadata = metadata
        f.metadataProvider = metadataProvider
        f.log(event: event)
    }

    /// The entry's fields in order (tests read them without a socket).
    func fields(for event: LogEvent) -> [(String, String)] {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        let keys = merged.keys.sorted()
        var text = event.message.description
        for key in keys { text += " \(key)=\(Self.text(merged[key]!))" }
        var out: [(String, String)] = [
            ("MESSAGE", text),
            ("PRIORITY", String(Self.priority(event.level))),
            ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", event.file),
            ("CODE_LINE", String(event.line)),
            ("CODE_FUNC", event.function),
        ]
        for key in keys {
            guard var name = JournalWriter.fieldName(for: key) else { continue }
            if Self.reserved.contains(name) || name.hasPrefix("CODE_") { name = String("META_\(name)".prefix(64)) }
            // An array is one field per element (journald keeps repeated fields), so a batch
            // request's error with `pair: [BTC-USD, ETH-USD]` matches `PAIR=BTC-USD` and `PAIR=ETH-USD`.
            if case .array(let values) = merged[key]! {
                for v in values { out.append((name, "\(v)")) }
            } else {
                out.append((name, "\(merged[key]!)"))
            }
        }
        return out
    }

    /// A value as the MESSAGE shows it: arrays as `a,b` (swift-log's own rendering quotes each element).
    static func text(_ value: Logger.MetadataValue) -> String {
        if case .array(let values) = value { return values.map { text($0) }.joined(separator: ",") }
        return "\(value)"
    }

    /// syslog(3) priorities, as journald and `journalctl -p` read them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}

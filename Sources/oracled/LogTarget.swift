import ArgumentParser
import OracleSystem

/// `oracled run --log-target`: where the executable sends log lines (libraries only emit).
enum LogTarget: String, ExpressibleByArgument, CaseIterable {
    case auto, journal, stderr

    /// The journal writer to log through, or nil for stderr. `ORACLED_JOURNAL_SOCKET` names another
    /// journal socket (tests bind their own; it also selects the journal under `auto`).
    func journal(environment: [String: String]) -> JournalWriter? {
        let override = environment["ORACLED_JOURNAL_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        switch self {
        case .stderr: return nil
        case .journal: return JournalWriter(socketPath: override ?? JournalWriter.defaultSocketPath)
        case .auto:
            if let override { return JournalWriter(socketPath: override) }
            return JournalWriter.stderrIsJournal(environment: environment) ? JournalWriter() : nil
        }
    }
}

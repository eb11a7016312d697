/// Collects the problems found while decoding one file, each pinned to a line.
///
/// A class because every section reader appends to the same list; it lives only for one
/// `ConfigLoader.parse` call on one thread and never escapes it.
final class ConfigDiagnostics {
    let file: String
    let lines: SourceLineIndex
    private(set) var problems: [ConfigError.Problem] = []

    init(file: String, lines: SourceLineIndex) {
        self.file = file
        self.lines = lines
    }

    var isEmpty: Bool { problems.isEmpty }

    /// Records a problem; `path` is the line-index path (e.g. `pair[0].sources[1].source`),
    /// `section`/`key` are what the operator reads.
    func report(_ code: ConfigError.Code, path: String, section: String, key: String, _ message: String) {
        problems.append(ConfigError.Problem(code: code, file: file, line: lines.line(for: path),
                                            section: section, key: key, message: message))
    }

    var error: ConfigError { ConfigError(problems: problems) }
}

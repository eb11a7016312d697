/// Why oracles.toml was rejected: one or more problems, each naming the file, line and key
/// and saying what to write instead.
///
/// The loader reports every problem it finds in one pass, so an operator fixes a config in
/// one edit rather than one restart per typo. `description` renders one problem per line,
/// ordered by line, in the compiler-like form editors and `grep` understand:
///
///     oracles.toml:14: [[pair]] BTC-USD: sources[1].source: unknown source "binanc"; define a [[source]] with that name or fix the spelling
///
/// `file`, `line`, `key` and `message` are those of the first problem; `problems` has them all.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is, for tests and tools that match on it rather than on prose.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The file could not be read (missing, permissions, not UTF-8).
        case unreadable
        /// TOML syntax error, as reported by the TOML parser.
        case syntax
        /// A key oracled does not know (usually a typo).
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// The value has the wrong TOML type (a string where a number is needed, …).
        case wrongType
        /// The value has the right type but is not allowed (bad unit, bad symbol, out of range, …).
        case invalidValue
        /// Two entries share a name that must be unique.
        case duplicate
        /// A name refers to a source, pair or asset that is not defined.
        case unknownReference
        /// `convert` references form a loop.
        case cycle
    }

    /// One thing wrong with the configuration.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var code: Code
        /// The path as given to the loader (or the `file:` label passed to `parse`).
        public var file: String
        /// 1-based line in the file, when the problem can be pinned to one.
        public var line: Int?
        /// The section as an operator sees it: `[daemon]`, `[[pair]] BTC-USD`, `[[source]] #3`; empty at top level.
        public var section: String
        /// The key inside that section, e.g. `max_age` or `sources[1].source`; empty for a whole section.
        public var key: String
        /// What is wrong and what to do about it.
        public var message: String

        /// A problem at `file:line`, in `section`, about `key`.
        public init(code: Code, file: String, line: Int?, section: String, key: String, message: String) {
            self.code = code
            self.file = file
            self.line = line
            self.section = section
            self.key = key
            self.message = message
        }

        public var description: String {
            var text = file
            if let line { text += ":\(line)" }
            text += ": "
            if !section.isEmpty { text += section + ": " }
            if !key.isEmpty { text += key + ": " }
            return text + message
        }
    }

    /// Every problem found, ordered by line (problems without a line last). Never empty.
    public var problems: [Problem]

    /// Wraps the problems; an empty list becomes one generic problem so the invariant holds.
    public init(problems: [Problem]) {
        let ordered = problems.enumerated().sorted { a, b in
            let la = a.element.line ?? Int.max, lb = b.element.line ?? Int.max
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
        self.problems = ordered.isEmpty
            ? [Problem(code: .invalidValue, file: "", line: nil, section: "", key: "",
                       message: "configuration rejected for an unknown reason")]
            : ordered
    }

    /// A single problem.
    public init(code: Code, file: String, line: Int?, section: String = "", key: String, message: String) {
        self.init(problems: [Problem(code: code, file: file, line: line, section: section, key: key, message: message)])
    }

    private var first: Problem? { problems.first }
    /// File of the first problem.
    public var file: String { first?.file ?? "" }
    /// Line of the first problem, when known.
    public var line: Int? { first?.line }
    /// Key of the first problem.
    public var key: String { first?.key ?? "" }
    /// Message of the first problem.
    public var message: String { first?.message ?? "" }
    /// Code of the first problem.
    public var code: Code { first?.code ?? .invalidValue }

    /// One problem per line.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

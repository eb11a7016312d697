import ArgumentParser

/// Lets the global options (`--socket PATH`, `--json`) come before the subcommand as well as after
/// it, as `systemctl`, `chronyc` and `kubectl` allow: `oraclectl --socket S price BTC-USD` is read as
/// `oraclectl price BTC-USD --socket S`.
///
/// The options are declared once, in `GlobalOptions`, which every subcommand includes with
/// `@OptionGroup`; that is where they are parsed, validated and shown in `--help`. This only moves
/// the ones written between `oraclectl` and the end of the subcommand path (`accounts list`) to after
/// it. Nothing after the subcommand path is touched, so a value that happens to read `--json` (a
/// `--reason` text) stays where it is, and a `--` terminator keeps its meaning.
enum GlobalArguments {
    /// Global options that take a value (as `--socket S` or `--socket=S`).
    static let valued: Set<String> = ["--socket"]
    /// Global flags.
    static let flags: Set<String> = ["--json"]

    static func hoist(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var command = root
        var path: [String] = []
        var moved: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if flags.contains(a) {
                moved.append(a)
                i += 1
            } else if valued.contains(a), i + 1 < arguments.count {
                moved += [a, arguments[i + 1]]
                i += 2
            } else if let eq = a.firstIndex(of: "="), valued.contains(String(a[..<eq])) {
                moved.append(a)
                i += 1
            } else if let sub = subcommand(named: a, of: command) {
                command = sub
                path.append(a)
                i += 1
            } else {
                break
            }
        }
        // No subcommand named: leave the line as written, so the root's own error or help shows.
        guard !path.isEmpty else { return arguments }
        var rest = Array(arguments[i...])
        let terminator = rest.firstIndex(of: "--") ?? rest.endIndex
        rest.insert(contentsOf: moved, at: terminator)
        return path + rest
    }

    /// True when the line is nothing but global options (`oraclectl --socket S`): ArgumentParser
    /// would call `--socket` unknown, which is confusing since it is documented.
    static func lacksSubcommand(_ arguments: [String]) -> Bool {
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if flags.contains(a) || (a.firstIndex(of: "=").map { valued.contains(String(a[..<$0])) } ?? false) {
                i += 1
            } else if valued.contains(a) {
                i += 2
            } else {
                return false
            }
        }
        return !arguments.isEmpty
    }

    private static func subcommand(named name: String, of command: any ParsableCommand.Type) -> (any ParsableCommand.Type)? {
        command.configuration.subcommands.first { $0._commandName == name || $0.configuration.aliases.contains(name) }
    }
}

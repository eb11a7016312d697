/// The part of swift-argument-parser's `--experimental-dump-help` JSON (ToolInfoV0) the manual
/// pages use. Decoded here rather than through ArgumentParserToolInfo, which the package does not
/// export as a product.
struct ToolInfo: Decodable {
    var command: CommandInfo
}

struct CommandInfo: Decodable {
    var commandName: String
    var superCommands: [String]?
    var shouldDisplay: Bool?
    var abstract: String?
    var discussion: String?
    var subcommands: [CommandInfo]?
    var arguments: [ArgumentInfo]?

    var isShown: Bool { shouldDisplay ?? true }
    /// `oracled run`, `oraclectl calls`.
    var fullName: String { ((superCommands ?? []) + [commandName]).joined(separator: " ") }
}

struct ArgumentInfo: Decodable {
    struct Name: Decodable {
        var kind: String
        var name: String
        var spelled: String {
            switch kind {
            case "short": "-" + name
            case "longWithSingleDash": "-" + name
            default: "--" + name
            }
        }
    }

    var kind: String
    var shouldDisplay: Bool?
    var isOptional: Bool?
    var isRepeating: Bool?
    var names: [Name]?
    var preferredName: Name?
    var valueName: String?
    var defaultValue: String?
    var allValues: [String]?
    var abstract: String?
    var discussion: String?

    var isShown: Bool { shouldDisplay ?? true }
    /// The help flag every command has; the manual says it once.
    var isHelp: Bool { names?.contains { $0.name == "help" } ?? false }
}

import Foundation

/// Finds oracled's socket the way an operator expects: `--socket`, then `$ORACLED_SOCKET`, then the
/// `socket` key of `[daemon]` in `./oracles.toml`, then in `/etc/oracled/oracles.toml`, then the
/// packaged default. Reading the config means `make run`'s `./var/...` socket just works.
enum SocketLocator {
    static let defaultPath = "/run/oracled/oracled.sock"

    static func resolve(
        flag: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFiles: [String] = ["oracles.toml", "/etc/oracled/oracles.toml"]
    ) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["ORACLED_SOCKET"], !env.isEmpty { return env }
        for file in configFiles {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            if let socket = daemonSocket(inTOML: text) { return socket }
        }
        return defaultPath
    }

    /// The string value of `socket` under `[daemon]`, found with a small line scanner (the CLI
    /// does not need a full TOML decoder for one key). Handles comments and both quote styles.
    static func daemonSocket(inTOML text: String) -> String? {
        var inDaemon = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                let header = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
                inDaemon = header == "[daemon]"
                continue
            }
            guard inDaemon, line.hasPrefix("socket") else { continue }
            let rest = line.dropFirst("socket".count).drop { $0 == " " || $0 == "\t" }
            guard rest.first == "=" else { continue }
            let value = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            guard let quote = value.first, quote == "\"" || quote == "'" else { return nil }
            let body = value.dropFirst()
            guard let end = body.firstIndex(of: quote) else { return nil }
            let s = String(body[..<end])
            return quote == "\"" ? s.replacingOccurrences(of: "\\\\", with: "\\").replacingOccurrences(of: "\\\"", with: "\"") : s
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Finds oracled's socket the way an operator expects: `--socket`, then `$ORACLED_SOCKET`, then the
/// `socket` key of `[daemon]` in `./oracles.toml`, then in `/etc/oracled/oracles.toml`, then the
/// packaged default. Reading the config means `make run`'s `./var/...` socket just works.
enum SocketLocator {
    static let defaultPath = "/run/oracled/oracled.sock"

    static func resolve(
        flag: String?,
        environment: [String: String] = currentEnvironment(),
        configFiles: [String] = ["oracles.toml", "/etc/oracled/oracles.toml"]
    ) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["ORACLED_SOCKET"], !env.isEmpty { return env }
        for file in configFiles {
            guard let bytes = try? readFile(file) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            if let socket = daemonSocket(inTOML: text) { return socket }
        }
        return defaultPath
    }

    /// The string value of `socket` under `[daemon]`, found with a small line scanner (the CLI
    /// does not need a full TOML decoder for one key). Handles comments and both quote styles.
    static func daemonSocket(inTOML text: String) -> String? {
        var inDaemon = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine).trimmedBlanks
            if line.hasPrefix("[") {
                let header = String(line.prefix { $0 != "#" }).trimmedBlanks
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
            return quote == "\"" ? unescapeBasic(s) : s
        }
        return nil
    }

    /// The one variable the CLI reads (getenv, not Foundation's ProcessInfo).
    static func currentEnvironment() -> [String: String] {
        guard let value = getenv("ORACLED_SOCKET") else { return [:] }
        return ["ORACLED_SOCKET": String(cString: value)]
    }

    /// `\\` and `\"` in a basic TOML string (the escapes a path can need).
    static func unescapeBasic(_ s: String) -> String {
        var out = ""
        var escaped = false
        for ch in s {
            if escaped {
                out.append(ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends.
    var trimmedBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}

import Foundation

// oracled-docs: regenerates the manual pages and shell completions (`make docs`).
//
//   oracled-docs [--bin DIR] [--man DIR] [--completions DIR]
//
// The command pages come from each binary's `--experimental-dump-help` (the ArgumentParser
// definitions themselves), oracles.toml(5) from ConfigKeys.swift, the completions from
// `--generate-completion-script`. The output has no dates or paths in it, so a test can
// regenerate into a temporary directory and compare with the committed files.

struct DocsError: Error, CustomStringConvertible {
    let description: String
}

var options: [String: String] = [:]
var argv = CommandLine.arguments.dropFirst()
while let flag = argv.popFirst() {
    guard ["--bin", "--man", "--completions"].contains(flag), let value = argv.popFirst() else {
        FileHandle.standardError.write(Data("usage: oracled-docs [--bin DIR] [--man DIR] [--completions DIR]\n".utf8))
        exit(64)
    }
    options[flag] = value
}
let ownDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let binDir = options["--bin"] ?? ownDir
let manDir = options["--man"] ?? "docs"
let completionsDir = options["--completions"] ?? "contrib/completions"

/// Runs a binary with a fixed environment (no ORACLED_SOCKET or locale leaking into the output).
func output(_ executable: String, _ arguments: [String]) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw DocsError(description: "\(executable) \(arguments.joined(separator: " ")) exited \(p.terminationStatus)") }
    return data
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

do {
    let oracled = try JSONDecoder().decode(ToolInfo.self, from: output(binDir + "/oracled", ["--experimental-dump-help"])).command
    let oraclectl = try JSONDecoder().decode(ToolInfo.self, from: output(binDir + "/oraclectl", ["--experimental-dump-help"])).command
    try write(CommandPage.render(oracled, section: 8, description: PageText.oracledDescription, extras: PageText.oracledExtras), to: manDir + "/oracled.8")
    try write(CommandPage.render(oraclectl, section: 1, description: PageText.oraclectlDescription, extras: PageText.oraclectlExtras), to: manDir + "/oraclectl.1")
    try write(ConfigPage.render(), to: manDir + "/oracles.toml.5")
    for tool in ["oracled", "oraclectl"] {
        for (shell, file) in [("bash", "\(tool).bash"), ("zsh", "_\(tool)"), ("fish", "\(tool).fish")] {
            let script = try output(binDir + "/" + tool, ["--generate-completion-script", shell])
            try write(String(decoding: script, as: UTF8.self), to: completionsDir + "/" + file)
        }
    }
} catch {
    FileHandle.standardError.write(Data("oracled-docs: \(error)\n".utf8))
    exit(1)
}

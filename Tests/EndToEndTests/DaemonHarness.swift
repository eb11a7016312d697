import Foundation

/// Starts the real binaries (built by `swift build --build-tests` / `make test`) for end-to-end tests.
enum Binaries {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ name: String) -> String {
        for dir in [".build/debug", ".build/release"] {
            let p = repoRoot.appendingPathComponent(dir).appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return repoRoot.appendingPathComponent(".build/debug/\(name)").path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A child process with its stdout/stderr captured to files (read them when a test fails).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let logPath: String

    init(_ executable: String, _ arguments: [String], logPath: String, environment: [String: String]? = nil) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func kill(_ signal: Int32 = SIGTERM) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    func wait(timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// The fake venue on an ephemeral port, controlled over HTTP.
final class FakeVenue: @unchecked Sendable {
    let child: ChildProcess
    let port: Int

    init(dir: String) async throws {
        child = try ChildProcess(Binaries.path("fake-venue"), ["--port", "0"], logPath: dir + "/fake-venue.log")
        var port = 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let line = child.log.split(separator: "\n").first(where: { $0.hasPrefix("LISTENING ") }) {
                port = Int(line.dropFirst("LISTENING ".count)) ?? 0
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard port > 0 else { throw HarnessError("fake-venue did not start: \(child.log)") }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    @discardableResult
    func control(_ pathAndQuery: String) throws -> String {
        let r = try UnixHTTPClient(path: "", tcpPort: port).request("POST", pathAndQuery)
        guard r.status == 200 else { throw HarnessError("fake-venue control \(pathAndQuery) → \(r.status) \(r.body)") }
        return r.body
    }

    func setFault(_ venue: String, _ mode: String) throws { try control("/_control/fault?venue=\(venue)&mode=\(mode)") }
    func setPrice(_ pair: String, _ price: Double) throws { try control("/_control/price?pair=\(pair)&price=\(price)") }
    func stats() throws -> [String: Int] {
        let text = try control("/_control/stats")
        return ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Int]) ?? [:]
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. Sleeps with
/// `Task.sleep`, never blocking a thread of the (small) cooperative pool other tests run on.
func eventually(timeout: Double, interval: Double = 0.1, _ condition: () throws -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
    }
    return (try? condition()) == true
}

func makeTempDir(_ name: String) -> String {
    // Unix socket paths are limited to 108 bytes: keep the directory short.
    let dir = "/tmp/oe2e-\(name)-\(getpid())-\(Int.random(in: 0..<1_000_000))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

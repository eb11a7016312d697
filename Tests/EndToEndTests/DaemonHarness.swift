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
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
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

    /// `arguments` go after `--port 0` (e.g. `["--synthetic-pairs", "50"]`).
    init(dir: String, arguments: [String] = []) async throws {
        child = try ChildProcess(Binaries.path("fake-venue"), ["--port", "0"] + arguments, logPath: dir + "/fake-venue.log")
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

// MARK: - Helpers for the fault, abuse and operations suites

extension FakeVenue {
    /// Sets a fault that ends by itself after `seconds` and/or `requests` answers (fake-venue windows).
    func setFault(_ venue: String, _ mode: String, seconds: Double? = nil, requests: Int? = nil) throws {
        var q = "/_control/fault?venue=\(venue)&mode=\(mode)"
        if let seconds { q += "&seconds=\(seconds)" }
        if let requests { q += "&requests=\(requests)" }
        try control(q)
    }

    /// Every request the venue received (since the last reset-stats), oldest first: wall-clock ms and
    /// the HTTP status it was answered with (0 = never answered), the fault mode and the venue.
    /// `venue` nil: every venue's requests.
    func requestLog(_ venue: String?) throws -> [(ms: Int64, status: Int, mode: String, venue: String)] {
        let text = try control("/_control/log" + (venue.map { "?venue=\($0)" } ?? ""))
        let rows = ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[Any]]) ?? []
        return rows.compactMap { r in
            guard r.count >= 4, let ms = (r[0] as? NSNumber)?.int64Value, let st = (r[1] as? NSNumber)?.intValue,
                  let mode = r[2] as? String, let v = r[3] as? String else { return nil }
            return (ms, st, mode, v)
        }
    }
}

/// Resident memory of a process in KiB from /proc/<pid>/status (nil if it is gone).
func residentKiB(pid: Int32) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
}

/// Open file descriptors of a process (nil if it is gone).
func openFileCount(pid: Int32) -> Int? {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
}

func wallMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// Runs a short command to completion (no shell) and returns its exit status and output.
func runCommand(_ executable: String, _ arguments: [String], timeout: Double = 30) async -> (status: Int32, output: String) {
    let dir = makeTempDir("cmd")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    guard let child = try? ChildProcess(executable, arguments, logPath: dir + "/out.log") else { return (-1, "cannot run \(executable)") }
    guard await child.wait(timeout: timeout) else {
        child.kill(SIGKILL)
        return (-1, "timed out after \(timeout)s: \(child.log)")
    }
    return (child.process.terminationStatus, child.log)
}

/// The first of `names` found in /usr/bin, /bin, /usr/sbin or /sbin.
func findTool(_ names: String...) -> String? {
    for n in names {
        for d in ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(d)/\(n)") {
            return "\(d)/\(n)"
        }
    }
    return nil
}

/// Fills the filesystem holding `path` (a new file there) up to its last byte, or down to about
/// `leaving` bytes free; returns false when the file cannot be created. Remove `path` to free it.
@discardableResult
func fillFilesystem(with path: String, leaving free: Int = 0) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var st = statvfs()
    let chunk = [UInt8](repeating: 0x78, count: free > 0 ? 1024 : 4096)
    while free == 0 || (statvfs(path, &st) == 0 && Int(st.f_bavail) * Int(st.f_bsize) > free + 1024) {
        guard chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 else { break }
    }
    if free == 0 { var one: UInt8 = 0x78; while write(fd, &one, 1) > 0 {} }
    return true
}

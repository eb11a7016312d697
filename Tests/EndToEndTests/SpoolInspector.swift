import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads what the daemon delivered to a spool directory (DESIGN.md "Margin-call spool"): the notice
/// files in `new/`, `cur/` and `tmp/`, and the lines of `calls.jsonl`, without trusting any of it.
struct SpoolInspector {
    let directory: String

    /// Keys every notice must carry (DESIGN.md "Notice JSON").
    static let requiredFields = ["id", "account", "level", "created_at", "currency", "equity", "maintenance_requirement",
                                 "initial_requirement", "ratio", "deficit", "top_up", "deadline", "marks", "risk"]
    static let levels: Set<String> = ["warning", "margin_call", "urgent", "liquidation", "cured"]

    /// One notice file: its id from the file name and its parsed JSON (nil if it does not parse).
    struct NoticeFile {
        var id: String
        var json: [String: Any]?
        var level: String? { json?["level"] as? String }
    }

    func files(in sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(sub)")) ?? []).sorted()
    }

    /// Notice files in `new/` (or `cur/`, `tmp/`), keyed by id.
    func notices(in sub: String = "new") -> [String: NoticeFile] {
        var out: [String: NoticeFile] = [:]
        for name in files(in: sub) where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            let data = FileManager.default.contents(atPath: "\(directory)/\(sub)/\(name)") ?? Data()
            out[id] = NoticeFile(id: id, json: (try? JSONSerialization.jsonObject(with: data)) as? [String: Any])
        }
        return out
    }

    /// Every file in `tmp/` (notice files and the writer's pre-created `.spare-N` files alike) with its
    /// size and, when its content is a whole notice, that notice's id.
    func tmpContents() -> [(name: String, size: Int, noticeID: String?)] {
        files(in: "tmp").map { name in
            let data = FileManager.default.contents(atPath: "\(directory)/tmp/\(name)") ?? Data()
            let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            return (name, data.count, obj?["id"] as? String)
        }
    }

    /// Ids of the notice files in `new/` and their levels.
    func newLevels() -> [String: String] { notices().mapValues { $0.level ?? "?" } }

    /// `calls.jsonl`, line by line.
    struct Journal {
        /// Parsed lines in order (id, level, whole object).
        var entries: [(id: String, level: String, json: [String: Any])] = []
        /// Lines that are not a JSON object with a string id (with their 1-based line numbers).
        var invalid: [(line: Int, text: String)] = []
        /// Ids that appear on more than one line.
        var duplicates: [String] = []
        /// The file does not end with a newline (a torn last line).
        var tornTail = false
        /// Lines missing a DESIGN.md field: "id: field".
        var missingFields: [String] = []

        var ids: Set<String> { Set(entries.map(\.id)) }
        var levels: [String: String] { Dictionary(entries.map { ($0.id, $0.level) }, uniquingKeysWith: { a, _ in a }) }
    }

    func journal() -> Journal {
        var j = Journal()
        guard let data = FileManager.default.contents(atPath: directory + "/calls.jsonl"), !data.isEmpty else { return j }
        j.tornTail = data.last != UInt8(ascii: "\n")
        var seen: Set<String> = []
        var lineNo = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNo += 1
            if raw.isEmpty { continue }
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(raw))) as? [String: Any],
                  let id = obj["id"] as? String else {
                j.invalid.append((lineNo, String(decoding: raw.prefix(200), as: UTF8.self)))
                continue
            }
            if !seen.insert(id).inserted { j.duplicates.append(id) }
            for f in Self.requiredFields where obj[f] == nil { j.missingFields.append("\(id): \(f)") }
            j.entries.append((id, obj["level"] as? String ?? "?", obj))
        }
        return j
    }
}

/// Binds a datagram socket where the daemon's `syslog_socket` points and collects every line on a
/// dedicated thread (never a cooperative-pool thread), so the daemon's sends never back up.
/// The thread owns the descriptor: `stop()` (or deinit) asks it to finish, and it closes the socket.
final class SyslogCollector: @unchecked Sendable {
    private final class Box: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        var stopped = false
    }

    let path: String
    private let box = Box()

    init(path: String) throws {
        self.path = path
        let fd = try bindDatagramSocket(at: path, label: "syslog collector")
        let box = self.box
        let t = Thread {
            var buf = [UInt8](repeating: 0, count: 65536)
            while !box.lock.withLock({ box.stopped }) {
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let line = String(decoding: buf[0..<n], as: UTF8.self)
                    box.lock.withLock { box.lines.append(line) }
                }
            }
            close(fd)
            unlink(path)
        }
        t.name = "syslog-collector"
        t.start()
    }

    var all: [String] { box.lock.withLock { box.lines } }

    /// Notice lines (`<PRI>oracled[pid]: LEVEL ACCOUNT id ID …`).
    struct NoticeLine { var id: String; var severity: Int; var level: String }

    var noticeLines: [NoticeLine] {
        all.compactMap { line in
            guard line.hasPrefix("<"), let close = line.firstIndex(of: ">"),
                  let pri = Int(line[line.index(after: line.startIndex)..<close]),
                  let colon = line.range(of: "]: ") else { return nil }
            let words = line[colon.upperBound...].split(separator: " ")
            guard words.count >= 4, words[2] == "id" else { return nil }
            return NoticeLine(id: String(words[3]), severity: pri & 7, level: String(words[0]))
        }
    }

    func stop() { box.lock.withLock { box.stopped = true } }

    deinit { stop() }
}

/// Syslog severity a notice at `level` must carry (MarginLevel.syslogPriority).
func expectedSyslogSeverity(_ level: String) -> Int {
    switch level {
    case "liquidation": 2
    case "urgent", "margin_call": 3
    case "warning": 4
    default: 5
    }
}

/// A started `oracled` and a client for its socket.
struct RunningDaemon {
    let child: ChildProcess
    let client: UnixHTTPClient

    func get(_ target: String) throws -> [String: Any] {
        let r = try client.request("GET", target)
        guard r.status == 200, let j = r.json else { throw HarnessError("GET \(target) → \(r.status) \(r.body.prefix(300))") }
        return j
    }

    func mark(_ pair: String) -> (price: Double, status: String)? {
        guard let j = try? get("/v1/prices/\(pair)"), let s = j["status"] as? String else { return nil }
        return (Double(j["price"] as? String ?? "") ?? .nan, s)
    }

    /// `margin` of /v1/health.
    func marginHealth() -> [String: Any]? { (try? get("/v1/health"))?["margin"] as? [String: Any] }
}

enum DaemonLauncher {
    /// Starts `oracled run --config` and waits until its socket answers /v1/health.
    static func start(config: String, socket: String, log: String, timeout: Double = 20,
                      environment: [String: String]? = nil) async throws -> RunningDaemon {
        let child = try ChildProcess(Binaries.path("oracled"), ["run", "--config", config], logPath: log, environment: environment)
        let client = UnixHTTPClient(path: socket, tcpPort: nil)
        let up = await eventually(timeout: timeout, interval: 0.03) {
            (try? client.request("GET", "/v1/health", timeout: 2))?.status == 200
        }
        guard up else {
            child.kill(SIGKILL)
            throw HarnessError("oracled did not serve \(socket) within \(timeout)s; log:\n\(child.log.suffix(3000))")
        }
        return RunningDaemon(child: child, client: client)
    }
}

extension FakeVenue {
    /// Stops (or restarts) the per-venue price wiggle so marks are exact.
    func setWiggle(_ on: Bool) throws { try control("/_control/wiggle?on=\(on ? 1 : 0)") }
}

/// A small deterministic generator (SplitMix64): the same accounts in every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One journal entry: every field with all its values (journald keeps repeated fields).
struct JournalEntry: CustomStringConvertible {
    var fields: [String: [String]] = [:]
    /// The first value of `name`.
    subscript(_ name: String) -> String? { fields[name]?.first }
    func has(_ name: String, _ value: String) -> Bool { fields[name]?.contains(value) == true }
    var description: String { "\(fields)" }
}

/// Binds a datagram socket where `ORACLED_JOURNAL_SOCKET` points and parses every entry with the
/// test's own reading of journald's native protocol (`KEY=value\n`, or `KEY\n` + 64-bit LE length +
/// value + `\n`), on a dedicated thread so the daemon's sends never back up.
final class JournalCollector: @unchecked Sendable {
    private final class Box: @unchecked Sendable {
        let lock = NSLock()
        var entries: [JournalEntry] = []
        var malformed: [String] = []
        var stopped = false
    }

    let path: String
    private let box = Box()

    init(path: String) throws {
        self.path = path
        let fd = try bindDatagramSocket(at: path, label: "journal collector")
        let box = self.box
        let t = Thread {
            var buf = [UInt8](repeating: 0, count: 1 << 17)
            while !box.lock.withLock({ box.stopped }) {
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { continue }
                let datagram = Array(buf[0..<n])
                if let entry = JournalCollector.parse(datagram) {
                    box.lock.withLock { box.entries.append(entry) }
                } else {
                    box.lock.withLock { box.malformed.append(String(decoding: datagram, as: UTF8.self)) }
                }
            }
            close(fd)
            unlink(path)
        }
        t.name = "journal-collector"
        t.start()
    }

    var entries: [JournalEntry] { box.lock.withLock { box.entries } }
    var malformed: [String] { box.lock.withLock { box.malformed } }

    /// One native-protocol datagram as fields; nil when it breaks the protocol (a name with
    /// characters journald refuses, a missing newline, a length running past the end).
    static func parse(_ d: [UInt8]) -> JournalEntry? {
        var entry = JournalEntry()
        var i = 0
        while i < d.count {
            guard let end = d[i...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") }) else { return nil }
            let name = String(decoding: d[i..<end], as: UTF8.self)
            guard !name.isEmpty, !name.hasPrefix("_"), name.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else { return nil }
            if d[end] == UInt8(ascii: "=") {
                guard let nl = d[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                entry.fields[name, default: []].append(String(decoding: d[(end + 1)..<nl], as: UTF8.self))
                i = nl + 1
            } else {
                guard end + 9 <= d.count else { return nil }
                var length: UInt64 = 0
                for k in 0..<8 { length |= UInt64(d[end + 1 + k]) << (8 * UInt64(k)) }
                let start = end + 9
                guard start + Int(length) < d.count, d[start + Int(length)] == UInt8(ascii: "\n") else { return nil }
                entry.fields[name, default: []].append(String(decoding: d[start..<(start + Int(length))], as: UTF8.self))
                i = start + Int(length) + 1
            }
        }
        return entry
    }

    func stop() { box.lock.withLock { box.stopped = true } }
    deinit { stop() }
}

/// Under systemd the daemon's log lines reach journald with fields (issue 11), so
/// `journalctl -u oracled ACCOUNT=acct-17` selects an account's lines. The test owns the journal
/// socket (`ORACLED_JOURNAL_SOCKET`) and checks real daemon lines: each delivered notice carries its
/// ACCOUNT, LEVEL and NOTICE_ID (matched against the API's own history), a failing source's errors
/// carry SOURCE and PAIR, and every entry has MESSAGE, PRIORITY and SYSLOG_IDENTIFIER=oracled.
@Suite(.serialized)
struct JournalFieldsTests {
    @Test(.timeLimit(.minutes(2)))
    func noticeAndSourceErrorLinesCarryFields() async throws {
        let dir = makeTempDir("journal")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try JournalCollector(path: dir + "/journal.sock")
        defer { journal.stop() }
        let venue = try await FakeVenue(dir: dir)
        defer { venue.child.kill(SIGKILL) }
        try venue.setWiggle(false)
        let configPath = dir + "/oracles.toml"
        try MarginScenario.config(dir: dir, venueURL: venue.baseURL, syslogSocket: dir + "/syslog.sock")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let syslog = try SyslogCollector(path: dir + "/syslog.sock")
        defer { syslog.stop() }
        let socket = dir + "/oracled.sock"
        let child = try ChildProcess(Binaries.path("oracled"), ["run", "--config", configPath, "--log-level", "debug"],
                                     logPath: dir + "/oracled.log", environment: ["ORACLED_JOURNAL_SOCKET": journal.path])
        defer { child.kill(SIGKILL) }
        let daemon = RunningDaemon(child: child, client: UnixHTTPClient(path: socket, tcpPort: nil))
        try #require(await eventually(timeout: 20) { daemon.mark("BTC-USD")?.status == "ok" }, "no mark; log:\n\(child.log.suffix(2000))")
        let ready = journal.entries.first { $0["MESSAGE"]?.hasPrefix("oracled ready") == true }
        #expect(ready?["SYSLOG_IDENTIFIER"] == "oracled" && ready?["PRIORITY"] == "6" && ready?["PAIRS"] == "2",
                "ready line: \(String(describing: ready))")
        #expect(ready?["CODE_FILE"]?.hasSuffix("DaemonRunner.swift") == true && Int(ready?["CODE_LINE"] ?? "") != nil)

        let imported = try daemon.client.request("POST", "/v1/accounts/import", body: CrashConsistencyTests.accounts(count: 4, seed: 7), timeout: 30)
        try #require(imported.status == 200, "import → \(imported.status) \(imported.body)")
        try venue.setPrice("BTC-USD", CrashConsistencyTests.low)
        try #require(await eventually(timeout: 20) { ((try? OracleCtlCallsTests.history(daemon)) ?? []).count >= 4 }, "no calls")
        let history = try OracleCtlCallsTests.history(daemon)
        let noticeLines = { journal.entries.filter { $0["NOTICE_ID"] != nil } }
        #expect(await eventually(timeout: 10) { noticeLines().count >= history.count },
                "\(noticeLines().count) notice entries for \(history.count) notices")
        for n in history {
            let id = try #require(n["id"] as? String)
            let entry = noticeLines().first { $0["NOTICE_ID"] == id }
            #expect(entry?["ACCOUNT"] == n["account"] as? String, "\(id): \(String(describing: entry))")
            #expect(entry?["LEVEL"] == n["level"] as? String, "\(id): \(String(describing: entry))")
            // The same syslog severity the syslog copy carries (syslog stays as it was).
            #expect(entry?["PRIORITY"] == String(expectedSyslogSeverity(n["level"] as? String ?? "")), "\(id): \(String(describing: entry))")
            #expect(entry?["MESSAGE"]?.contains(id) == true)
        }
        #expect(await eventually(timeout: 5) { syslog.noticeLines.count >= history.count }, "syslog lost its notice lines")

        // A source that fails: its error lines name the source and the pair.
        try venue.setFault("kraken", "http500")
        #expect(await eventually(timeout: 10) {
            journal.entries.contains { $0["SOURCE"] == "kraken" && $0.has("PAIR", "BTC-USD") && $0["ERROR"] != nil && $0["PRIORITY"] == "7" }
        }, "no kraken error entry with SOURCE/PAIR: \(journal.entries.filter { $0["SOURCE"] != nil }.suffix(3))")
        #expect(journal.malformed.isEmpty, "\(journal.malformed.prefix(3))")
        // Nothing was written to stderr while the journal took the lines.
        #expect(!child.log.contains("oracled ready"), "\(child.log.prefix(500))")
    }
}

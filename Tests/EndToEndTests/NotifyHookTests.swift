import Foundation
import Testing

/// contrib/systemd/oracled-notify and its units: each notice in new/ goes to the hook once, then to
/// cur/ under the same name; a failing hook leaves it in new/.
@Suite struct NotifyHookTests {
    static let systemdDir = Binaries.repoRoot.appendingPathComponent("contrib/systemd").path
    static let script = systemdDir + "/oracled-notify"

    struct Spool {
        let dir: String
        init(_ name: String) throws {
            dir = makeTempDir(name)
            for sub in ["tmp", "new", "cur"] { try FileManager.default.createDirectory(atPath: "\(dir)/spool/\(sub)", withIntermediateDirectories: true) }
        }
        var spool: String { dir + "/spool" }
        func add(_ id: String, _ json: String) throws { try json.write(toFile: "\(spool)/new/\(id).json", atomically: false, encoding: .utf8) }
        func list(_ sub: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: "\(spool)/\(sub)")) ?? []).sorted() }
        func remove() { try? FileManager.default.removeItem(atPath: dir) }

        /// Runs the script through /usr/bin/env so the hook and its settings travel in the environment, as
        /// the unit's EnvironmentFile= gives them.
        func run(_ command: String) async -> (status: Int32, output: String) {
            await runCommand("/usr/bin/env", ["ORACLED_NOTIFY_COMMAND=\(command)", "ORACLED_NOTIFY_RETRY_DELAY=0", NotifyHookTests.script, spool])
        }
    }

    @Test func eachNoticeIsHandedOverOnceAndMovedToCur() async throws {
        let s = try Spool("notify-ok")
        defer { s.remove() }
        try s.add("acct-1-margin_call-1", #"{"id":"acct-1-margin_call-1","level":"margin_call"}"#)
        try s.add("acct-2-warning-1", #"{"id":"acct-2-warning-1","level":"warning"}"#)
        // A spare file oracled keeps ready is never a notice.
        _ = FileManager.default.createFile(atPath: s.spool + "/new/.spare-1", contents: nil)
        let out = s.dir + "/hook.log"
        // The hook sees the notice on stdin, its path in $1 and its id in the environment.
        let hook = "printf '%s|%s|' \"$ORACLED_NOTICE_ID\" \"$1\" >> \(out); cat >> \(out); echo >> \(out)"
        let first = await s.run(hook)
        #expect(first.status == 0, "\(first.output)")
        #expect(s.list("new") == [".spare-1"])
        #expect(s.list("cur") == ["acct-1-margin_call-1.json", "acct-2-warning-1.json"], "moved under the same name (oracled looks for cur/ID.json)")
        let log = try String(contentsOfFile: out, encoding: .utf8)
        #expect(log.contains("acct-1-margin_call-1|\(s.spool)/new/acct-1-margin_call-1.json|{\"id\":\"acct-1-margin_call-1\",\"level\":\"margin_call\"}"), "\(log)")
        #expect(log.contains("acct-2-warning-1|"), "\(log)")
        #expect(log.split(separator: "\n").count == 2, "\(log)")

        // A second run (the path unit firing again) hands nothing over again; a new notice only once.
        try s.add("acct-3-urgent-1", #"{"id":"acct-3-urgent-1"}"#)
        let second = await s.run(hook)
        #expect(second.status == 0, "\(second.output)")
        let after = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(after.count == 3, "\(after)")
        #expect(after.last?.hasPrefix("acct-3-urgent-1|") == true, "\(after)")
        #expect(s.list("cur").count == 3)
    }

    @Test func aFailingHookKeepsTheNoticeInNew() async throws {
        let s = try Spool("notify-fail")
        defer { s.remove() }
        try s.add("acct-1-margin_call-1", #"{"id":"acct-1-margin_call-1"}"#)
        try s.add("acct-2-margin_call-1", #"{"id":"acct-2-margin_call-1"}"#)
        let failed = await s.run("exit 3")
        #expect(failed.status == 1, "exit status \(failed.status): \(failed.output)")
        #expect(failed.output.contains("acct-1-margin_call-1.json: ORACLED_NOTIFY_COMMAND exited with status 3"), "\(failed.output)")
        #expect(s.list("new") == ["acct-1-margin_call-1.json", "acct-2-margin_call-1.json"])
        #expect(s.list("cur").isEmpty)

        // One notice the hook refuses, one it takes: only the refused one stays.
        let partial = await s.run("grep -q acct-2")
        #expect(partial.status == 1, "\(partial.output)")
        #expect(s.list("new") == ["acct-1-margin_call-1.json"])
        #expect(s.list("cur") == ["acct-2-margin_call-1.json"])

        // Fixed: it goes through on the next run.
        let fixed = await s.run("cat > /dev/null")
        #expect(fixed.status == 0, "\(fixed.output)")
        #expect(s.list("new").isEmpty)
    }

    @Test func noCommandOrNoSpoolIsAConfigurationError() async throws {
        let s = try Spool("notify-conf")
        defer { s.remove() }
        try s.add("a-1", "{}")
        let unset = await s.run("")
        #expect(unset.status == 2 && unset.output.contains("/etc/default/oracled-notify"), "\(unset.output)")
        #expect(s.list("new") == ["a-1.json"])
        let wrong = await runCommand("/usr/bin/env", ["ORACLED_NOTIFY_COMMAND=true", Self.script, s.dir + "/nowhere"])
        #expect(wrong.status == 2 && wrong.output.contains("not an oracled spool"), "\(wrong.output)")
    }

    /// The units as installed (paths substituted, the instance for /var/spool/oracled), checked by
    /// systemd-analyze like systemd/verify.sh does for oracled.service.
    @Test(.enabled(if: findTool("systemd-analyze") != nil, "systemd-analyze is not installed"))
    func theUnitsVerify() async throws {
        let dir = makeTempDir("notify-units")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let template = try String(contentsOfFile: Self.systemdDir + "/oracled-notify@.service", encoding: .utf8)
            .replacingOccurrences(of: "@LIBEXECDIR@", with: Self.systemdDir)
        #expect(!template.contains("@LIBEXECDIR@"), "@LIBEXECDIR@ left unsubstituted")
        let path = try String(contentsOfFile: Self.systemdDir + "/oracled-notify.path", encoding: .utf8)
        #expect(path.contains("Unit=oracled-notify@var-spool-oracled.service"))
        #expect(path.contains("DirectoryNotEmpty=/var/spool/oracled/new"))
        try template.write(toFile: dir + "/oracled-notify@var-spool-oracled.service", atomically: true, encoding: .utf8)
        try path.write(toFile: dir + "/oracled-notify.path", atomically: true, encoding: .utf8)
        let verify = await runCommand(findTool("systemd-analyze")!, ["verify", dir + "/oracled-notify@var-spool-oracled.service", dir + "/oracled-notify.path"], timeout: 60)
        #expect(verify.status == 0, "systemd-analyze verify:\n\(verify.output)")
        #expect(!verify.output.contains("Unknown key") && !verify.output.contains("not executable"), "\(verify.output)")
    }
}

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A dead fetch loop thread or socket listener (fault hooks `ORACLED_FAULT_KILL_FETCH_FILE`,
/// `ORACLED_FAULT_CLOSE_LISTENER_FILE`) is logged naming the part and what to do, stops the
/// watchdog, and ends the daemon with status 1 after an orderly shutdown.
@Suite(.serialized)
struct PartDeathTests {
    func expectDeath(_ name: String, hook: String, part: String) async throws {
        let side = makeTempDir("notify-\(name)")
        defer { try? FileManager.default.removeItem(atPath: side) }
        let sink = try NotifySink(path: side + "/notify.sock")
        let trigger = side + "/fault"
        let rig = try await StressRig(name, config: StressConfig(), environment: [
            "NOTIFY_SOCKET": sink.path, "WATCHDOG_USEC": "2000000", hook: trigger,
        ])
        defer { rig.cleanUp() }
        #expect(await eventually(timeout: 10) { sink.count("READY=1") >= 1 }, "no READY=1; log:\n\(rig.daemon.log)")
        #expect(await rig.waitForOK(), "BTC-USD never became ok; log:\n\(rig.daemon.log)")
        // Healthy: fed every 100 ms cycle (at least twice a second; OperationsTests bounds the gaps).
        let fed = await sink.arrivals("WATCHDOG=1", for: 1.0)
        #expect(fed.count >= 2, "only \(fed.count) WATCHDOG=1 in 1 s before the fault")

        _ = FileManager.default.createFile(atPath: trigger, contents: nil)
        #expect(await eventually(timeout: 10, interval: 0.02) { rig.daemon.log.contains("\(part)") && rig.daemon.log.contains(" died: ") },
                "no log line names the dead \(part); log:\n\(rig.daemon.log)")
        // The part is marked dead before the line is logged: every WATCHDOG=1 sent after it would be
        // a ping from a daemon with a dead part. Take what has arrived so far, then count the rest.
        let atLog = sink.count("WATCHDOG=1")
        let exited = await rig.daemon.wait(timeout: 15)
        #expect(exited, "oracled kept running with a dead \(part); log:\n\(rig.daemon.log)")
        try await Task.sleep(for: .milliseconds(300))
        let afterDeath = sink.count("WATCHDOG=1") - atLog
        #expect(afterDeath == 0, "\(afterDeath) WATCHDOG=1 after the \(part) died")
        if exited {
            #expect(rig.daemon.process.terminationStatus == 1, "exit status \(rig.daemon.process.terminationStatus) after the \(part) died")
        }
        #expect(sink.count("STOPPING=1") >= 1, "no STOPPING=1: the group did not shut down in order")
        let log = rig.daemon.log
        // The critical log line and the exit message (stderr) both say what died and what to do.
        #expect(log.contains("oracled: \(part)"), "the exit message does not name the \(part):\n\(log)")
        #expect(log.contains("systemd restarts it"), "the message does not say what happens next:\n\(log)")
        #expect(!FileManager.default.fileExists(atPath: rig.socketPath), "the socket file was left behind")
        print("RELIABILITY part-death part=\"\(part)\" fed_before=\(fed.count) fed_after=\(afterDeath) exit=\(exited ? rig.daemon.process.terminationStatus : -1)")
    }

    @Test func aDeadFetchThreadStopsTheWatchdogAndEndsTheDaemon() async throws {
        try await expectDeath("fetchdeath", hook: "ORACLED_FAULT_KILL_FETCH_FILE", part: "fetch loop thread")
    }

    @Test func aClosedListenerStopsTheWatchdogAndEndsTheDaemon() async throws {
        try await expectDeath("listenerdeath", hook: "ORACLED_FAULT_CLOSE_LISTENER_FILE", part: "socket listener")
    }
}

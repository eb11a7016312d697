import Foundation
import Testing
@testable import OracleSystem

/// Binds a datagram socket in a temp dir and returns what arrives (syslog lines, sd_notify messages).
final class DatagramSink {
    let path: String
    let fd: Int32

    init() throws {
        path = "/tmp/dg-\(getpid())-\(Int.random(in: 0..<1_000_000)).sock"
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw SystemError(call: "bind", path: path, errno: errno) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
    }

    deinit { close(fd); unlink(path) }
}

struct SyslogAndNotifyTests {
    @Test func syslogLineCarriesIdentAndSeverity() throws {
        let sink = try DatagramSink()
        let log = SyslogWriter(ident: "oracled", facility: LOG_DAEMON, socketPath: sink.path)
        #expect(log.log(.critical, "notice acct-1-liquidation-3 level=liquidation"))
        let line = try #require(sink.receive())
        #expect(line.hasPrefix("<\(LOG_DAEMON | 2)>oracled[\(getpid())]: "))
        #expect(line.hasSuffix("notice acct-1-liquidation-3 level=liquidation"))
    }

    @Test func notifierSendsReadyAndWatchdog() throws {
        let sink = try DatagramSink()
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.path, "WATCHDOG_USEC": "10000000"])
        #expect(n.watchdogIntervalMs == 10_000)
        n.ready(status: "serving")
        #expect(sink.receive() == "READY=1\nSTATUS=serving")
        n.watchdog()
        #expect(sink.receive() == "WATCHDOG=1")
    }

    @Test func notifierIsSilentWithoutSocket() {
        let n = SystemdNotifier(environment: [:])
        #expect(!n.isEnabled)
        #expect(!n.send("READY=1"))
    }
}

import Foundation
import Logging
import OracleStore
import OracleSystem
import Testing
@testable import OracleDaemon
import OracleOutbox

/// `oracled_notice_delivery_seconds`: the notice-latency histogram behind the Grafana panel.
@Suite struct DeliveryLatencyTests {
    @Test func bucketsAreCumulativeAndCountEveryObservation() {
        var h = DeliveryLatency()
        let ms: [Int64] = [3, 10, 40, 120, 700, 4_000, 45_000, 400_000, -5]
        for m in ms { h.observe(ms: m) }
        // Recomputed directly: for each bound, how many delays (negatives as 0) are at or below it.
        let seconds = ms.map { Double(max(0, $0)) / 1000 }
        for b in h.cumulative where b.le.isFinite {
            #expect(b.count == seconds.filter { $0 <= b.le }.count, "bucket le=\(b.le)")
        }
        #expect(h.cumulative.last?.le == .infinity)
        #expect(h.cumulative.last?.count == ms.count)
        #expect(h.count == ms.count)
        #expect(abs(h.sumSeconds - seconds.reduce(0, +)) < 1e-9)
    }

    @Test func rendersAsAPrometheusHistogram() {
        var h = DeliveryLatency()
        h.observe(ms: 20)
        h.observe(ms: 2_000)
        let text = MetricsText.render(marks: [], sources: [], cycles: 0, lastCycleMs: 0, cycleSumMs: 0, reloadsOK: 0, reloadsFailed: 0,
                                      nowMs: 0, extra: [MarginDesk.deliveryLatencyFamily(h)])
        #expect(text.contains("# TYPE oracled_notice_delivery_seconds histogram\n"))
        #expect(text.contains("oracled_notice_delivery_seconds_bucket{le=\"0.01\"} 0\n"))
        #expect(text.contains("oracled_notice_delivery_seconds_bucket{le=\"0.05\"} 1\n"))
        #expect(text.contains("oracled_notice_delivery_seconds_bucket{le=\"2.5\"} 2\n"))
        #expect(text.contains("oracled_notice_delivery_seconds_bucket{le=\"+Inf\"} 2\n"))
        #expect(text.contains("oracled_notice_delivery_seconds_sum 2.02\n"))
        #expect(text.contains("oracled_notice_delivery_seconds_count 2\n"))
    }

    /// The outbox observes each notice at delivery, from its created_at on the outbox's clock: at
    /// once when the spool is writable, the whole deferral when it is not.
    @Test func theOutboxObservesEachNoticeFromItsDecision() throws {
        let root = NSTemporaryDirectory() + "latency-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root, contents: Data("x".utf8))   // the spool cannot be created yet
        final class Clock: @unchecked Sendable { var ms: Int64 = 5_000_000 }
        let clock = Clock()
        let db = try OracleDatabase.inMemory()
        let outbox = NoticeOutbox(db: db, directory: root + "/spool", syslog: SyslogWriter(socketPath: "/nonexistent/oracled-test.sock"),
                                  logger: Logger(label: "test"), chunkSize: 4, now: { [clock] in clock.ms })
        func notice(_ i: Int) -> StoredNotice {
            StoredNotice(id: "acct-\(i)-margin_call-1", account: "acct-\(i)", level: "margin_call", createdAtMs: clock.ms,
                         json: #"{"id":"acct-\#(i)-margin_call-1"}"#, syslog: "acct-\(i) margin_call")
        }
        try db.commitTransitions(levels: [], notices: [notice(1), notice(2), notice(3)])
        outbox.deliverPending()
        #expect(outbox.status.deliveryLatency.count == 0, "nothing delivered, nothing observed")
        clock.ms += 4_000
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        outbox.retryIfDeferred()
        try db.commitTransitions(levels: [], notices: [notice(4)])
        outbox.deliverPending()
        let h = outbox.status.deliveryLatency
        #expect(h.count == 4)
        #expect(abs(h.sumSeconds - 12) < 1e-9, "three notices waited 4 s, one none: \(h.sumSeconds)")
        let buckets = Dictionary(uniqueKeysWithValues: h.cumulative.filter { $0.le.isFinite }.map { ($0.le, $0.count) })
        #expect(buckets[0.01] == 1 && buckets[2.5] == 1 && buckets[5] == 4, "\(buckets)")
    }
}

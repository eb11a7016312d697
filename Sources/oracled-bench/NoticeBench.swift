#if canImport(Glibc)
import Glibc
#endif
import Logging
import OracleCore
import OracleOutbox
import OracleStore
import OracleSystem

/// Mark update → durable notice latency (issue 4), through the real pipeline, against the bare
/// fsync floor of the same disk measured in the same run.
///
/// Each of `bursts` mark updates moves 1…10 accounts into call (sizes cycle 1, 2, …, 10). From the
/// moment the update is "received" until the notices are durable and recorded as delivered:
/// `LevelMachine.markEvaluated` per account → `Notice(…)` + `jsonLine()` → the daemon's own
/// `NoticeOutbox` (the code `MarginDesk` runs): `commit` (one SQLite transaction, on disk under
/// `directory`) then `deliverPending` (reads the outbox, one `SpoolWriter.deliver` chunk: file per notice
/// into tmp/, one flush for the burst, renames, one `new/` fsync, journal line; marks it delivered;
/// syslog lines). Every notice of a burst gets the burst's latency.
///
/// Figures: `notice_p50_us`/`notice_p99_us` per notice from the mark update until `deliverPending`
/// returned (the notice is in `new/` and `calls.jsonl` on disk and recorded as delivered);
/// `notice_recorded_p99_us` is the same figure (kept for comparison with earlier runs). The floor `notice_floor_p50_us`/`notice_floor_p99_us`: write 600 bytes to a
/// new file, fsync, close, rename, fsync the directory. One floor sample is taken just before each burst,
/// so both see the same disk conditions (on a shared disk the figures drift together).
func runNoticeBench(directory: String, bursts: Int = 200) -> [(name: String, value: Double, unit: String)] {
    let clock = ContinuousClock()
    func us(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
    func pct(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? .nan : s[min(s.count - 1, Int((Double(s.count) * p).rounded(.down)))]
    }
    let root = directory + "/notice-bench"
    removeTree(root)
    for d in [root, root + "/state", root + "/floor", root + "/floor/tmp", root + "/floor/new"] { mkdir(d, 0o755) }

    // Floor: the cheapest durable file delivery this disk allows, sampled once before each burst.
    var floor: [Double] = []
    let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 599) + [UInt8(ascii: "\n")]
    let floorDir = open(root + "/floor/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    defer { close(floorDir) }
    func floorSample(_ i: Int) {
        let tmp = root + "/floor/tmp/f\(i).json", dst = root + "/floor/new/f\(i).json"
        let t0 = clock.now
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        _ = payload.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        rename(tmp, dst)
        fsync(floorDir)
        floor.append(us(clock.now - t0))
    }

    let db: OracleDatabase, outbox: NoticeOutbox
    do {
        db = try OracleDatabase.open(directory: root + "/state")
        // Syslog to a socket nobody listens on: its cost (one failed sendto per line) stays in the figure.
        outbox = NoticeOutbox(db: db, directory: root + "/spool", syslog: SyslogWriter(socketPath: root + "/no-syslog.sock"),
                              // No log handler: the per-notice log line (journald under systemd) would otherwise
                              // print thousands of lines to the bench's stdout.
                              logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }), now: { 0 })
        if outbox.status.isDeferred { throw BenchError(outbox.status.lastError ?? "spool not writable") }
    } catch {
        print("  notice bench skipped: \(error)")
        return []
    }
    let thresholds = LevelThresholds(policy: MarginPolicy())
    let marks = [Notice.MarkRef(pair: "BTC-USD", price: 64_123.45, confidence: 12.5, sources: 5),
                 Notice.MarkRef(pair: "ETH-USD", price: 3_161.2, confidence: 0.9, sources: 4)]
    var latencies: [Double] = [], durable: [Double] = []
    var commitUs: [Double] = [], deliverUs: [Double] = [] // per burst
    var noticeCount = 0, bytes = 0
    var states: [String: LevelMachine.State] = [:]
    for b in 0..<bursts {
        let size = 1 + b % 10
        let nowMs = Int64(1_764_000_000_000) + Int64(b) * 1000
        floorSample(b)
        outbox.retryIfDeferred() // as the daemon's retry tick does when idle: spare files ready in tmp/ (untimed)
        let t0 = clock.now // the mark update is received
        var levels: [StoredLevel] = [], stored: [StoredNotice] = [], entries: [SpoolEntry] = []
        for k in 0..<size {
            let account = "acct-\(b)-\(k)"
            var machine = LevelMachine(thresholds: thresholds, state: states[account] ?? .init())
            let maintenance = 9_000.0 + Double(k), equity = 9_450.0, initial = 18_000.0
            let action = machine.markEvaluated(.init(ratio: equity / maintenance, slowRatio: equity / maintenance,
                                                     equity: equity, initialRequirement: initial, eligible: true), nowMs: nowMs)
            guard case let .notify(level, deadline, flags) = action else { continue }
            states[account] = machine.state
            let notice = Notice(id: Notice.makeId(account: account, level: level, seq: machine.state.noticeSeq), account: account,
                                level: level, createdAtMs: nowMs, currency: "USD", equity: equity,
                                maintenanceRequirement: maintenance, initialRequirement: initial, ratio: equity / maintenance,
                                deficit: initial - equity, topUp: [("BTC", 0.14831), ("USD", initial - equity)],
                                deadlineMs: deadline, marks: marks,
                                risk: .init(valueAtRisk: nil, expectedShortfall: nil, liquidityAddOn: 0, model: "standard"),
                                flags: flags)
            let json = notice.jsonLine()
            bytes += json.utf8.count + 1
            levels.append(StoredLevel(account: account, level: level.rawValue, sinceMs: nowMs, deadlineMs: deadline,
                                      transitionSeq: Int64(machine.state.noticeSeq), ratio: String(equity / maintenance)))
            stored.append(StoredNotice(id: notice.id, account: account, level: level.rawValue, createdAtMs: nowMs, json: json))
            entries.append(SpoolEntry(id: notice.id, json: json))
        }
        let tc = clock.now
        guard outbox.commit(levels: levels, notices: stored) else {
            print("  notice bench failed: \(outbox.status.commitError ?? "commit refused")")
            return []
        }
        let td = clock.now
        outbox.deliverPending()
        let t1 = clock.now
        guard !outbox.status.isDeferred else {
            print("  notice bench failed: \(outbox.status.lastError ?? "delivery deferred")")
            return []
        }
        commitUs.append(us(td - tc))
        deliverUs.append(us(t1 - td))
        for _ in entries {
            durable.append(us(t1 - t0))
            latencies.append(us(t1 - t0))
        }
        noticeCount += entries.count
    }
    print("  \(bursts) bursts of 1…10 notices (\(noticeCount) notices, mean \(bytes / max(1, noticeCount)) bytes); " +
          "floor: 600-byte file write+fsync+rename+dir fsync, \(bursts) samples; under \(root)")
    removeTree(root)
    return [
        ("notice_p50_us", pct(durable, 0.5), "us"),
        ("notice_p99_us", pct(durable, 0.99), "us"),
        ("notice_recorded_p99_us", pct(latencies, 0.99), "us"),
        ("notice_commit_p50_us", pct(commitUs, 0.5), "us"),
        ("notice_deliver_p50_us", pct(deliverUs, 0.5), "us"),
        ("notice_floor_p50_us", pct(floor, 0.5), "us"),
        ("notice_floor_p99_us", pct(floor, 0.99), "us"),
        ("notice_p99_over_floor_p99", pct(durable, 0.99) / pct(floor, 0.99), "x"),
    ]
}

/// `rm -rf path` for the bench's own scratch tree (files and directories it created).
func removeTree(_ path: String) {
    guard let dir = opendir(path) else { unlink(path); return }
    while let e = readdir(dir) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name == "." || name == ".." { continue }
        let child = path + "/" + name
        var st = stat()
        if lstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
    }
    closedir(dir)
    rmdir(path)
}


struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

#if canImport(Glibc)
import Glibc
#endif
import CSystemShim

/// One notice ready for the spool: its stable id and its JSON (one line, no newline).
public struct SpoolEntry: Sendable, Equatable {
    public var id: String
    public var json: String

    public init(id: String, json: String) {
        self.id = id
        self.json = json
    }
}

/// The operator's interface: Maildir-style files plus an append-only `calls.jsonl`.
///
/// Delivery of a batch, in this order, so that a `kill -9` anywhere leaves something a retry completes
/// without duplicates:
/// 1. each notice not yet in `new/` or `cur/` is written to `tmp/ID.json`, fsynced, renamed into `new/`;
/// 2. `new/` is fsynced once for the whole batch (a burst costs one directory fsync, not one per notice);
/// 3. lines for ids not yet in the journal are appended to `calls.jsonl` in one write and fdatasynced.
/// The caller marks the batch delivered (in SQLite) only after `deliver` returns, and redelivers
/// undelivered notices after a restart; steps 1 and 3 skip what already exists, so redelivery is idempotent.
/// At open, a torn last journal line (a crash mid-append) is cut off.
///
/// Creating a file is the slowest step on common filesystems (about 0.5–1 ms here, against ~0.1 ms for
/// fsyncing 600 bytes), so empty files are created ahead of time in `tmp/` (`.spare-N`, see `replenish`)
/// and a notice reuses one: open, write, fsync, rename. Durability is unchanged: nothing appears in
/// `new/` before its contents are fsynced, and `new/` is fsynced before `deliver` returns.
///
/// Not thread-safe: one owner (the trigger) calls it.
public final class SpoolWriter {
    public let directory: String
    private let journalPath: String
    private var journalFD: Int32 = -1
    private var journalIDs: Set<String> = []
    /// Empty files in `tmp/` ready to become notices.
    private var spares: [String] = []
    private var spareSeq = 0
    public let spareTarget: Int
    /// Bursts of at least this many new files are flushed with one syncfs instead of one fsync each.
    public let batchSyncThreshold: Int

    public init(directory: String, spareTarget: Int = 32, batchSyncThreshold: Int = 3) throws(SystemError) {
        self.directory = directory
        self.batchSyncThreshold = batchSyncThreshold
        self.journalPath = directory + "/calls.jsonl"
        self.spareTarget = spareTarget
        for sub in ["", "/tmp", "/new", "/cur"] { try Syscall.mkdirs(directory + sub) }
        journalFD = try Syscall.call("open", journalPath) {
            open(journalPath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        }
        try repairAndIndexJournal()
        cleanTmp()
    }

    /// Leftovers of a crash in `tmp/` are never notices (only renamed files are): partial notice files
    /// are removed (the outbox redelivers them); empty spares are kept for reuse.
    private func cleanTmp() {
        guard let dir = opendir(directory + "/tmp") else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let path = "\(directory)/tmp/\(name)"
            if name.hasPrefix(".spare-") {
                var st = stat()
                if stat(path, &st) == 0, st.st_size == 0 {
                    spares.append(path)
                    if let n = Int(name.dropFirst(".spare-".count)), n >= spareSeq { spareSeq = n + 1 }
                    continue
                }
            }
            unlink(path)
        }
    }

    /// Tops the pool of empty files up to `spareTarget`; call it off the latency path (after a delivery,
    /// or on an idle tick). Failures are ignored here on purpose: `deliver` creates files itself when
    /// the pool is empty, and reports real errors there.
    public func replenish() {
        while spares.count < spareTarget {
            let path = "\(directory)/tmp/.spare-\(spareSeq)"
            spareSeq += 1
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            if fd < 0 { return }
            close(fd)
            spares.append(path)
        }
    }

    public var spareCount: Int { spares.count }

    deinit {
        if journalFD >= 0 { close(journalFD) }
    }

    /// Ids already present as files (in `new/` or moved by a consumer into `cur/`).
    public func hasFile(id: String) -> Bool {
        Syscall.exists("\(directory)/new/\(id).json") || Syscall.exists("\(directory)/cur/\(id).json")
    }

    public func hasJournalLine(id: String) -> Bool { journalIDs.contains(id) }

    /// Delivers a batch (see the type's comment). Throws on the first failure; entries before it may
    /// be partly delivered, which a later `deliver` of the same entries completes.
    public func deliver(_ entries: [SpoolEntry]) throws(SystemError) {
        guard !entries.isEmpty else { return }
        var toWrite: [SpoolEntry] = []
        for entry in entries where !hasFile(id: entry.id) && !toWrite.contains(where: { $0.id == entry.id }) {
            toWrite.append(entry)
        }
        var lines = ""
        var ids: [String] = []
        for entry in entries where !journalIDs.contains(entry.id) && !ids.contains(entry.id) {
            lines += entry.json + "\n"
            ids.append(entry.id)
        }
        // A burst flushes once: its files and its journal lines are written, then one syncfs(2) makes
        // all of them durable, instead of one fsync per file plus an fdatasync of the journal (each a
        // cache flush on most disks). A single notice keeps its own fsync, which touches only its file.
        // In a burst the journal lines are durable a moment before the renames; a crash in between
        // leaves lines whose files the redelivery after restart puts into new/ (ids are skipped, never doubled).
        let batched = toWrite.count >= batchSyncThreshold
        let journalStart = lseek(journalFD, 0, SEEK_END)
        var staged: [(tmp: String, final: String)] = []
        do {
            for entry in toWrite { staged.append(try stage(entry, sync: !batched)) }
            if batched {
                if !lines.isEmpty { try Syscall.writeAll(journalFD, Array(lines.utf8), path: journalPath) }
                try syncFilesystem()
            }
            for (i, s) in staged.enumerated() {
                try Syscall.call("rename", s.final) { rename(s.tmp, s.final) }
                staged[i].tmp = ""
            }
            if !staged.isEmpty { try Syscall.fsyncPath(directory + "/new", directory: true) }
            if !batched, !lines.isEmpty {
                try Syscall.writeAll(journalFD, Array(lines.utf8), path: journalPath)
                try Syscall.call("fdatasync", journalPath) { fdatasync(journalFD) }
            }
        } catch {
            for s in staged where !s.tmp.isEmpty { unlink(s.tmp) }
            // Never leave a torn line (or a line for a notice not in new/) behind: cut the journal back.
            if journalStart >= 0 { _ = ftruncate(journalFD, journalStart) }
            throw error
        }
        journalIDs.formUnion(ids)
    }

    /// Writes one notice into `tmp/` (a spare file when there is one) and returns where it is and where
    /// it goes; fsyncs it when `sync`, else the caller flushes the batch.
    private func stage(_ entry: SpoolEntry, sync: Bool) throws(SystemError) -> (tmp: String, final: String) {
        let final = "\(directory)/new/\(entry.id).json"
        var tmp = "\(directory)/tmp/\(entry.id).json"
        var fd: Int32 = -1
        if let spare = spares.popLast() {
            fd = open(spare, O_WRONLY | O_TRUNC | O_CLOEXEC)
            if fd >= 0 { tmp = spare }
        }
        if fd < 0 {
            fd = try Syscall.call("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640) }
        }
        defer { close(fd) }
        do {
            try Syscall.writeAll(fd, Array((entry.json + "\n").utf8), path: tmp)
            if sync { try Syscall.call("fsync", tmp) { fsync(fd) } }
        } catch {
            unlink(tmp)
            throw error
        }
        return (tmp, final)
    }

    /// syncfs(2) on the spool's filesystem: every staged file's data and metadata are on disk when it returns.
    private func syncFilesystem() throws(SystemError) {
        let path = directory + "/tmp"
        let fd = try Syscall.call("open", path) { open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try Syscall.call("syncfs", path) { shim_syncfs(fd) }
    }

    /// Cuts a torn tail and loads the ids already journaled (each line's `"id":"…"`).
    private func repairAndIndexJournal() throws(SystemError) {
        let size = lseek(journalFD, 0, SEEK_END)
        guard size > 0 else { return }
        var data = [UInt8](repeating: 0, count: Int(size))
        var readTotal = 0
        while readTotal < data.count {
            let n = data.withUnsafeMutableBytes { buf in
                pread(journalFD, buf.baseAddress! + readTotal, buf.count - readTotal, off_t(readTotal))
            }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError(call: "pread", path: journalPath, errno: Glibc.errno)
            }
            if n == 0 { break }
            readTotal += n
        }
        var end = readTotal
        while end > 0 && data[end - 1] != UInt8(ascii: "\n") { end -= 1 }
        if end < readTotal {
            try Syscall.call("ftruncate", journalPath) { ftruncate(journalFD, off_t(end)) }
            try Syscall.call("fsync", journalPath) { fsync(journalFD) }
        }
        var start = 0
        for i in 0..<end where data[i] == UInt8(ascii: "\n") {
            if let id = Self.extractID(data[start..<i]) { journalIDs.insert(id) }
            start = i + 1
        }
    }

    /// The value of the first `"id":"…"` in a journal line (ids never contain quotes or escapes).
    static func extractID(_ line: ArraySlice<UInt8>) -> String? {
        let key = Array("\"id\":\"".utf8)
        guard line.count > key.count else { return nil }
        var i = line.startIndex
        while i + key.count <= line.endIndex {
            if line[i..<(i + key.count)].elementsEqual(key) {
                let s = i + key.count
                guard let e = line[s...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: line[s..<e], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }
}

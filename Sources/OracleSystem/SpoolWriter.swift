#if canImport(Glibc)
import Glibc
#endif

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
/// Not thread-safe: one owner (the trigger) calls it.
public final class SpoolWriter {
    public let directory: String
    private let journalPath: String
    private var journalFD: Int32 = -1
    private var journalIDs: Set<String> = []

    public init(directory: String) throws(SystemError) {
        self.directory = directory
        self.journalPath = directory + "/calls.jsonl"
        for sub in ["", "/tmp", "/new", "/cur"] { try Syscall.mkdirs(directory + sub) }
        journalFD = try Syscall.call("open", journalPath) {
            open(journalPath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        }
        try repairAndIndexJournal()
    }

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
        var wroteFile = false
        for entry in entries where !hasFile(id: entry.id) {
            try writeFile(entry)
            wroteFile = true
        }
        if wroteFile { try Syscall.fsyncPath(directory + "/new", directory: true) }
        var lines = ""
        var ids: [String] = []
        for entry in entries where !journalIDs.contains(entry.id) && !ids.contains(entry.id) {
            lines += entry.json + "\n"
            ids.append(entry.id)
        }
        guard !lines.isEmpty else { return }
        let size = lseek(journalFD, 0, SEEK_END)
        do {
            try Syscall.writeAll(journalFD, Array(lines.utf8), path: journalPath)
            try Syscall.call("fdatasync", journalPath) { fdatasync(journalFD) }
        } catch {
            // Never leave a torn line behind: cut the journal back to where this batch began.
            if size >= 0 { _ = ftruncate(journalFD, size) }
            throw error
        }
        journalIDs.formUnion(ids)
    }

    private func writeFile(_ entry: SpoolEntry) throws(SystemError) {
        let tmp = "\(directory)/tmp/\(entry.id).json"
        let final = "\(directory)/new/\(entry.id).json"
        let fd = try Syscall.call("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640) }
        do {
            try Syscall.writeAll(fd, Array((entry.json + "\n").utf8), path: tmp)
            try Syscall.call("fsync", tmp) { fsync(fd) }
            close(fd)
            try Syscall.call("rename", final) { rename(tmp, final) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
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

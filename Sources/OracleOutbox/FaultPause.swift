#if canImport(Glibc)
import Glibc
#endif

/// Fault-injection hook for the crash tests, inert unless `ORACLED_FAULT_PAUSE_DIR` is set when the
/// daemon starts. Never set it in production.
///
/// Why: a `kill -9` at a random moment rarely lands inside the two windows that matter for
/// exactly-once delivery, so the crash suite could pass without ever testing them. With the variable
/// set, the daemon stops at a named point while a file of that name exists in the directory, and
/// first creates `<point>.reached` so the test knows it is there and can kill it at that moment.
///
/// Points (see `Point`): `commit` — inside the SQLite transaction that records level changes and
/// their notices, rows written, COMMIT not yet run; `deliver` — the first chunk of a delivery is in
/// `new/` and `calls.jsonl`, its `delivered` flag not yet set.
///
/// It blocks the calling thread (the desk is stopped anyway; a test kills it there); removing the
/// file releases it.
enum FaultPause {
    enum Point: String { case commit, deliver }

    static let directory: String? = {
        guard let raw = getenv("ORACLED_FAULT_PAUSE_DIR") else { return nil }
        let path = String(cString: raw)
        return path.isEmpty ? nil : path
    }()

    static func at(_ point: Point) {
        guard let directory else { return }
        let trigger = "\(directory)/\(point.rawValue)"
        guard access(trigger, F_OK) == 0 else { return }
        let fd = open(trigger + ".reached", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
        while access(trigger, F_OK) == 0 { usleep(5_000) }
    }
}

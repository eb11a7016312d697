import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Hands freed heap pages back to the kernel every few seconds (`malloc_trim(0)`).
///
/// Why: glibc keeps freed memory in its arenas, and the daemon frees a lot of it in patterns that
/// fragment them: the config parse of a 2,000-pair file (~10 MB of TOML tables, freed once), and every
/// cycle the batch answers (0.3–1 MB bodies) and their parse results, on whichever thread the task ran.
/// The live heap at 2,000 pairs is about 25 MB, but without trimming the resident size settles near
/// 100 MB (see README "Benchmarks", footprint). A trim walks the free lists and `madvise`s whole free
/// pages away: well under a millisecond every few seconds.
struct MemoryTrimService: Service, CustomStringConvertible {
    var description: String { "MemoryTrimService" }
    static let intervalSeconds: Int64 = 5

    /// Few arenas: every thread (NIO, the concurrency pool, libcurl's) otherwise gets its own, each
    /// holding its own freed-but-kept memory. And blocks of 64 KiB or more (response bodies, the
    /// 2,000-entry arrays and tables of a cycle) straight from mmap, so they go back to the kernel
    /// when freed; glibc's default threshold climbs to 32 MiB after the first such free, after which
    /// they fragment the heap instead. Measured at 2,000 pairs: about 10 MB less RSS, no CPU change
    /// within the noise. Called once, before the first threads start.
    static func limitArenas() {
        // <malloc.h> is not in Swift's Glibc module: look mallopt up by name (absent on another
        // libc, where this does nothing). M_ARENA_MAX is -8 and M_MMAP_THRESHOLD -3 in <malloc.h>.
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(sym, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-8, 2)
        _ = mallopt(-3, 64 * 1024)
    }

    static let trim: (@convention(c) (Int) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }

    func run() async throws {
        guard let trim = Self.trim else {
            // Not glibc: nothing to trim, but a service that returns early would end the group.
            try? await gracefulShutdown()
            return
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = trim(0)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(Self.intervalSeconds)) }
            } catch {
                return
            }
        }
    }
}

/// A service under a short name. ServiceLifecycle names each service `String(describing:)` and keeps
/// the string for the daemon's lifetime; for PollService that is the whole configuration (4.7 MB
/// at 2,000 pairs), so each is registered under its type name instead.
struct NamedService: Service, CustomStringConvertible {
    let description: String
    let base: any Service

    init(_ base: any Service) {
        self.base = base
        self.description = String(describing: type(of: base))
    }

    func run() async throws { try await base.run() }
}

import ServiceLifecycle
import Testing
@testable import OracleDaemon

/// The daemon's own service plumbing: names kept by ServiceLifecycle, the heap trim.
@Suite struct DaemonServicesTests {
    /// Stands in for PollService: a service whose value description is huge (its configuration).
    struct BigService: Service {
        let payload = [String](repeating: String(repeating: "x", count: 1_000), count: 1_000)
        func run() async throws {}
    }

    /// ServiceLifecycle keeps `String(describing:)` of each service for the group's life; for
    /// PollService that was the whole configuration (4.7 MB at 2,000 pairs). Registered through
    /// NamedService, the kept name is the type's.
    @Test func servicesAreNamedByTypeNotByValue() {
        #expect(String(describing: BigService()).utf8.count > 1_000_000, "the stand-in should describe itself at length, as PollService did")
        let named = NamedService(BigService())
        #expect(String(describing: named) == "BigService")
    }

    @Test func theHeapTrimIsAvailableOnGlibc() {
        #expect(MemoryTrimService.trim != nil, "malloc_trim not found: the footprint figures in README assume glibc")
        MemoryTrimService.limitArenas()
        #expect(MemoryTrimService.trim?(0) != nil)
    }
}

import Foundation
import OracleCore
import Testing
@testable import OracleFetch

/// How the fetch loop's end is observed by its service: `waitForExit()` says whether the thread was
/// asked to stop or died on its own, and a dead thread fails every request with the reason.
@Suite struct CurlMultiLoopLifecycleTests {
    func result(_ loop: CurlMultiLoop, _ request: FetchRequest) -> Task<Result<FetchResponse, FetchError>, Never> {
        Task { do throws(FetchError) { return .success(try await loop.fetch(request)) } catch { return .failure(error) } }
    }

    @Test func aThreadThatDiesFailsItsRequestsAndReportsWhy() async throws {
        let server = try TestHTTPServer { _ in .hang }
        defer { server.stop() }
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        #expect(loop.start())
        defer { loop.shutdown() }
        let request = FetchRequest(url: server.baseURL + "/slow", connectTimeoutMs: 1_000, totalTimeoutMs: 10_000, maxBodyBytes: 1024)
        let inFlight = result(loop, request)
        let deadline = ContinuousClock.now + .seconds(3)
        while server.requestCount == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(server.requestCount == 1, "the request never reached the server")

        loop.injectThreadDeath(reason: "test")
        let exit = await loop.waitForExit()
        #expect(exit == .died("test"))
        #expect(!loop.isRunning)
        // The hanging request is answered at once (not after its 10 s timeout), naming the death.
        guard case .failure(let error) = await inFlight.value else { Issue.record("the in-flight request succeeded"); return }
        #expect(error.code == .cancelled && error.message.contains("died (test)"), "\(error)")
        // Later requests fail at once with the same reason instead of queueing forever.
        guard case .failure(let later) = await result(loop, request).value else { Issue.record("a fetch after the death succeeded"); return }
        #expect(later.message.contains("died (test)"), "\(later)")
        // Asking again returns the same answer; shutdown() joins the dead thread and returns.
        #expect(await loop.waitForExit() == .died("test"))
        loop.shutdown()
    }

    @Test func requestStopEndsTheThreadAsAShutdown() async throws {
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        #expect(loop.start())
        #expect(loop.isRunning)
        let waiter = Task { await loop.waitForExit() }
        try await Task.sleep(for: .milliseconds(20))
        loop.requestStop()
        #expect(await waiter.value == .shutdown)
        #expect(!loop.isRunning)
        loop.shutdown()
        #expect(!loop.start(), "a stopped loop must not start again")
    }

    @Test func stoppingALoopThatNeverStartedEndsTheWait() async {
        let loop = CurlMultiLoop(userAgent: "oracled-test/1.0")
        let waiter = Task { await loop.waitForExit() }
        try? await Task.sleep(for: .milliseconds(20))
        loop.requestStop()
        #expect(await waiter.value == .shutdown)
    }
}

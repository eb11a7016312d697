import Foundation
import Testing
@testable import OracleCore

@Suite struct SlowMarkTests {
    @Test func movesByElapsedTimeNotTickCount() {
        var one = SlowMark(windowMs: 60_000)
        one.update(price: 100, atMs: 0)
        #expect(one.value == 100)
        one.update(price: 110, atMs: 1000)    // 1 s ≤ the 5 s step cap: weighted by elapsed time
        #expect(abs((one.value ?? 0) - (100 + 10 * (1 - exp(-1.0 / 60)))) < 1e-12)

        // A burst of 100 ticks over 10 ms moves it as far as one tick after 10 ms.
        var burst = SlowMark(windowMs: 60_000), single = SlowMark(windowMs: 60_000)
        burst.update(price: 100, atMs: 0)
        single.update(price: 100, atMs: 0)
        for i in 1...100 { burst.update(price: 50, atMs: Int64(i) / 10) }
        single.update(price: 50, atMs: 10)
        #expect(abs((burst.value ?? 0) - (single.value ?? 0)) < 1e-9)
        #expect((single.value ?? 0) > 99) // one sharp print barely moves it
    }

    /// After a gap (a restart, a stale pair) one print counts as one observation, not as the gap.
    @Test func oneFirstPrintAfterAGapMovesItLittle() {
        var s = SlowMark(windowMs: 300_000, value: 65_000, lastUpdateMs: 0)
        s.update(price: 30_000, atMs: 7_200_000)   // two hours later, a bad print
        let alpha = 1 - exp(-5_000.0 / 300_000)   // capped at max(5 s, window/60) = 5 s
        #expect(abs((s.value ?? 0) - (65_000 - 35_000 * alpha)) < 1e-6)
        #expect((s.value ?? 0) > 64_000)
    }

    @Test func ignoresOutOfOrderAndBadPrices() {
        var s = SlowMark(windowMs: 1000)
        s.update(price: 100, atMs: 5000)
        s.update(price: 1, atMs: 4000)
        s.update(price: .nan, atMs: 6000)
        s.update(price: -5, atMs: 6000)
        #expect(s.value == 100 && s.lastUpdateMs == 5000)
    }
}

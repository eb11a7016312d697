import Testing
import OracleCore

@Suite("RobustFilter: median, MAD, cut and confidence")
struct RobustFilterTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(RobustFilter.median([3, 1, 2]) == 2)
        #expect(RobustFilter.median([4, 1, 3, 2]) == 2.5)
        #expect(RobustFilter.median([7]) == 7)
        #expect(RobustFilter.median([]) == nil)
    }

    @Test func madByHand() {
        // median 2.5; |v − 2.5| = 1.5, 0.5, 0.5, 1.5 → sorted 0.5, 0.5, 1.5, 1.5 → MAD 1.0
        #expect(RobustFilter.medianAbsoluteDeviation([4, 1, 3, 2]) == 1.0)
        // median 102; deviations 2, 1, 0, 1, 48 → sorted 0, 1, 1, 2, 48 → MAD 1
        #expect(RobustFilter.medianAbsoluteDeviation([100, 101, 102, 103, 150]) == 1)
    }

    @Test func dropsTheFarValueAndRetakesTheMedian() throws {
        let o = try #require(RobustFilter.filter([100, 101, 102, 103, 150], madK: 5, madFloorBps: 50))
        #expect(o.median == 102)
        #expect(o.mad == 1)
        // cut = max(5 · 1.4826 · 1, 50 · 102 / 1e4) = max(7.413, 0.51)
        #expect(abs(o.cut - 7.413) < 1e-12)
        #expect(o.kept == [true, true, true, true, false])
        #expect(o.price == 101.5)
        // half the kept range (1.5) beats 1.4826 · MAD(kept)=1 / √4 = 0.7413
        #expect(o.confidence == 1.5)
        #expect(o.keptMin == 100 && o.keptMax == 103)
    }

    @Test func outliersOnBothSidesLeaveTheMiddleRun() throws {
        // m = 100.025; deviations sorted .025 .025 .075 .125 99.025 399.975 → MAD 0.1;
        // cut = max(5 · 1.4826 · 0.1, 50 · 100.025 / 1e4) = 0.7413
        let o = try #require(RobustFilter.filter([1, 100, 100.1, 99.9, 100.05, 500], madK: 5, madFloorBps: 50))
        #expect(abs(o.median - 100.025) < 1e-12)
        #expect(abs(o.mad - 0.1) < 1e-12)
        #expect(o.kept == [false, true, true, true, true, false])
        #expect(abs(o.price - 100.025) < 1e-12)
        #expect(o.keptMin == 99.9 && o.keptMax == 100.1)
        #expect(abs(o.confidence - 0.1) < 1e-12)
        #expect(RobustFilter.filter([1, .nan, 3], madK: 5, madFloorBps: 50) == nil)
    }

    @Test func floorProtectsACalmMarket() throws {
        // MAD 0: without the floor the 0.2 % away quote would be cut; the 50 bps floor keeps it.
        let o = try #require(RobustFilter.filter([100, 100, 100, 100.2], madK: 5, madFloorBps: 50))
        #expect(o.mad == 0)
        #expect(o.cut == 0.5)
        #expect(o.kept == [true, true, true, true])
        // …and a 1 % move is beyond it.
        let far = try #require(RobustFilter.filter([100, 100, 100, 101], madK: 5, madFloorBps: 50))
        #expect(far.kept == [true, true, true, false])
        #expect(far.price == 100)
        #expect(far.confidence == 0)
    }

    @Test func twoValuesAreAlwaysKeptAndConfidenceUsesTheMADTerm() throws {
        let o = try #require(RobustFilter.filter([100, 200], madK: 5, madFloorBps: 50))
        #expect(o.kept == [true, true])
        #expect(o.cut == .infinity)
        #expect(o.price == 150)
        // half range 50 < 1.4826 · 50 / √2 = 52.418…
        #expect(abs(o.confidence - 1.4826 * 50 / 2.0.squareRoot()) < 1e-9)
    }

    @Test func oneValueHasZeroConfidence() throws {
        let o = try #require(RobustFilter.filter([42], madK: 5, madFloorBps: 50))
        #expect(o.price == 42 && o.confidence == 0 && o.keptCount == 1)
        #expect(RobustFilter.filter([], madK: 5, madFloorBps: 50) == nil)
    }

    @Test func manySourcesUseTheLargeSortPathToo() throws {
        // 40 values take the O(n log n) branch; same answer as by hand: median of 1…39 and 1000.
        var values = (1...39).map(Double.init)
        values.append(1000)
        values.reverse()
        let o = try #require(RobustFilter.filter(values, madK: 5, madFloorBps: 0))
        #expect(o.median == 20.5)
        #expect(o.kept.filter { !$0 }.count == 1)
        #expect(o.price == 20)
    }
}

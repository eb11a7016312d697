import Testing
@testable import OracleConfig

@Suite struct PairGraphTests {
    @Test func dependencyOrderPutsConvertTargetsFirstAndKeepsFileOrderOtherwise() {
        let graph = PairGraph(symbols: ["BTC-USD", "ETH-USD", "USDT-USD", "USDC-USD"],
                              dependencies: ["BTC-USD": ["USDT-USD"], "ETH-USD": ["USDT-USD", "USDC-USD"],
                                             "USDT-USD": [], "USDC-USD": ["USDT-USD"]])
        #expect(graph.cycles().isEmpty)
        #expect(graph.dependencyOrder() == ["USDT-USD", "BTC-USD", "USDC-USD", "ETH-USD"])
    }

    @Test func cyclesAreFoundOnceAndStartAtTheFirstDefinedPair() {
        let graph = PairGraph(symbols: ["A-X", "B-X", "C-X", "D-X"],
                              dependencies: ["A-X": ["B-X"], "B-X": ["C-X"], "C-X": ["A-X"], "D-X": ["D-X"]])
        #expect(graph.cycles() == [["A-X", "B-X", "C-X", "A-X"], ["D-X", "D-X"]])
        #expect(Set(graph.dependencyOrder()) == ["A-X", "B-X", "C-X", "D-X"])
    }

    @Test func cycleReachedFromOutsideIsSpelledFromItsFirstMember() {
        let graph = PairGraph(symbols: ["A-X", "B-X", "C-X"],
                              dependencies: ["C-X": ["B-X"], "B-X": ["A-X"], "A-X": ["B-X"]])
        #expect(graph.cycles() == [["A-X", "B-X", "A-X"]])
    }
}

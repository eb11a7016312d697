import Testing
@testable import OracleCore

@Suite struct PriceHistoryCSVTests {
    @Test func timestampForms() {
        let day = HistoryTimestamp.parseMs("2024-03-25T00:00:00Z")
        #expect(day == 1_711_324_800_000)
        #expect(HistoryTimestamp.parseMs("1711324800") == 1_711_324_800_000)      // seconds
        #expect(HistoryTimestamp.parseMs("1711324800000") == 1_711_324_800_000)   // milliseconds
        #expect(HistoryTimestamp.parseMs("2024-03-25T02:00:00+02:00") == day)     // offsets honoured
        #expect(HistoryTimestamp.parseMs("2024-03-24T19:30:00-04:30") == day)
        #expect(HistoryTimestamp.parseMs("2024-03-25 00:00:00.250Z") == 1_711_324_800_250)
        for bad in ["", "yesterday", "2024-13-01T00:00:00Z", "2024-03-25T00:00:00", "2024-03-25T00:00:00+2", "2024-03-25T00:00:00.Z"] {
            #expect(HistoryTimestamp.parseMs(bad) == nil, "\(bad)")
        }
    }

    @Test func parsesSortsAndNamesBadLines() throws {
        let text = "pair,timestamp,price\n# comment\n\nETH-USD,2024-03-26T00:00:00Z,3500\r\nBTC-USD, 1711324800 ,67000.5\n"
        let pts = try PriceHistoryCSV.parse(text, file: "h.csv", knownPairs: ["BTC-USD", "ETH-USD"])
        #expect(pts == [.init(pair: "BTC-USD", timeMs: 1_711_324_800_000, price: 67_000.5),
                        .init(pair: "ETH-USD", timeMs: 1_711_411_200_000, price: 3_500)])
        #expect(throws: PriceHistoryCSV.ParseError(file: "h.csv", line: 2, message: "unknown pair \"DOGE-USD\"; configured pairs: BTC-USD (add a [[pair]] to the config or drop the line)")) {
            try PriceHistoryCSV.parse("BTC-USD,1,2\nDOGE-USD,1,2\n", file: "h.csv", knownPairs: ["BTC-USD"])
        }
        for (line, fragment) in [("BTC-USD,1,-3", "positive decimal"), ("BTC-USD,1", "3 columns"), ("BTC-USD,x,1", "timestamp"),
                                 ("BTC-USD,1,nan", "positive decimal"), ("BTC-USD,1,1e400", "positive decimal")] {
            do {
                _ = try PriceHistoryCSV.parse("pair,timestamp,price\n" + line, file: "h.csv")
                Issue.record("accepted \(line)")
            } catch {
                #expect(error.line == 2 && error.description.contains(fragment), "\(error)")
            }
        }
    }
}

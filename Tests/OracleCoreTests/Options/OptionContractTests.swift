import Testing
@testable import OracleCore

@Suite struct OptionContractTests {
    /// 2026-12-25T08:00:00Z, computed here without the code under test: 20 812 days after 1970-01-01.
    static let christmas26 = Int64(20_812) * 86_400_000 + 8 * 3_600_000

    @Test func jsonFormParses() throws {
        let c = try OptionContract.decodeJSON(#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": "60000", "expiry": "2026-12-25T08:00:00Z"}}"#)
        #expect(c == OptionContract(underlying: "BTC-USD", right: .call, strike: VenueNumber("60000")!, expiryMs: Self.christmas26))
        #expect(c.strike.text == "60000")
    }

    @Test func jsonFormAcceptsAVenueNameAndABareDate() throws {
        let byName = try OptionContract.decodeJSON(#"{"option": "BTC-25DEC26-60000-P"}"#)
        #expect(byName.right == .put && byName.expiryMs == Self.christmas26 && byName.underlying == "BTC-USD")
        let byDate = try OptionContract.decodeJSON(#"{"option": {"underlying": "ETH-USD", "right": "put", "strike": "3000.5", "expiry": "2026-12-25"}}"#)
        #expect(byDate.expiryMs == Self.christmas26 && byDate.strike.value == 3000.5)
    }

    @Test(arguments: [
        (#"{"option": {"underlying": "BTC-USD", "right": "straddle", "strike": "60000", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.right", OptionError.Code.invalidValue),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": "sixty", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.strike", .invalidValue),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": "-5", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.strike", .outOfRange),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": "0", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.strike", .outOfRange),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": "60000", "expiry": "25/12/2026"}}"#, "option.expiry", .invalidValue),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": "60000", "expiry": "2026-02-30T08:00:00Z"}}"#, "option.expiry", .invalidValue),
        (#"{"option": {"underlying": "BTCUSD", "right": "call", "strike": "60000", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.underlying", .invalidValue),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.strike", .missingField),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strike": 60000, "expiry": "2026-12-25T08:00:00Z"}}"#, "option.strike", .invalidValue),
        (#"{"option": {"underlying": "BTC-USD", "right": "call", "strik": "60000", "expiry": "2026-12-25T08:00:00Z"}}"#, "option.strik", .unknownField),
        (#"{"opt": {}}"#, "option", .missingField),
        (#"{"option": 5}"#, "option", .invalidValue),
        (#"{"option": "#, "", .malformed),
    ])
    func jsonErrorsNameTheField(_ json: String, _ field: String, _ code: OptionError.Code) {
        #expect(throws: OptionError.self) { try OptionContract.decodeJSON(json) }
        do {
            _ = try OptionContract.decodeJSON(json)
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.code == code, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test(arguments: [
        ("BTC-25DEC26-60000-C", "BTC-USD", OptionRight.call, "60000", 2026, 12, 25),
        ("BTC-5JAN27-60000-P", "BTC-USD", .put, "60000", 2027, 1, 5),
        ("ETH-05JAN27-3000-P", "ETH-USD", .put, "3000", 2027, 1, 5),
        ("BTC-6JAN23-17500-C", "BTC-USD", .call, "17500", 2023, 1, 6),           // the Bybit fixture
        ("BTC-6JAN23-17500-C-USDT", "BTC-USDT", .call, "17500", 2023, 1, 6),     // Bybit USDT-settled
        ("XRP_USDC-30JAN26-0d55-C", "XRP-USDC", .call, "0.55", 2026, 1, 30),    // Deribit linear
        ("BTC-6JAN27-100000-C-USDT", "BTC-USDT", .call, "100000", 2027, 1, 6),  // 6-digit strike is not an OKX date
        ("BTC-USD-261225-60000-C", "BTC-USD", .call, "60000", 2026, 12, 25),    // OKX
        ("ETH-USD-270326-2500-P", "ETH-USD", .put, "2500", 2027, 3, 26),
        ("btc-25dec26-60000-c", "", .call, "", 0, 0, 0),                          // lower-case base: refused
    ])
    func venueNames(_ name: String, _ underlying: String, _ right: OptionRight, _ strike: String, _ y: Int, _ m: Int, _ d: Int) throws {
        if underlying.isEmpty {
            #expect(throws: OptionError.self) { try OptionContract(venueName: name) }
            return
        }
        let c = try OptionContract(venueName: name)
        #expect(c.underlying == underlying && c.right == right && c.strike.text == strike)
        #expect(c.expiryMs == RFC3339.unixMs(year: y, month: m, day: d, hour: 8, minute: 0, second: 0, millis: 0))
    }

    @Test(arguments: ["BTC-32DEC26-60000-C", "BTC-25DEX26-60000-C", "BTC-25DEC26-60000-X", "BTC-25DEC26-C",
                      "BTC-USD-261325-60000-C", "BTC-USD-2612-60000-C", "BTC-25DEC26-abc-C", "BTC-25DEC26-0-C", "", "BTC"])
    func badVenueNamesAreRefusedNamingTheField(_ name: String) {
        do {
            let c = try OptionContract(venueName: name, field: "positions[2].option")
            Issue.record("accepted \(name) as \(c)")
        } catch {
            #expect(error.field == "positions[2].option")
            #expect(error.description.contains("positions[2].option"))
        }
    }

    @Test func venueNameRoundTrips() throws {
        for name in ["BTC-25DEC26-60000-C", "BTC-5JAN27-60000-P", "ETH-28MAR25-1000.5-P"] {
            #expect(try OptionContract(venueName: name).venueName == name)
        }
        #expect(try OptionContract(venueName: "BTC-USDT-261225-60000-C").venueName == "BTC-USDT-261225-60000-C")
        #expect(try OptionContract(venueName: "BTC-25DEC26-60000-C") == OptionContract(venueName: "BTC-USD-261225-60000-C"))
    }
}

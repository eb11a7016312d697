import Testing
@testable import OracleCore

@Suite struct AccountJSONTests {
    let universe = MarginFixtures.universe()

    func error(_ json: String) -> AccountError? {
        do {
            _ = try AccountJSON.decode(json, universe: universe)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesDesignShapeKeepingDecimalText() throws {
        let a = try AccountJSON.decode("""
            {"id": "acct-17",
             "collateral": [{"asset": "USDC", "amount": "25000.50"}, {"asset": "BTC", "amount": 0.5}],
             "positions":  [{"pair": "BTC-USD", "quantity": "-2", "entry_price": "65000.00"}]}
            """, universe: universe)
        #expect(a.id == "acct-17")
        #expect(a.collateral.map(\.asset) == ["USDC", "BTC"])
        #expect(a.collateral[0].amount.text == "25000.50")
        #expect(a.collateral[0].amount.value == 25000.5)
        #expect(a.collateral[1].amount.value == 0.5)
        #expect(a.positions[0].quantity.value == -2)
        #expect(a.positions[0].entryPrice.text == "65000.00")
        #expect(a.thresholds == nil)
    }

    @Test func encodeRoundTrips() throws {
        let text = #"{"id":"a.b:c_d-1","collateral":[{"asset":"USD","amount":"10.000"}],"positions":[{"pair":"ETH-USD","quantity":"3","entry_price":"3000.5"}],"thresholds":{"warn_ratio":"1.5","call_ratio":"1.2","call_deadline":"1800000ms"}}"#
        let a = try AccountJSON.decode(text, universe: universe)
        #expect(a.thresholds == ThresholdOverrides(warnRatio: 1.5, callRatio: 1.2, callDeadlineMs: 1_800_000))
        #expect(AccountJSON.encode(a) == text)
        #expect(try AccountJSON.decode(AccountJSON.encode(a), universe: universe) == a)
    }

    @Test func thresholdDurationsAcceptUnits() throws {
        for (text, ms) in [("30m", 1_800_000), ("90s", 90_000), ("1h", 3_600_000), ("250ms", 250)] as [(String, Int64)] {
            let a = try AccountJSON.decode(#"{"id":"a","thresholds":{"call_deadline":"\#(text)"}}"#, universe: universe)
            #expect(a.thresholds?.callDeadlineMs == ms)
        }
        #expect(error(#"{"id":"a","thresholds":{"call_deadline":"soon"}}"#)?.field == "thresholds.call_deadline")
    }

    @Test func unknownPairNamesFieldAndKnownPairs() {
        let e = error(#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1"},{"pair":"DOGE-USD","quantity":"1","entry_price":"1"}]}"#)
        #expect(e?.code == .unknownPair)
        #expect(e?.description == #"positions[1].pair: unknown pair "DOGE-USD"; known pairs: BTC-USD, ETH-USD, USDC-USD"#)
    }

    @Test func unknownAssetNamesKnownAssets() {
        let e = error(#"{"id":"a","collateral":[{"asset":"DOGE","amount":"1"}]}"#)
        #expect(e?.code == .unknownAsset)
        #expect(e?.description == #"collateral[0].asset: unknown asset "DOGE"; known assets: BTC, ETH, USD, USDC"#)
    }

    @Test(arguments: [
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"abc"}]}"#, "collateral[0].amount", AccountError.Code.invalidDecimal),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"NaN"}]}"#, "collateral[0].amount", .invalidDecimal),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"inf"}]}"#, "collateral[0].amount", .invalidDecimal),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"1e400"}]}"#, "collateral[0].amount", .invalidDecimal),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":true}]}"#, "collateral[0].amount", .wrongType),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"-1"}]}"#, "collateral[0].amount", .invalidValue),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"1"},{"asset":"BTC","amount":"2"}]}"#, "collateral[1].asset", .duplicate),
        (#"{"id":"a","collateral":[{"asset":"BTC"}]}"#, "collateral[0].amount", .missingField),
        (#"{"id":"","collateral":[]}"#, "id", .invalidValue),
        (#"{"id":"../etc","collateral":[]}"#, "id", .invalidValue),
        (#"{"id":7}"#, "id", .wrongType),
        (#"{"collateral":[]}"#, "id", .missingField),
        (#"{"id":"a","colateral":[]}"#, "colateral", .unknownField),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"0"}]}"#, "positions[0].entry_price", .invalidValue),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"x","entry_price":"1"}]}"#, "positions[0].quantity", .invalidDecimal),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1","side":"long"}]}"#, "positions[0].side", .unknownField),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1"},{"pair":"BTC-USD","quantity":"1","entry_price":"1"}]}"#, "positions[1].pair", .duplicate),
        (#"{"id":"a","positions":{}}"#, "positions", .wrongType),
        (#"{"id":"a","thresholds":{"call_ratio":"1.5"}}"#, "thresholds.call_ratio", .inconsistent),
        (#"{"id":"a","thresholds":{"warn_exit_ratio":"1.2"}}"#, "thresholds.warn_exit_ratio", .inconsistent),
        // Exit strictly above entry: an equal exit would be a zero hysteresis band.
        (#"{"id":"a","thresholds":{"warn_exit_ratio":"1.3"}}"#, "thresholds.warn_exit_ratio", .inconsistent),
        (#"{"id":"a","thresholds":{"warn_ratio":"1.5","warn_exit_ratio":"1.5"}}"#, "thresholds.warn_exit_ratio", .inconsistent),
        (#"{"id":"a","thresholds":{"liquidation_ratio":"-1"}}"#, "thresholds.liquidation_ratio", .outOfRange),
        // Absurd sizes are refused with the field named (they would overflow the valuation).
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1e306","entry_price":"1"}]}"#, "positions[0].quantity", .outOfRange),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"-2e15","entry_price":"1"}]}"#, "positions[0].quantity", .outOfRange),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1","entry_price":"1e300"}]}"#, "positions[0].entry_price", .outOfRange),
        (#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1e12","entry_price":"65000"}]}"#, "positions[0].quantity", .outOfRange),
        (#"{"id":"a","collateral":[{"asset":"BTC","amount":"1e16"}]}"#, "collateral[0].amount", .outOfRange),
        (#"[1,2]"#, "", .wrongType),
        (#"{"id":"a""#, "", .malformedJSON),
    ])
    func rejectsBadDocuments(json: String, field: String, code: AccountError.Code) {
        let e = error(json)
        #expect(e?.field == field, "\(json)")
        #expect(e?.code == code, "\(json): \(String(describing: e))")
        #expect(e?.description.isEmpty == false)
    }

    @Test func boundsAreInclusiveAndStatusIs422() throws {
        // At the bounds: accepted (1e15 units of a 1-dollar asset is a 1e15 notional).
        _ = try AccountJSON.decode(#"{"id":"a","collateral":[{"asset":"BTC","amount":"1e15"}],"positions":[{"pair":"BTC-USD","quantity":"-1e10","entry_price":"100000"}]}"#,
                                   universe: universe)
        #expect(error(#"{"id":"a","positions":[{"pair":"BTC-USD","quantity":"1e306","entry_price":"1"}]}"#)?.httpStatus == 422)
        #expect(error(#"{"id":"a","thresholds":{"warn_exit_ratio":"1.3"}}"#)?.httpStatus == 422)
        #expect(error(#"{"id":"a","colateral":[]}"#)?.httpStatus == 400)
    }

    @Test func positionsMustBeQuotedInMarginCurrency() {
        let u = MarginFixtures.universe(pairs: [MarginFixtures.pair("ETH-BTC")])
        #expect(throws: AccountError.self) {
            try AccountJSON.decode(#"{"id":"a","positions":[{"pair":"ETH-BTC","quantity":"1","entry_price":"0.05"}]}"#, universe: u)
        }
    }

    @Test func ignoredKeysAreAccepted() throws {
        let a = try AccountJSON.decode(#"{"id":"a","equity":"5","level":"none"}"#, universe: universe, ignoring: ["equity", "level"])
        #expect(a.collateral.isEmpty)
    }
}

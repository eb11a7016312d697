import OracleCore
import Testing

/// The implied-volatility parsers on real and constructed venue bodies: units (percent vs
/// fraction), forwards, timestamps, expiries at 08:00 UTC, error envelopes, and one bad entry
/// spoiling only itself.
@Suite struct VolParserTests {
    // Expiry instants computed independently (python datetime, 08:00 UTC).
    static let jun26: Int64 = 1_782_460_800_000
    static let jan23: Int64 = 1_672_992_000_000
    static let dec26: Int64 = 1_798_185_600_000
    static let jan27: Int64 = 1_801_209_600_000

    @Test func instrumentNamesOfAllThreeVenues() throws {
        let d = try #require(VolInstrument.dayMonthYear("BTC-26JUN26-100000-C"))
        #expect(d == VolInstrument(underlying: "BTC", expiryMs: Self.jun26, strike: 100_000, isCall: true))
        let b = try #require(VolInstrument.dayMonthYear("BTC-6JAN23-17500-P"))
        #expect(b.expiryMs == Self.jan23 && b.strike == 17_500 && !b.isCall)
        let usdt = try #require(VolInstrument.dayMonthYear("BTC-25DEC26-60000-C-USDT"))
        #expect(usdt.expiryMs == Self.dec26 && usdt.strike == 60_000)
        let frac = try #require(VolInstrument.dayMonthYear("XRP_USDC-25DEC26-2d2-C"))
        #expect(frac.strike == 2.2 && frac.underlying == "XRP_USDC")
        let o = try #require(VolInstrument.okxStyle("BTC-USD-270129-60000-P"))
        #expect(o == VolInstrument(underlying: "BTC", expiryMs: Self.jan27, strike: 60_000, isCall: false))
        for bad in ["BTC-PERPETUAL", "BTC-26JUN26", "BTC-26XYZ26-100-C", "BTC-31FEB26-100-C", "BTC-26JUN26-0-C",
                    "BTC-26JUN26-100-X", "BTC-26JUN26-abc-C", "-26JUN26-100-C", ""] {
            #expect(VolInstrument.dayMonthYear(bad) == nil, "\(bad)")
        }
        #expect(VolInstrument.okxStyle("BTC-USD-261399-60000-C") == nil)
    }

    @Test func realDeribitTickerReadsPercentIVAndForward() throws {
        let a = VolAdapters.parseDeribitTicker(instrument: "BTC-26JUN26-100000-C",
                                               response: try VolFixtures.response("deribit_ticker_BTC-26JUN26-100000-C.json"))
        #expect(a.bodyError == nil)
        let q = try #require(a.quotes.first)
        #expect(abs(q.markIV - 0.4543) < 1e-12)
        #expect(abs(try #require(q.bidIV) - 0.4454) < 1e-12)
        #expect(abs(try #require(q.askIV) - 0.4618) < 1e-12)
        #expect(q.forward == 116_086.34)
        #expect(q.timestampMs == 1_752_057_345_721)
        #expect(q.option.expiryMs == Self.jun26)
        // Asking for another instrument is a misrouted answer, not a quote.
        let other = VolAdapters.parseDeribitTicker(instrument: "BTC-26JUN26-90000-C",
                                                   response: try VolFixtures.response("deribit_ticker_BTC-26JUN26-100000-C.json"))
        #expect(other.bodyError?.errorClass == .other)
        #expect(other.bodyError?.message.hasPrefix("deribit:") == true)
    }

    @Test func realBybitTickerPushReadsFractionIV() throws {
        let a = VolAdapters.parseBybitTickerMessage(response: try VolFixtures.response("bybit_tickersub_BTC-6JAN23-17500-C.json"))
        let q = try #require(a.quotes.first)
        #expect(q.markIV == 0.4896)
        #expect(q.forward == 16_815.1)
        #expect(q.timestampMs == 1_672_917_511_074)
        #expect(q.bidIV == nil, "bidIv \"0\" means no bid")
        #expect(q.askIV == 0.514)
        #expect(q.option.expiryMs == Self.jan23)
    }

    @Test func deribitBookSummary() throws {
        let a = VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_book_summary_BTC.json"))
        #expect(a.bodyError == nil && a.rejects.isEmpty)
        #expect(a.quotes.count == 14)
        let q = try #require(a.quotes.first { $0.instrument == "BTC-25DEC26-100000-P" })
        #expect(q.forward == 101_250)
        #expect(q.timestampMs == VolFixtures.nowMs - 1200)
        #expect(q.option.expiryMs == Self.dec26)
        #expect(q.markIV > 0.2 && q.markIV < 1.5, "percent turned into a fraction: \(q.markIV)")
        let wing = try #require(a.quotes.first { $0.instrument == "BTC-25DEC26-70000-P" })
        #expect(wing.bidIV == nil && wing.askIV != nil)
    }

    @Test func oneMalformedEntrySpoilsOnlyItself() throws {
        let a = VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_book_summary_malformed.json"))
        #expect(a.bodyError == nil)
        #expect(a.quotes.map(\.instrument) == ["BTC-25DEC26-70000-P"])
        #expect(a.rejects.count == 3)
        let why = a.rejects.map { "\($0.instrument): \($0.error.message)" }.joined(separator: "\n")
        #expect(why.contains("mark_iv"), "\(why)")
        #expect(why.contains("BTC-PERPETUAL"), "\(why)")
        #expect(why.contains("forward"), "\(why)")
    }

    @Test func deribitDVOLTakesTheNewestClose() throws {
        let a = VolAdapters.parse(.deribitDVOL, response: try VolFixtures.response("deribit_dvol_BTC.json"))
        let level = try #require(a.indexLevel)
        #expect(abs(level.value - 0.4838) < 1e-12)
        // Order does not matter: the newest candle wins even when sent first.
        let shuffled = #"{"jsonrpc":"2.0","result":{"data":[[2000,1,1,1,51.5],[1000,1,1,1,40.0]],"continuation":null}}"#
        #expect(VolAdapters.parse(.deribitDVOL, response: VolFixtures.response(text: shuffled)).indexLevel
                == VolIndexLevel(value: 0.515, timestampMs: 2000))
        let empty = #"{"jsonrpc":"2.0","result":{"data":[],"continuation":null}}"#
        #expect(VolAdapters.parse(.deribitDVOL, response: VolFixtures.response(text: empty)).bodyError?.errorClass == .other)
    }

    @Test func okxOptSummary() throws {
        let a = VolAdapters.parse(.okxOptions, response: try VolFixtures.response("okx_opt_summary_BTC-USD.json"))
        #expect(a.bodyError == nil && a.rejects.isEmpty)
        #expect(a.quotes.count == 42)
        let q = try #require(a.quotes.first { $0.instrument == "BTC-USD-270129-100000-C" })
        #expect(q.option.expiryMs == Self.jan27 && q.forward == 101_830 && q.timestampMs == VolFixtures.nowMs - 800)
        let wing = try #require(a.quotes.first { $0.instrument == "BTC-USD-261225-140000-C" })
        #expect(wing.bidIV == nil, "bidVol \"\" is no bid")
    }

    @Test func bybitOptionTickers() throws {
        let a = VolAdapters.parse(.bybitOptions, response: try VolFixtures.response("bybit_option_tickers_BTC.json"))
        #expect(a.bodyError == nil && a.rejects.isEmpty)
        #expect(a.quotes.count == 28)
        #expect(a.quotes.allSatisfy { $0.timestampMs == VolFixtures.nowMs - 300 })
        let wing = try #require(a.quotes.first { $0.instrument == "BTC-25DEC26-70000-C" })
        #expect(wing.bidIV == nil)
    }

    @Test func theThreeVenuesAgreeOnTheSameOption() throws {
        // Same smile underneath; the venues' noise is under half a vol point.
        let d = VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_book_summary_BTC.json")).quotes
        let o = VolAdapters.parse(.okxOptions, response: try VolFixtures.response("okx_opt_summary_BTC-USD.json")).quotes
        let b = VolAdapters.parse(.bybitOptions, response: try VolFixtures.response("bybit_option_tickers_BTC.json")).quotes
        for q in d {
            let same = (o + b).filter { $0.option.expiryMs == q.option.expiryMs && $0.option.strike == q.option.strike }
            #expect(same.count == 4)
            for s in same { #expect(abs(s.markIV - q.markIV) < 0.005, "\(q.instrument) vs \(s.instrument)") }
        }
    }

    @Test func errorEnvelopes() throws {
        let rl = try #require(VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_error_rate_limited.json", status: 429)).bodyError)
        #expect(rl.errorClass == .rateLimited && rl.message.hasPrefix("deribit:"), "\(rl)")
        // The same body inside HTTP 200 is still the venue's error.
        #expect(VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_error_rate_limited.json")).bodyError?.errorClass == .rateLimited)
        let cur = try #require(VolAdapters.parse(.deribitOptions, response: try VolFixtures.response("deribit_error_invalid_currency.json", status: 400)).bodyError)
        #expect(cur.errorClass == .badRequest && cur.message.contains("-32602"), "\(cur)")
        let nf = try #require(VolAdapters.parseDeribitTicker(instrument: "BTC-1JAN27-1-C", response: try VolFixtures.response("deribit_error_ticker_not_found.json", status: 400)).bodyError)
        #expect(nf.errorClass == .unknownSymbol, "\(nf)")
        let okx = try #require(VolAdapters.parse(.okxOptions, response: try VolFixtures.response("okx_error_bad_uly.json")).bodyError)
        #expect(okx.errorClass == .badRequest && okx.message.contains("51000"), "\(okx)")
        let bybit = try #require(VolAdapters.parse(.bybitOptions, response: try VolFixtures.response("bybit_error_bad_coin.json")).bodyError)
        #expect(bybit.errorClass == .badRequest && bybit.message.contains("10001"), "\(bybit)")
        #expect(VolAdapters.parse(.bybitOptions, response: VolFixtures.response(text: "", status: 403)).bodyError?.errorClass == .rateLimited)
        #expect(VolAdapters.parse(.deribitOptions, response: VolFixtures.response(text: "<html><title>502 Bad Gateway</title></html>", status: 502)).bodyError?.errorClass == .unavailable)
    }

    @Test func absurdNumbersAreRejectsNotQuotes() throws {
        // 4543 % is percent read twice; 0 and negatives are no volatility; 1e999 is infinite.
        for mark in ["4543", "0", "-12", "1e999", "\"NaN\"", "true"] {
            let body = #"{"jsonrpc":"2.0","result":[{"instrument_name":"BTC-25DEC26-100000-C","mark_iv":\#(mark),"underlying_price":101000,"creation_timestamp":1796522400000}]}"#
            let a = VolAdapters.parse(.deribitOptions, response: VolFixtures.response(text: body))
            #expect(a.quotes.isEmpty && a.rejects.count == 1, "mark_iv \(mark)")
        }
        let noForward = #"{"code":"0","msg":"","data":[{"instId":"BTC-USD-261225-60000-C","markVol":"0.5","fwdPx":"0","ts":"1796522400000"}]}"#
        #expect(VolAdapters.parse(.okxOptions, response: VolFixtures.response(text: noForward)).rejects.count == 1)
    }

    @Test func requestURLs() {
        let now: Int64 = 1_796_522_400_000
        #expect(VolAdapters.requestURL(.deribitOptions, baseURL: "https://www.deribit.com/", underlying: "BTC", nowMs: now)
                == "https://www.deribit.com/api/v2/public/get_book_summary_by_currency?currency=BTC&kind=option")
        #expect(VolAdapters.requestURL(.deribitDVOL, baseURL: "http://127.0.0.1:9", underlying: "ETH", nowMs: now)
                == "http://127.0.0.1:9/api/v2/public/get_volatility_index_data?currency=ETH&resolution=60&start_timestamp=1796518800000&end_timestamp=1796522400000")
        #expect(VolAdapters.requestURL(.okxOptions, baseURL: "https://www.okx.com", underlying: "BTC", nowMs: now)
                == "https://www.okx.com/api/v5/public/opt-summary?uly=BTC-USD")
        #expect(VolAdapters.requestURL(.bybitOptions, baseURL: "https://api.bybit.com", underlying: "B&C", nowMs: now)
                == "https://api.bybit.com/v5/market/tickers?category=option&baseCoin=B%26C")
    }
}

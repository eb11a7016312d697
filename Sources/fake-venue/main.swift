import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

// fake-venue: serves the response shapes of every venue oracled knows on 127.0.0.1, with prices and
// faults set over HTTP (`/_control/price`, `/_control/fault`, `/_control/stats`). Used by `make demo`
// and by the end-to-end tests. Prints "LISTENING <port>" once bound.
var port = 18080
var syntheticPairs = 0
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--port": port = args.next().flatMap(Int.init) ?? port
    case "--synthetic-pairs":
        guard let n = args.next().flatMap(Int.init), n >= 0, n <= 99_999 else {
            FileHandle.standardError.write("fake-venue: --synthetic-pairs needs a count from 0 to 99999\n".data(using: .utf8)!)
            exit(2)
        }
        syntheticPairs = n
    case "-h", "--help":
        print("""
        usage: fake-venue [--port N] [--synthetic-pairs N]

          --port N              listen on 127.0.0.1:N (0 = any free port; prints "LISTENING <port>")
          --synthetic-pairs N   also list N synthetic pairs S0001-USD … SNNNN-USD on every venue,
                                single-ticker and batch endpoints alike

        Synthetic pairs (scripts/synthetic-config.py writes a matching oracles.toml):
          pair i (1-based) is "S" + i zero-padded to 4 digits (more from 10000 on) + "-USD";
          its price is 100 + i/7 USD on every venue, with no per-venue offset, times 1 + 1e-9 in
          odd wall-clock seconds (so values keep moving and no source looks frozen):
          bid = price - 0.01, ask = price + 0.01, last = price, written with 8 decimals, so the
          expected mark of pair i is 100 + i/7 within 1e-9 relative. Quote currency is USD on
          every venue (no USDT conversion). Venue spellings of S0001-USD:
            binance, bybit S0001USD        okx, kucoin, coinbase S0001-USD   kraken S0001USD
            bitstamp, gemini, htx s0001usd cryptocom S0001_USD               bitfinex tS0001:USD
            pyth  5 followed by i zero-padded to 63 digits (a 64-hex feed id)
            coingecko synthetic-0001/usd
          Faults set with /_control/fault apply to synthetic pairs as to the others.

        Batch endpoints served (venue prefix first, e.g. /binance/api/v3/ticker/bookTicker):
          binance /api/v3/ticker/bookTicker (no symbol, or symbols=[...])   okx /api/v5/market/tickers?instType=SPOT
          bybit /v5/market/tickers?category=spot   kucoin /api/v1/market/allTickers   htx /market/tickers
          bitfinex /v2/tickers?symbols=a,b   kraken /0/public/Ticker?pair=A,B   bitstamp /api/v2/ticker/
          cryptocom /exchange/v1/public/get-tickers   gemini /v1/pricefeed
          pyth /v2/updates/price/latest?ids[]=..&ids[]=..   coingecko /api/v3/simple/price?ids=a,b&vs_currencies=usd

        Option implied volatilities (one SVI smile, see OptionVenues.swift; /_control/vol?a=&b=&rho=&m=&sigma=,
        spike=F, outlier=VENUE&bump=X, fail=VENUE|none):
          deribit /api/v2/public/get_book_summary_by_currency?currency=BTC&kind=option
          deribit /api/v2/public/get_volatility_index_data?currency=BTC   okx /api/v5/public/opt-summary?uly=BTC-USD
          bybit /v5/market/tickers?category=option&baseCoin=BTC
        """)
        exit(0)
    default:
        FileHandle.standardError.write("fake-venue: unknown argument \(a)\n".data(using: .utf8)!)
        exit(2)
    }
}

let state = VenueState()
state.addSynthetic(count: syntheticPairs)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
            channel.pipeline.addHandler(FakeVenueHandler(state: state))
        }
    }
do {
    let channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
    FileHandle.standardOutput.write("LISTENING \(channel.localAddress?.port ?? port)\n".data(using: .utf8)!)
    try channel.closeFuture.wait()
} catch {
    FileHandle.standardError.write("fake-venue: cannot listen on 127.0.0.1:\(port): \(error)\n".data(using: .utf8)!)
    exit(1)
}

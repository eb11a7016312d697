import Foundation
import OracleCore

/// Parse-path benchmark: for each venue's recorded `ok_btc` body, the mean cost of
/// `VenueAdapters.parse` (the byte scanner) and, for comparison, of Foundation `JSONDecoder`
/// decoding the same body into a minimal `Decodable` struct.
///
/// Bodies are embedded (copied from Tests/Fixtures/venues/<venue>/ok_btc.json) so the bench
/// runs from any directory. Results: `parse_ns_<venue>` and `jsondecoder_ns_<venue>` in ns.
func runParseBench() -> [(name: String, value: Double, unit: String)] {
    var results: [(name: String, value: Double, unit: String)] = []
    for c in parseBenchCases {
        let response = VenueResponse(status: 200, headers: [], body: Array(c.body.utf8), receivedAtMs: 1_700_000_000_000)
        // A parse that fails here would make the figure meaningless: report it instead of timing errors.
        do throws(VenueError) {
            _ = try VenueAdapters.parse(c.kind, symbol: c.symbol, response: response)
        } catch {
            results.append((name: "parse_error_\(c.kind.rawValue)", value: 1, unit: "count"))
            continue
        }
        let parseNs = measureNs(iterations: 70_000) {
            do throws(VenueError) {
                parseBenchBlackHole(try VenueAdapters.parse(c.kind, symbol: c.symbol, response: response))
            } catch {
                parseBenchBlackHole(error)
            }
        }
        results.append((name: "parse_ns_\(c.kind.rawValue)", value: parseNs, unit: "ns"))

        let data = Data(c.body.utf8)
        let decoder = JSONDecoder()
        let decodeNs = measureNs(iterations: 3_500) {
            parseBenchBlackHole(decodeWithFoundation(c.kind, data, decoder))
        }
        results.append((name: "jsondecoder_ns_\(c.kind.rawValue)", value: decodeNs, unit: "ns"))
    }
    return results
}

/// Nanoseconds per call of `body`: the median of seven batch means, after a warm-up of one
/// batch. The median keeps a burst of load from another process (the bench shares two
/// cores with builds) from skewing the figure, while each batch is still a plain mean.
func measureNs(iterations: Int, _ body: () -> Void) -> Double {
    let batches = 7
    let perBatch = max(1, iterations / batches)
    for _ in 0..<perBatch { body() }
    let clock = ContinuousClock()
    var means: [Double] = []
    for _ in 0..<batches {
        let start = clock.now
        for _ in 0..<perBatch { body() }
        let (seconds, attoseconds) = (clock.now - start).components
        means.append((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(perBatch))
    }
    means.sort()
    return means[batches / 2]
}

/// Keeps a value alive so the optimiser cannot delete the work that produced it.
@inline(never) @_optimize(none)
func parseBenchBlackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

struct ParseBenchCase {
    var kind: VenueKind
    var symbol: String
    var body: String
}

// MARK: - Foundation baseline

private func decodeWithFoundation(_ kind: VenueKind, _ data: Data, _ d: JSONDecoder) -> Any? {
    switch kind {
    case .binance: return try? d.decode(FBinance.self, from: data)
    case .coinbase: return try? d.decode(FCoinbase.self, from: data)
    case .kraken: return try? d.decode(FKraken.self, from: data)
    case .bitstamp: return try? d.decode(FBitstamp.self, from: data)
    case .gemini: return try? d.decode(FGemini.self, from: data)
    case .okx: return try? d.decode(FOKX.self, from: data)
    case .bybit: return try? d.decode(FBybit.self, from: data)
    case .bitfinex: return try? d.decode([Double].self, from: data)
    case .kucoin: return try? d.decode(FKuCoin.self, from: data)
    case .htx: return try? d.decode(FHTX.self, from: data)
    case .cryptocom: return try? d.decode(FCryptoCom.self, from: data)
    case .pyth: return try? d.decode(FPyth.self, from: data)
    case .coingecko: return try? d.decode([String: FCoinGecko].self, from: data)
    case .generic: return nil
    }
}

private struct FBinance: Decodable { var symbol: String; var bidPrice: String; var askPrice: String }
private struct FCoinbase: Decodable { var bid: String; var ask: String; var price: String; var time: String }
private struct FKraken: Decodable {
    struct Ticker: Decodable { var a: [String]; var b: [String]; var c: [String] }
    var error: [String]; var result: [String: Ticker]
}
private struct FBitstamp: Decodable { var bid: String; var ask: String; var last: String; var timestamp: String; var pair: String }
private struct FGemini: Decodable {
    struct Volume: Decodable { var timestamp: Int64 }
    var bid: String; var ask: String; var last: String; var volume: Volume
}
private struct FOKX: Decodable {
    struct Ticker: Decodable { var instId: String; var bidPx: String; var askPx: String; var last: String; var ts: String }
    var code: String; var data: [Ticker]
}
private struct FBybit: Decodable {
    struct Ticker: Decodable { var symbol: String; var bid1Price: String; var ask1Price: String; var lastPrice: String }
    struct Result: Decodable { var list: [Ticker] }
    var retCode: Int; var result: Result; var time: Int64
}
private struct FKuCoin: Decodable {
    struct Data: Decodable { var bestBid: String; var bestAsk: String; var price: String; var time: Int64 }
    var code: String; var data: Data
}
private struct FHTX: Decodable {
    struct Tick: Decodable { var close: Double; var bid: [Double]; var ask: [Double] }
    var ch: String; var status: String; var ts: Int64; var tick: Tick
}
private struct FCryptoCom: Decodable {
    struct Ticker: Decodable { var i: String; var a: String; var b: String; var k: String; var t: Int64 }
    struct Result: Decodable { var data: [Ticker] }
    var code: Int; var result: Result
}
private struct FPyth: Decodable {
    struct Price: Decodable { var price: String; var conf: String; var expo: Int; var publish_time: Int64 }
    struct Entry: Decodable { var id: String; var price: Price }
    var parsed: [Entry]
}
private struct FCoinGecko: Decodable { var usd: Double; var last_updated_at: Int64 }

// MARK: - Bodies (Tests/Fixtures/venues/<venue>/ok_btc.json)

let parseBenchCases: [ParseBenchCase] = [
    ParseBenchCase(kind: .binance, symbol: "BTCUSDT", body: #"""
{
  "symbol": "BTCUSDT",
  "bidPrice": "23980.49000000",
  "bidQty": "0.01000000",
  "askPrice": "23981.31000000",
  "askQty": "0.01512000"
}
"""#),
    ParseBenchCase(kind: .coinbase, symbol: "BTC-USD", body: #"""
{
  "trade_id": 4729088,
  "price": "333.99",
  "size": "0.193",
  "bid": "333.98",
  "ask": "333.99",
  "volume": "5957.11914015",
  "time": "2015-11-14T20:46:03.511254Z"
}
"""#),
    ParseBenchCase(kind: .kraken, symbol: "XBTUSD", body: #"""
{
  "error": [],
  "result": {
    "XXBTZUSD": {
      "a": [
        "3809.10000",
        "1",
        "1.000"
      ],
      "b": [
        "3809.00000",
        "1",
        "1.000"
      ],
      "c": [
        "3809.60000",
        "0.11007700"
      ],
      "v": [
        "1378.29558699",
        "4120.69226171"
      ],
      "p": [
        "3798.72908",
        "3797.90051"
      ],
      "t": [
        1960,
        5958
      ],
      "l": [
        "3776.90000",
        "3775.80000"
      ],
      "h": [
        "3817.60000",
        "3819.30000"
      ],
      "o": "3796.20000"
    }
  }
}
"""#),
    ParseBenchCase(kind: .bitstamp, symbol: "btcusd", body: #"""
{
  "timestamp": "1686068944",
  "high": "26252",
  "last": "26216",
  "bid": "26208",
  "vwap": "25681",
  "volume": "3563.13819902",
  "low": "25350",
  "ask": "26211",
  "open": "25730",
  "open_24": "25895",
  "percent_change_24": "1.24",
  "pair": "BTC/USD"
}
"""#),
    ParseBenchCase(kind: .gemini, symbol: "btcusd", body: #"""
{
  "bid": "9117.95",
  "ask": "9117.96",
  "volume": {
    "BTC": "1615.46861748",
    "USD": "14727307.57545006088",
    "timestamp": 1594982700000
  },
  "last": "9115.23"
}
"""#),
    ParseBenchCase(kind: .okx, symbol: "BTC-USDT", body: #"""
{
  "code": "0",
  "msg": "",
  "data": [
    {
      "instType": "SPOT",
      "instId": "BTC-USDT",
      "last": "67843.2",
      "lastSz": "0.00014",
      "askPx": "67843.2",
      "askSz": "0.61372388",
      "bidPx": "67843.1",
      "bidSz": "0.3127",
      "open24h": "67104",
      "high24h": "68200",
      "low24h": "66421.5",
      "volCcy24h": "591204558.91213618",
      "vol24h": "8784.17426327",
      "ts": "1711356300117",
      "sodUtc0": "67211.2",
      "sodUtc8": "67501"
    }
  ]
}
"""#),
    ParseBenchCase(kind: .bybit, symbol: "BTCUSDT", body: #"""
{
  "retCode": 0,
  "retMsg": "OK",
  "result": {
    "category": "spot",
    "list": [
      {
        "symbol": "BTCUSDT",
        "bid1Price": "20517.96",
        "bid1Size": "2",
        "ask1Price": "20527.77",
        "ask1Size": "1.862172",
        "lastPrice": "20533.13",
        "prevPrice24h": "20393.48",
        "price24hPcnt": "0.0068",
        "highPrice24h": "21128.12",
        "lowPrice24h": "20318.89",
        "turnover24h": "243765620.65899866",
        "volume24h": "11801.27771",
        "usdIndexPrice": "20784.12009279"
      }
    ]
  },
  "retExtInfo": {},
  "time": 1673859087947
}
"""#),
    ParseBenchCase(kind: .bitfinex, symbol: "tBTCUSD", body: #"""
[
  67190,
  8.10953226,
  67191,
  4.97432891,
  -611,
  -0.00901125,
  67190,
  1083.60181823,
  68199,
  66421
]
"""#),
    ParseBenchCase(kind: .kucoin, symbol: "BTC-USDT", body: #"""
{
  "code": "200000",
  "data": {
    "bestAsk": "62258.9",
    "bestAskSize": "0.38579986",
    "bestBid": "62258.8",
    "bestBidSize": "0.0078381",
    "price": "62260.7",
    "sequence": "1621383297064",
    "size": "0.00002841",
    "time": 1634641777363
  }
}
"""#),
    ParseBenchCase(kind: .htx, symbol: "btcusdt", body: #"""
{
    "ch": "market.btcusdt.detail.merged",
    "status": "ok",
    "ts": 1629788763750,
    "tick": {
        "id": 272156789143,
        "version": 272156789143,
        "open": 50080.0,
        "close": 49820.92,
        "low": 48767.0,
        "high": 50500.0,
        "amount": 12055.365781937457,
        "vol": 5.985618685709001E8,
        "count": 420573,
        "bid": [
            49819.48,
            2.58112
        ],
        "ask": [
            49819.49,
            0.002411
        ]
    }
}
"""#),
    ParseBenchCase(kind: .cryptocom, symbol: "BTC_USD", body: #"""
{
  "id": -1,
  "method": "public/get-tickers",
  "code": 0,
  "result": {
    "data": [
      {
        "i": "BTC_USD",
        "h": "30821.45",
        "l": "28685.11",
        "a": "30446.00",
        "v": "1767.8734",
        "vv": "52436726.42",
        "c": "0.0583",
        "b": "30442.00",
        "k": "30447.66",
        "t": 1687403045415
      }
    ]
  }
}
"""#),
    ParseBenchCase(kind: .pyth, symbol: "0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43", body: #"""
{
  "binary": {
    "encoding": "hex",
    "data": [
      "504e41550100000003b801000000040d00"
    ]
  },
  "parsed": [
    {
      "id": "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43",
      "price": {
        "price": "6784312500000",
        "conf": "2351207541",
        "expo": -8,
        "publish_time": 1711356300
      },
      "ema_price": {
        "price": "6779104200000",
        "conf": "2288001200",
        "expo": -8,
        "publish_time": 1711356300
      },
      "metadata": {
        "slot": 158512344,
        "proof_available_time": 1711356301,
        "prev_publish_time": 1711356299
      }
    }
  ]
}
"""#),
    ParseBenchCase(kind: .coingecko, symbol: "bitcoin/usd", body: #"""
{"bitcoin":{"usd":67187.3358,"last_updated_at":1711356300}}
"""#),
]

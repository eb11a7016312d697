#!/usr/bin/env python3
"""Builds the constructed option-volatility fixtures in this directory (see README.md).

Every venue body follows the shape of the venue's documented API; the volatilities come from
one raw-SVI smile per expiry so the three venues agree the way real venues roughly do, with
per-venue noise. Run again to regenerate: the output is deterministic.
"""
import json, math, datetime

NOW_MS = 1796522400000  # 2026-12-06T02:00:00Z
FWD = {"25DEC26": 101250.0, "29JAN27": 101830.0, "26MAR27": 102900.0}
EXP = {"25DEC26": (2026, 12, 25), "29JAN27": (2027, 1, 29), "26MAR27": (2027, 3, 26)}
# raw SVI (a, b, rho, m, sigma) in total variance per expiry
SVI = {"25DEC26": (0.0060, 0.040, -0.30, 0.00, 0.10),
       "29JAN27": (0.0150, 0.060, -0.28, 0.02, 0.15),
       "26MAR27": (0.0300, 0.080, -0.25, 0.03, 0.20)}
STRIKES = [70000, 80000, 90000, 100000, 110000, 120000, 140000]

def years(code):
    y, m, d = EXP[code]
    e = datetime.datetime(y, m, d, 8, tzinfo=datetime.timezone.utc).timestamp() * 1000
    return (e - NOW_MS) / (365 * 86400000)

def iv(code, k_strike, bump=0.0):
    a, b, r, m, s = SVI[code]
    k = math.log(k_strike / FWD[code])
    w = a + b * (r * (k - m) + math.sqrt((k - m) ** 2 + s * s))
    return math.sqrt(w / years(code)) + bump

def okx_date(code):
    y, m, d = EXP[code]
    return "%02d%02d%02d" % (y % 100, m, d)

def dump(name, obj):
    with open(name, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")

# Deribit book summary: mark_iv percent, 2 decimals; puts below the forward, calls above.
res = []
for code in ["25DEC26", "29JAN27"]:
    for K in STRIKES:
        right = "P" if K < FWD[code] else "C"
        v = iv(code, K)
        res.append({"volume_usd": 0, "volume": 0.0, "underlying_price": FWD[code], "underlying_index": "BTC-" + code,
                    "quote_currency": "BTC", "price_change": None, "open_interest": 12.3, "mid_price": None,
                    "mark_price": 0.0123, "mark_iv": round(v * 100, 2), "low": None, "last": None,
                    "interest_rate": 0.0, "instrument_name": "BTC-%s-%d-%s" % (code, K, right), "high": None,
                    "estimated_delivery_price": 100987.42, "creation_timestamp": NOW_MS - 1200,
                    "bid_price": 0.0115, "base_currency": "BTC", "ask_price": 0.013,
                    "bid_iv": None if K == 70000 else round(v * 100 - 0.9, 2), "ask_iv": round(v * 100 + 0.8, 2)})
dump("deribit_book_summary_BTC.json", {"jsonrpc": "2.0", "result": res, "usIn": NOW_MS * 1000, "usOut": NOW_MS * 1000 + 2500, "usDiff": 2500, "testnet": False})

bad = [dict(res[0]), dict(res[1]), dict(res[2]), dict(res[3])]
bad[1]["mark_iv"] = "n/a"            # a string where a number belongs
bad[2]["instrument_name"] = "BTC-PERPETUAL"   # not an option name
del bad[3]["underlying_price"]      # no forward
dump("deribit_book_summary_malformed.json", {"jsonrpc": "2.0", "result": bad, "usIn": NOW_MS * 1000, "usOut": NOW_MS * 1000 + 900, "usDiff": 900, "testnet": False})
dump("deribit_error_rate_limited.json", {"jsonrpc": "2.0", "error": {"message": "too_many_requests", "code": 10028}, "usIn": NOW_MS * 1000, "usOut": NOW_MS * 1000 + 40, "usDiff": 40, "testnet": False})
dump("deribit_error_invalid_currency.json", {"jsonrpc": "2.0", "error": {"message": "Invalid params", "data": {"reason": "wrong format", "param": "currency"}, "code": -32602}, "usIn": NOW_MS * 1000, "usOut": NOW_MS * 1000 + 30, "usDiff": 30, "testnet": False})
dump("deribit_error_ticker_not_found.json", {"jsonrpc": "2.0", "error": {"message": "Invalid params", "data": {"reason": "instrument not found", "param": "instrument_name"}, "code": -32602}, "usIn": NOW_MS * 1000, "usOut": NOW_MS * 1000 + 30, "usDiff": 30, "testnet": False})

# DVOL candles [ts, open, high, low, close], one per minute, oldest first.
candles = []
for i in range(5):
    t = NOW_MS - (NOW_MS % 60000) - (4 - i) * 60000
    c = 48.10 + 0.07 * i
    candles.append([t, round(c - 0.03, 2), round(c + 0.05, 2), round(c - 0.06, 2), round(c, 2)])
dump("deribit_dvol_BTC.json", {"jsonrpc": "2.0", "result": {"data": candles, "continuation": None}, "usIn": NOW_MS * 1000, "usOut": NOW_MS * 1000 + 300, "usDiff": 300, "testnet": False})

# OKX opt-summary: all strings, fractions; bidVol/askVol "" when no quote.
data = []
for code in ["25DEC26", "29JAN27", "26MAR27"]:
    for K in STRIKES:
        for right in ("C", "P"):
            v = iv(code, K, 0.002)
            data.append({"instType": "OPTION", "instId": "BTC-USD-%s-%d-%s" % (okx_date(code), K, right), "uly": "BTC-USD",
                         "delta": "0.5", "gamma": "0.00001", "vega": "0.0004", "theta": "-0.0002", "lever": "8.1",
                         "markVol": "%.6f" % v, "bidVol": "" if K == 140000 else "%.6f" % (v - 0.008), "askVol": "%.6f" % (v + 0.009),
                         "realVol": "", "volLv": "%.6f" % v, "deltaBS": "0.5", "gammaBS": "0.00001", "thetaBS": "-30.1", "vegaBS": "120.2",
                         "ts": str(NOW_MS - 800), "fwdPx": "%.4f" % FWD[code]})
dump("okx_opt_summary_BTC-USD.json", {"code": "0", "msg": "", "data": data})
dump("okx_error_bad_uly.json", {"code": "51000", "msg": "Parameter uly error", "data": []})

# Bybit v5 option tickers: strings, fractions, top-level time; zero bid IV = no bid.
lst = []
for code in ["25DEC26", "29JAN27"]:
    for K in STRIKES:
        for right in ("C", "P"):
            v = iv(code, K, -0.0015)
            lst.append({"symbol": "BTC-%s-%d-%s" % (code, K, right), "bid1Price": "0" if K == 70000 else "1200",
                        "bid1Size": "0", "bid1Iv": "0" if K == 70000 else "%.4f" % (v - 0.01), "ask1Price": "1350",
                        "ask1Size": "2.5", "ask1Iv": "%.4f" % (v + 0.01), "lastPrice": "1290", "highPrice24h": "1400",
                        "lowPrice24h": "1100", "markPrice": "1275.5", "indexPrice": "100987.42", "markIv": "%.4f" % v,
                        "underlyingPrice": "%.2f" % FWD[code], "openInterest": "12.3", "turnover24h": "0", "volume24h": "0",
                        "totalVolume": "310", "totalTurnover": "30100000", "delta": "0.5", "gamma": "0.00001",
                        "vega": "120.3", "theta": "-30.2", "predictedDeliveryPrice": "0", "change24h": "0"})
dump("bybit_option_tickers_BTC.json", {"retCode": 0, "retMsg": "SUCCESS", "result": {"category": "option", "list": lst}, "retExtInfo": {}, "time": NOW_MS - 300})
dump("bybit_error_bad_coin.json", {"retCode": 10001, "retMsg": "params error: baseCoin invalid", "result": {}, "retExtInfo": {}, "time": NOW_MS})

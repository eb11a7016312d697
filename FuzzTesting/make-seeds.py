#!/usr/bin/env python3
"""Regenerates FuzzTesting/corpus/<target>/ from the repository's fixtures and test inputs.

Run from anywhere: python3 FuzzTesting/make-seeds.py. The corpora are committed; rerun this
only when fixtures change. Inputs follow the layouts documented in Sources/FuzzSupport.
"""
import json, os, re, shutil
from urllib.parse import urlsplit, parse_qs, unquote

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
corpus = os.path.join(here, "corpus")
fixtures = os.path.join(root, "Tests", "Fixtures", "venues")

def reset(name):
    d = os.path.join(corpus, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d

def write(d, name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def symbol(venue, url_path):
    u = urlsplit(url_path)
    q = {k: v[0] for k, v in parse_qs(u.query).items()}
    seg = [s for s in u.path.split("/") if s]
    if venue in ("binance", "bybit", "kucoin", "htx"): return q.get("symbol", "")
    if venue == "kraken": return q.get("pair", "")
    if venue == "okx": return q.get("instId", "")
    if venue == "cryptocom": return q.get("instrument_name", "")
    if venue == "pyth": return q.get("ids[]", "")
    if venue == "coingecko": return q.get("ids", "") + "/" + q.get("vs_currencies", "")
    if venue == "coinbase": return seg[1] if len(seg) >= 2 else ""
    return seg[-1] if seg else ""

# Venue parsers: "status\nsymbol\nretry-after\n" + body.
manifest = json.load(open(os.path.join(fixtures, "_manifest.json")))
dirs = {}
for e in manifest:
    v = e["venue"]
    d = dirs.get(v) or reset(v)
    dirs[v] = d
    body = open(os.path.join(fixtures, e["file"]), "rb").read()
    retry = "30" if e["status"] == 429 else ""
    head = "%d\n%s\n%s\n" % (e["status"], symbol(v, e["url_path"]), retry)
    write(d, os.path.basename(e["file"]) + ".seed", head.encode() + body)
for v, d in dirs.items():
    write(d, "http_date_retry.seed", "429\nX\nWed, 21 Oct 2015 07:28:00 GMT\n{}")
    write(d, "html_503.seed", "503\nX\n\n<html><body>Service Unavailable</body></html>")

# Generic adapter: six path lines, then the venue input.
d = reset("generic")
body = ('{"ok":true,"error":null,"data":[{"market":"BTC-USD","quote":{"bid":"100.5","ask":101.25,"px":"101"},'
        '"t_s":1711356300,"t_frac":"1711356300.123","t_ms":"1711356300117","t_us":1711356300117999,'
        '"t_ns":"1711356300117999999","t_iso":"2024-03-25T08:45:00.117Z"}]}')
for name, paths in {
    "nested": ["data.0.quote.px", "data.0.quote.bid", "data.0.quote.ask", "data.0.t_ms", "ms", "error"],
    "seconds": ["data.0.quote.px", "", "", "data.0.t_frac", "s", ""],
    "iso": ["", "data.0.quote.bid", "data.0.quote.ask", "data.0.t_iso", "iso8601", "ok"],
    "nanos": ["data.0.quote.px", "", "", "data.0.t_ns", "ns", "data.5.err"],
    "micros": ["data.0.quote.px", "", "", "data.0.t_us", "us", ""],
}.items():
    write(d, name + ".seed", "\n".join(paths) + "\n200\nBTC-USD\n\n" + body)
write(d, "error_path.seed", "p\n\n\n\nms\nerr\n200\nX\n\n" + '{"err":"rate limit exceeded","p":"1"}')
write(d, "array_root.seed", "0.1\n\n\n0.2\ns\n\n200\nX\n\n" + '[["x","2.5",1711356300]]')

# Config loader: the shipped and demo configurations plus small fragments.
d = reset("config")
for f in ("oracles.toml", "demo/oracles.demo.toml"):
    write(d, os.path.basename(f) + ".seed", open(os.path.join(root, f), "rb").read())
write(d, "minimal.seed", '[daemon]\nsocket = "/run/oracled/oracled.sock"\npoll_interval = "2s"\n\n'
      '[[source]]\nname = "kraken"\nkind = "kraken"\n\n[[pair]]\nsymbol = "BTC-USD"\n'
      'sources = [{ source = "kraken", symbol = "XBTUSD" }]\n')
write(d, "generic.seed", '[[source]]\nname = "g"\nkind = "generic"\nbase_url = "https://example.com"\n'
      'url_template = "/t?m={symbol}"\nprice_path = "data.0.px"\ntimestamp_path = "t"\ntimestamp_unit = "s"\n')
write(d, "bad_syntax.seed", '[daemon\npoll_interval = 2s\n')

# Implied-volatility parsers: "kind\nstatus\n" + body (Sources/FuzzSupport/VolFuzz.swift).
d = reset("vol")
opt = os.path.join(fixtures, "options")
for f, kind, status in [
    ("deribit_book_summary_BTC.json", "deribit_options", 200), ("deribit_book_summary_malformed.json", "deribit_options", 200),
    ("deribit_error_rate_limited.json", "deribit_options", 429), ("deribit_error_invalid_currency.json", "deribit_options", 400),
    ("deribit_dvol_BTC.json", "deribit_dvol", 200), ("okx_opt_summary_BTC-USD.json", "okx_options", 200),
    ("okx_error_bad_uly.json", "okx_options", 200), ("bybit_option_tickers_BTC.json", "bybit_options", 200),
    ("bybit_error_bad_coin.json", "bybit_options", 200), ("deribit_ticker_BTC-26JUN26-100000-C.json", "deribit_ticker", 200),
    ("deribit_error_ticker_not_found.json", "deribit_ticker", 400), ("bybit_tickersub_BTC-6JAN23-17500-C.json", "bybit_ws", 200),
    ("okx_opt_summary_BTC-USD.json", "any", 200)]:
    write(d, "%s-%s.seed" % (kind, f), ("%s\n%d\n" % (kind, status)).encode() + open(os.path.join(opt, f), "rb").read())

# Account import: NDJSON bodies.
d = reset("accounts")
write(d, "demo.seed", open(os.path.join(root, "demo", "accounts.ndjson"), "rb").read())
for i, line in enumerate([
    '{"id":"a","collateral":[{"asset":"BTC","amount":"1.5"}],"positions":[{"pair":"ETH-USD","quantity":"-2","entry_price":3500}]}',
    '{"id":"a","thresholds":{"call_ratio":"1.5","call_deadline":"30m","warn_ratio":"2"}}',
    '{"id":"acct-17","collateral":[{"asset":"USDC","amount":"25000"}],"positions":[{"pair":"BTC-USD","quantity":"-2","entry_price":"65000"}],"equity":"1","level":"call"}\n\n{"id":"b"}\r\n',
    '{"id":"../etc","collateral":[]}',
    '{"id":7}',
]):
    write(d, "line%d.seed" % i, line)

# Socket API: raw client byte streams.
d = reset("http")
acct = '{"id":"a","collateral":[{"asset":"USD","amount":"100"}],"positions":[]}'
ndjson = open(os.path.join(root, "demo", "accounts.ndjson")).read().splitlines()[:2]
imp = "\n".join(ndjson) + "\n"
for name, req in {
    "get_prices": "GET /v1/prices HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "get_pair_encoded": "GET /v1/prices/BTC%2DUSD?x=1&y=a+b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "stream": "GET /v1/prices/stream?pair=BTC-USD HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "stream_http10": "GET /v1/prices/stream HTTP/1.0\r\n\r\n",
    "pipelined": "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nDELETE /v1/prices HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\n\r\n",
    "import": "POST /v1/accounts/import HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n%s" % (len(imp.encode()), imp),
    "put_account": "PUT /v1/accounts/a HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(acct), acct),
    "chunked": "PUT /v1/accounts/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(acct), acct),
    "expect_continue": "POST /v1/accounts/import HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
    "too_large": "POST /v1/accounts/import HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n",
    "bad_escape": "GET /v1/prices/%zz HTTP/1.1\r\n\r\n",
    "absolute_uri": "GET http://x/v1/prices HTTP/1.1\r\n\r\n",
    "garbage": "\x00\x01GARBAGE\r\n\r\n",
}.items():
    write(d, name + ".seed", req)
print("seeds written under", corpus)

#!/usr/bin/env python3
"""Footprint benchmark (issue 10): the release oracled polling a local fake venue that serves N
synthetic pairs on every venue, 10 sources per pair, at a 500 ms poll interval.

    scripts/footprint-bench.py [--bin .build/release] [--pairs 2000] [--baseline-pairs 100]
                               [--seconds 30] [--bodies-out DIR]

For each size (the baseline first, then --pairs) it starts `fake-venue --synthetic-pairs N`,
writes the config with `scripts/synthetic-config.py N BASE_URL` (state, spool and socket moved to a
temporary directory, poll interval forced to --poll), starts `oracled run`, waits until every mark
is ok (warm-up), then samples the daemon for --seconds: VmRSS from /proc/PID/status every second
(the figure is the largest sample) and utime+stime from /proc/PID/stat at both ends (CPU % of one
core over the window). At the end it reads `GET /v1/prices` and counts the marks equal to the fake
venue's price (pair i of N is 100 + i/7, written with 8 decimals) with status ok.

With --bodies-out DIR it also saves, from the N-pair fake, one whole 2000-entry batch answer per
batch venue (`<kind>.body`) and the venue spellings of the N pairs (`<kind>.symbols`), for
`oracled-bench batchparse --batch-bodies DIR`.

Prints `BENCH footprint_rss_mb_<N> …`, `BENCH footprint_cpu_pct_<N> …`, `BENCH footprint_marks_ok_<N> …`
for both sizes, and whether the large run meets the target (RSS ≤ 60 MB, CPU ≤ 15 %, every mark
right); with --strict a missed target is exit status 1."""
import argparse, json, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

RSS_TARGET_MB = 60.0
CPU_TARGET_PCT = 15.0


def request(sock_path, method, path, timeout=10):
    """One request on a kept-alive connection, read up to Content-Length. (Not `Connection: close`:
    the daemon closes such a connection right after handing the response to NIO, which drops what a
    slow reader has not taken yet of a multi-megabyte body — see the README's benchmark notes.)"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    try:
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        data = bytearray()
        while b"\r\n\r\n" not in data:
            chunk = s.recv(1 << 16)
            if not chunk:
                raise OSError("connection closed before the response head")
            data += chunk
        head, _, body = bytes(data).partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next((int(l.split(b":", 1)[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), None)
        if length is None:
            raise OSError("no content-length in the response")
        body = bytearray(body)
        while len(body) < length:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise OSError(f"connection closed after {len(body)} of {length} body bytes")
            body += chunk
        return status, bytes(body)
    finally:
        s.close()


def rss_kb(pid, field="VmRSS"):
    """VmRSS, or RssAnon (heap, stacks) / RssFile (the binary and shared libraries, a fixed floor)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
    return int(fields[11]) + int(fields[12])


def expected_price(symbol):
    """S0001-USD → 100 + 1/7, as the fake writes it (8 decimals)."""
    m = re.fullmatch(r"S(\d+)-USD", symbol)
    return round(100 + int(m.group(1)) / 7, 8) if m else None


def check_marks(sock, count):
    status, body = request(sock, "GET", "/v1/prices", timeout=30)
    if status != 200:
        return 0, f"GET /v1/prices → {status}"
    marks = json.loads(body)["prices"]
    right, wrong = 0, []
    for m in marks:
        want = expected_price(m.get("pair", ""))
        try:
            got = float(m.get("price"))  # a decimal string in the API
        except (TypeError, ValueError):
            got = None
        if want is not None and m.get("status") == "ok" and got is not None and abs(got - want) <= 1e-6:
            right += 1
        elif want is not None and len(wrong) < 3:
            wrong.append(f"{m.get('pair')}: {m.get('status')} {got} (want {want}) {m.get('status_reason', '')}")
    return right, "; ".join(wrong)


def patch_daemon(cfg, work, poll):
    """Moves socket/state/spool into `work` and sets the poll interval, whatever the generator wrote."""
    keys = {"socket": f'"{work}/oracled.sock"', "state_dir": f'"{work}/lib"', "spool_dir": f'"{work}/spool"',
            "poll_interval": f'"{poll}"'}
    lines = cfg.split("\n")
    start = next((i for i, l in enumerate(lines) if l.strip() == "[daemon]"), None)
    if start is None:
        lines.insert(0, "[daemon]")
        start = 0
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    seen = set()
    for i in range(start + 1, end):
        m = re.match(r"\s*([a-z_]+)\s*=", lines[i])
        if m and m.group(1) in keys:
            lines[i] = f"{m.group(1)} = {keys[m.group(1)]}"
            seen.add(m.group(1))
    for k in keys:
        if k not in seen:
            lines.insert(start + 1, f"{k} = {keys[k]}")
    return "\n".join(lines)


def start_venue(bin_dir, n, work):
    log = os.path.join(work, "fake-venue.log")
    p = subprocess.Popen([os.path.join(bin_dir, "fake-venue"), "--port", "0", "--synthetic-pairs", str(n)],
                         stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        for line in open(log).read().splitlines():
            if line.startswith("LISTENING "):
                return p, int(line.split()[1])
        if p.poll() is not None:
            break
        time.sleep(0.05)
    p.kill()
    sys.exit(f"fake-venue --synthetic-pairs {n} did not start:\n{open(log).read()}")


# Venue spellings of synthetic pair i, as documented by `fake-venue --help` (Synthetic.swift).
def spelling(kind, i, width):
    base = "S" + str(i).zfill(width)
    return {
        "binance": base + "USD", "bybit": base + "USD", "kraken": base + "USD",
        "okx": base + "-USD", "kucoin": base + "-USD",
        "bitstamp": (base + "usd").lower(), "gemini": (base + "usd").lower(), "htx": (base + "usd").lower(),
        "bitfinex": "t" + base + ":USD", "cryptocom": base + "_USD",
        "pyth": "5" + str(i).zfill(63), "coingecko": "synthetic-" + str(i).zfill(width) + "/usd",
    }[kind]


WHOLE_MARKET = {
    "binance": "/api/v3/ticker/bookTicker", "okx": "/api/v5/market/tickers?instType=SPOT",
    "bybit": "/v5/market/tickers?category=spot", "kucoin": "/api/v1/market/allTickers", "htx": "/market/tickers",
    "bitstamp": "/api/v2/ticker/", "cryptocom": "/exchange/v1/public/get-tickers", "gemini": "/v1/pricefeed",
    "bitfinex": "/v2/tickers?symbols=ALL", "kraken": "/0/public/Ticker",
}


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def save_bodies(port, n, out):
    """One answer per batch venue carrying all n synthetic pairs (Pyth and CoinGecko list their ids
    in the query, so their answers are fetched in chunks and joined into one body)."""
    os.makedirs(out, exist_ok=True)
    width = max(4, len(str(n)))
    base = f"http://127.0.0.1:{port}"
    for kind in list(WHOLE_MARKET) + ["pyth", "coingecko"]:
        symbols = [spelling(kind, i, width) for i in range(1, n + 1)]
        try:
            if kind in WHOLE_MARKET:
                body = get(base + "/" + kind + WHOLE_MARKET[kind])
            elif kind == "pyth":
                parsed = []
                for c in range(0, n, 50):
                    q = "&".join("ids%5B%5D=0x" + s for s in symbols[c:c + 50])
                    parsed += json.loads(get(f"{base}/pyth/v2/updates/price/latest?{q}&ignore_invalid_price_ids=true"))["parsed"]
                body = json.dumps({"binary": {"encoding": "hex", "data": ["00"]}, "parsed": parsed}, separators=(",", ":")).encode()
            else:
                joined = {}
                ids = [s.split("/")[0] for s in symbols]
                for c in range(0, n, 100):
                    joined.update(json.loads(get(f"{base}/coingecko/api/v3/simple/price?ids={','.join(ids[c:c + 100])}"
                                                 "&vs_currencies=usd&include_last_updated_at=true")))
                body = json.dumps(joined, separators=(",", ":")).encode()
        except Exception as e:  # a venue the fake does not batch yet: say so, keep the others
            print(f"  batch body for {kind} not saved: {e}")
            continue
        open(os.path.join(out, kind + ".body"), "wb").write(body)
        open(os.path.join(out, kind + ".symbols"), "w").write("\n".join(symbols) + "\n")
    print(f"  batch bodies for oracled-bench: {out}")


def run(a, root, n, bodies_out):
    work = tempfile.mkdtemp(prefix=f"oracled-footprint-{n}-")
    venue = daemon = None
    try:
        venue, port = start_venue(a.bin, n, work)
        gen = subprocess.run([sys.executable, os.path.join(root, "scripts/synthetic-config.py"), str(n), f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, cwd=work)
        if gen.returncode != 0 or "[[pair]]" not in gen.stdout:
            sys.exit(f"scripts/synthetic-config.py {n} failed ({gen.returncode}): {gen.stderr or gen.stdout[:400]}")
        cfg_path = os.path.join(work, "oracles.toml")
        open(cfg_path, "w").write(patch_daemon(gen.stdout, work, a.poll))
        pairs = gen.stdout.count("[[pair]]")
        sources = len(re.findall(r"^\s*\[\[source\]\]", gen.stdout, re.M))
        sock = os.path.join(work, "oracled.sock")
        log = open(os.path.join(work, "oracled.log"), "w")
        daemon = subprocess.Popen([os.path.join(a.bin, "oracled"), "run", "--config", cfg_path], stdout=log, stderr=subprocess.STDOUT)
        # Warm-up: until every mark is right (or --warmup seconds), then a few cycles more.
        t0, right, why = time.time(), 0, ""
        while time.time() - t0 < a.warmup:
            if daemon.poll() is not None:
                sys.exit(f"oracled exited ({daemon.returncode}):\n{open(log.name).read()[-3000:]}")
            try:
                right, why = check_marks(sock, n)
            except (OSError, ValueError):
                pass
            if right == n:
                break
            time.sleep(0.5)
        warm_s = time.time() - t0
        time.sleep(2)
        pid = daemon.pid
        hz = os.sysconf("SC_CLK_TCK")
        rss, anon, ticks0, w0 = [], [], cpu_ticks(pid), time.monotonic()
        while time.monotonic() - w0 < a.seconds:
            rss.append(rss_kb(pid))
            anon.append(rss_kb(pid, "RssAnon"))
            time.sleep(1)
        ticks1, w1 = cpu_ticks(pid), time.monotonic()
        cpu_pct = (ticks1 - ticks0) / hz / (w1 - w0) * 100
        rss_mb = max(rss) / 1024
        anon_mb, file_mb = max(anon) / 1024, rss_kb(pid, "RssFile") / 1024
        right, why = check_marks(sock, n)
        print(f"  {n} pairs × {sources} sources ({pairs} pairs in the config), poll {a.poll}: warm-up {warm_s:.1f} s, "
              f"RSS max {rss_mb:.1f} MB (mean {sum(rss) / len(rss) / 1024:.1f}; anon max {anon_mb:.1f}, file {file_mb:.1f}), CPU {cpu_pct:.1f} % of a core over "
              f"{w1 - w0:.0f} s, marks right {right}/{n}" + (f" — e.g. {why}" if why else ""))
        if bodies_out:
            save_bodies(port, n, bodies_out)
        return rss_mb, anon_mb, cpu_pct, right
    finally:
        for p in (daemon, venue):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if a.keep:
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--baseline-pairs", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=60)
    ap.add_argument("--poll", default="500ms")
    ap.add_argument("--bodies-out", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories (logs, config)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"footprint: release oracled on a local fake venue, 10 sources per pair, poll {a.poll}, {a.seconds:.0f} s sampled")
    figures = []
    for n in [a.baseline_pairs, a.pairs]:
        rss, anon, cpu, right = run(a, root, n, a.bodies_out if n == a.pairs else None)
        figures += [(f"footprint_rss_mb_{n}", rss, "MB"), (f"footprint_rss_anon_mb_{n}", anon, "MB"),
                    (f"footprint_cpu_pct_{n}", cpu, "%"), (f"footprint_marks_ok_{n}", right, f"of_{n}")]
    for name, value, unit in figures:
        print(f"BENCH {name} {value:.1f} {unit}" if unit != f"of_{name.rsplit('_', 1)[1]}" else f"BENCH {name} {int(value)} {unit}")
    rss, cpu, right = figures[-4][1], figures[-2][1], figures[-1][1]
    missed = [t for t, ok in [(f"RSS {rss:.1f} MB > {RSS_TARGET_MB:.0f} MB", rss <= RSS_TARGET_MB),
                              (f"CPU {cpu:.1f} % > {CPU_TARGET_PCT:.0f} %", cpu <= CPU_TARGET_PCT),
                              (f"{a.pairs - right} marks wrong", right == a.pairs)] if not ok]
    print(f"footprint target at {a.pairs} pairs: " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed and a.strict else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Notices per second through the whole path: one mark move puts N accounts into call, and the time
is taken from the move's first mark to the last notice in the spools. Runs the release binaries on
SQLite (one node, the baseline) and on PostgreSQL (a cluster of one node, then of two sharing the shards), in
one run, and prints `cluster_notices_per_s_<setup>` lines (see README "Benchmarks").

    scripts/cluster-bench.py [--accounts 5000] [--bin .build/release]
"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def http(sock_path, method, target, body=b"", port=None, timeout=30):
    s = socket.socket(socket.AF_INET if port else socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port) if port else sock_path)
    req = f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    s.sendall(req)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, rest


def wait(cond, timeout, interval=0.05):
    end = time.time() + timeout
    while time.time() < end:
        try:
            if cond():
                return True
        except Exception:
            pass
        time.sleep(interval)
    return False


def config(dirpath, venue_port, store=None, node=None):
    venues = [("coinbase", "BTC-USD"), ("kraken", "XBTUSD"), ("bitfinex", "tBTCUSD")]
    s = f"""[daemon]
socket = "{dirpath}/oracled.sock"
state_dir = "{dirpath}/lib"
spool_dir = "{dirpath}/spool"
poll_interval = "200ms"

[aggregation]
min_sources = 3
max_age = "3s"
frozen_cycles = 1000000

"""
    for name, _ in venues:
        s += f"""[[source]]
name = "{name}"
kind = "{name}"
base_url = "http://127.0.0.1:{venue_port}/{name}"
rate_limit = 50.0
burst = 20

"""
    s += '[[pair]]\nsymbol = "BTC-USD"\nmaintenance_margin = 0.05\ninitial_margin = 0.10\nsources = [\n'
    for name, sym in venues:
        s += f'  {{ source = "{name}", symbol = "{sym}" }},\n'
    s += ']\n\n[margin]\ncurrency = "USD"\nprice_side = "mid"\nslow_mark_window = "1ms"\nmass_call_share = 1.0\n'
    if store:
        s += f'\n[store]\nbackend = "postgresql"\nurl = "{store}"\n'
    if node:
        s += f'\n[cluster]\nnode = "{node}"\nshards = 64\nlease = "5s"\n'
    return s


def accounts(n):
    return "\n".join(
        json.dumps({"id": f"b-{i}", "collateral": [{"asset": "USD", "amount": "3572.50"}],
                    "positions": [{"pair": "BTC-USD", "quantity": "1", "entry_price": "50000"}]})
        for i in range(n)).encode()


def spool_count(d):
    try:
        return len([f for f in os.listdir(d + "/spool/new") if f.endswith(".json")])
    except FileNotFoundError:
        return 0


def run(setup, bin_dir, work, venue_port, n, pg_url=None, nodes=("a",)):
    procs, dirs = [], []
    for name in nodes:
        d = os.path.join(work, setup, name)
        os.makedirs(d, exist_ok=True)
        with open(d + "/oracles.toml", "w") as f:
            f.write(config(d, venue_port, pg_url, name if pg_url else None))
        log = open(d + "/oracled.log", "w")
        procs.append(subprocess.Popen([bin_dir + "/oracled", "run", "--config", d + "/oracles.toml"], stdout=log, stderr=log))
        dirs.append(d)
    try:
        for d in dirs:
            if not wait(lambda: http(d + "/oracled.sock", "GET", "/v1/health")[0] == 200, 30):
                raise SystemExit(f"{setup}: daemon did not start; see {d}/oracled.log")
        if pg_url:
            # Every node holds its share before the book arrives.
            def settled():
                st, body = http(dirs[0] + "/oracled.sock", "GET", "/v1/cluster")
                alive = [x for x in json.loads(body)["nodes"] if x["alive"]]
                return len(alive) == len(nodes) and sum(len(x["shards"]) for x in alive) == 64
            if not wait(settled, 30):
                raise SystemExit(f"{setup}: shards did not settle")
        http(None, "POST", "/_control/price?pair=BTC-USD&price=50000", port=venue_port)
        wait(lambda: abs(float(json.loads(http(dirs[0] + "/oracled.sock", "GET", "/v1/prices/BTC-USD")[1])["price"]) / 50000 - 1) < 0.001, 15)
        st, body = http(dirs[0] + "/oracled.sock", "POST", "/v1/accounts/import", accounts(n), timeout=120)
        if st != 200:
            raise SystemExit(f"{setup}: import failed {st} {body[:200]}")
        time.sleep(2)
        http(None, "POST", "/_control/price?pair=BTC-USD&price=49000", port=venue_port)
        moved = time.time()
        # The time from the move to the first mark near 49,000 on the first node is the poll's share.
        wait(lambda: abs(float(json.loads(http(dirs[0] + "/oracled.sock", "GET", "/v1/prices/BTC-USD")[1])["price"]) / 49000 - 1) < 0.001, 15, 0.005)
        marked = time.time()
        if not wait(lambda: sum(spool_count(d) for d in dirs) >= n, 300, 0.01):
            raise SystemExit(f"{setup}: only {sum(spool_count(d) for d in dirs)} of {n} notices delivered")
        done = time.time()
        rate = n / (done - marked)
        print(f"cluster_notices_per_s_{setup} {rate:.0f}   ({n} notices in {done - marked:.2f} s after the mark; mark {marked - moved:.2f} s after the move)")
        return rate
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=5000)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cluster-bench-")
    os.chmod(work, 0o755)   # PostgreSQL runs as its own user and must reach its directory
    fake = subprocess.Popen([args.bin + "/fake-venue", "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(fake.stdout.readline().split()[1])
    pg_dir = os.path.join(work, "pg")
    try:
        base = run("sqlite_1node", args.bin, work, port, args.accounts)
        r = subprocess.run(["bash", "-c", f'"{ROOT}/scripts/pg-test-server.sh" start "{pg_dir}" > "{pg_dir}.out" 2>&1; echo $?'],
                           capture_output=True, text=True)
        out = open(pg_dir + ".out").read()
        if r.stdout.strip() == "3":
            print(f"cluster_notices_per_s_postgresql: skipped, {out.strip()}")
            return
        if r.stdout.strip() != "0":
            raise SystemExit("pg-test-server.sh failed:\n" + out)
        url = out.strip().splitlines()[-1]
        one = run("postgresql_1node", args.bin, work, port, args.accounts, pg_url=url)
        # A fresh database for the two-node run (the same accounts would already be in call).
        subprocess.run(["bash", "-c", f'"{ROOT}/scripts/pg-test-server.sh" stop "{pg_dir}" > /dev/null 2>&1'])
        shutil.rmtree(pg_dir, ignore_errors=True)
        subprocess.run(["bash", "-c", f'"{ROOT}/scripts/pg-test-server.sh" start "{pg_dir}" > "{pg_dir}.out" 2>&1'])
        url = open(pg_dir + ".out").read().strip().splitlines()[-1]
        two = run("postgresql_2nodes", args.bin, work, port, args.accounts, pg_url=url, nodes=("a", "b"))
        print(f"cluster_vs_sqlite: one node on PostgreSQL {one / base:.2f}x the SQLite rate; two nodes {two / base:.2f}x")
    finally:
        subprocess.run(["bash", "-c", f'"{ROOT}/scripts/pg-test-server.sh" stop "{pg_dir}" > /dev/null 2>&1'])
        fake.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

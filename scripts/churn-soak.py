#!/usr/bin/env python3
"""API churn soak (issue 9): the real oracled against the local fake venue, ~1,000+ socket operations
a second over 500 account ids (PUT, GET, DELETE, what-if, list, stream clients connecting and
leaving), RSS of the daemon sampled every few seconds.

    scripts/churn-soak.py --seconds 600 --out rss.csv [--bin .build/debug]

Prints one line per sample and a summary: RSS at start, at half-time, at the end, and the growth
over the second half (the soak test asserts that is flat)."""
import argparse, json, os, random, shutil, socket, subprocess, sys, tempfile, threading, time

def request(sock_path, method, path, body=b"", timeout=5):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    head = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    s.sendall(head.encode() + body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
    return status

def stream_client(sock_path, seconds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(sock_path)
        s.sendall(b"GET /v1/prices/stream HTTP/1.1\r\nHost: localhost\r\n\r\n")
        end = time.time() + seconds
        while time.time() < end:
            try:
                if not s.recv(4096):
                    break
            except socket.timeout:
                pass
    except OSError:
        pass
    finally:
        s.close()

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def account(i, rng):
    q = round(rng.uniform(-3, 3), 3) or 0.5
    return json.dumps({"id": f"churn-{i}",
                       "collateral": [{"asset": "USD", "amount": str(rng.randint(20000, 400000))},
                                      {"asset": "BTC", "amount": str(round(rng.uniform(0, 2), 4))}],
                       "positions": [{"pair": "BTC-USD", "quantity": str(q), "entry_price": str(rng.randint(50000, 80000))},
                                     {"pair": "ETH-USD", "quantity": str(round(rng.uniform(-20, 20), 2)), "entry_price": "3000"}]}).encode()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--sample", type=float, default=5)
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--bin", default=".build/debug")
    ap.add_argument("--out", default=None)
    ap.add_argument("--port", type=int, default=18181)
    ap.add_argument("--wrap", default="", help="prefix for oracled (e.g. 'heaptrack -o /tmp/ht')")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="oracled-churn-")
    sock = os.path.join(work, "oracled.sock")
    cfg = open(os.path.join(root, "demo/oracles.demo.toml")).read()
    cfg = cfg.replace("./var/demo/run/oracled.sock", sock).replace("./var/demo/lib", work + "/lib") \
             .replace("./var/demo/spool", work + "/spool").replace("127.0.0.1:18080", f"127.0.0.1:{a.port}")
    open(os.path.join(work, "oracles.toml"), "w").write(cfg)
    venue = subprocess.Popen([os.path.join(a.bin, "fake-venue"), "--port", str(a.port)],
                             stdout=open(work + "/venue.log", "w"), stderr=subprocess.STDOUT)
    time.sleep(1)
    cmd = (a.wrap.split() if a.wrap else []) + [os.path.join(a.bin, "oracled"), "run", "--config", work + "/oracles.toml"]
    daemon = subprocess.Popen(cmd, stdout=open(work + "/oracled.log", "w"), stderr=subprocess.STDOUT)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    time.sleep(3)
    pid = daemon.pid
    if a.wrap:  # the daemon is a child of the wrapper
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pid = int(out[0]) if out else pid
    stop = threading.Event()
    ops = [0]
    errors = [0]
    lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            i = rng.randrange(500)
            r = rng.random()
            try:
                if r < 0.35:
                    st = request(sock, "PUT", f"/v1/accounts/churn-{i}", account(i, rng))
                elif r < 0.65:
                    st = request(sock, "GET", f"/v1/accounts/churn-{i}")
                elif r < 0.80:
                    st = request(sock, "DELETE", f"/v1/accounts/churn-{i}")
                elif r < 0.90:
                    body = json.dumps({"shocks": {"BTC-USD": str(round(rng.uniform(-0.3, 0.3), 3))}}).encode()
                    st = request(sock, "POST", "/v1/whatif", body)
                elif r < 0.97:
                    st = request(sock, "GET", "/v1/prices/BTC-USD")
                else:
                    stream_client(sock, rng.uniform(0.2, 2))
                    st = 200
                with lock:
                    ops[0] += 1
                    if st >= 500 or st == 0:
                        errors[0] += 1
            except OSError:
                with lock:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in range(a.workers)]
    for t in threads:
        t.start()
    samples = []
    t0 = time.time()
    last_ops = 0
    try:
        while time.time() - t0 < a.seconds:
            time.sleep(a.sample)
            with lock:
                n = ops[0]
            kb = rss_kb(pid)
            el = time.time() - t0
            samples.append((el, kb, n))
            print(f"t={el:6.0f}s rss={kb/1024:7.1f}MB ops={n} rate={(n-last_ops)/a.sample:6.0f}/s errors={errors[0]}", flush=True)
            last_ops = n
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=5)
        daemon.terminate()
        daemon.wait(timeout=30)
        venue.kill()
    if a.out:
        with open(a.out, "w") as f:
            f.write("seconds,rss_kb,ops\n")
            for el, kb, n in samples:
                f.write(f"{el:.0f},{kb},{n}\n")
    half = [kb for el, kb, _ in samples if el >= a.seconds / 2]
    first, mid, last = samples[0][1], half[0], samples[-1][1]
    growth = (last - mid) / 1024
    print(f"SOAK rss_start_mb={first/1024:.1f} rss_half_mb={mid/1024:.1f} rss_end_mb={last/1024:.1f} "
          f"second_half_growth_mb={growth:.1f} ops={ops[0]} errors={errors[0]} seconds={a.seconds}")
    shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Mixed load for bench/soak/run.sh (standard library only).

load.py <host> <port> <sim_port> <seconds> <admin_token>

8 threads, each in a loop: cached quote/history (hits), a history of a new
symbol or range (misses), now and then a warm job, an invalidation, an
unknown symbol. One more thread switches simulator faults: error_rate 0.3 and
a provider outage for 10 s of every 60 s. Counts answers by status; a
non-2xx answer is explained when a fault was active within the last 35 s
(429/502/503/504: the fault itself, then the circuit breaker it opened) or it is the 404 of an unknown symbol asked on purpose.
Exits 1 when any answer is unexplained or a request fails at the socket.
"""
import http.client
import json
import random
import sys
import threading
import time

host, port, sim_port, seconds, token = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
deadline = time.monotonic() + seconds
lock = threading.Lock()
counts = {}
unexplained = []
fault_until = [0.0]  # monotonic time until which errors are explained


def record(kind, status, explained_404=False, body=b""):
    now = time.monotonic()
    with lock:
        counts[(kind, status)] = counts.get((kind, status), 0) + 1
        ok = 200 <= status < 300
        if not ok and not (explained_404 and status == 404):
            # A fault also opens the provider's circuit breaker for
            # breaker_open_ms (30 s by default): errors until then are its.
            if not (status in (429, 502, 503, 504) and now <= fault_until[0] + 35):
                unexplained.append((kind, status, body[:300].decode(errors="replace")))


def faults():
    sim = http.client.HTTPConnection(host, sim_port, timeout=10)
    cycle = 0
    while time.monotonic() < deadline:
        time.sleep(min(50, max(0, deadline - time.monotonic())))
        if time.monotonic() >= deadline:
            break
        cycle += 1
        doc = {"error_rate": 0.3} if cycle % 2 else {"down": ["yahoo"]}
        with lock:
            fault_until[0] = time.monotonic() + 10
        sim.request("POST", "/_sim/faults", json.dumps(doc))
        sim.getresponse().read()
        time.sleep(10)
        sim.request("POST", "/_sim/faults", "{}")
        sim.getresponse().read()
        with lock:
            fault_until[0] = time.monotonic()


def worker(wid):
    # Workers 0-3 ask only for cached data (hits); 4-7 the mixed rest, whose
    # misses wait for the provider's rate limit (yahoo: 60 calls/min).
    rnd = random.Random(wid)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        r = rnd.random() * 0.55 if wid < 4 else 0.55 + rnd.random() * 0.45
        headers = {}
        method, body, kind, explained_404 = "GET", None, "hit", False
        if r < 0.55:
            path = rnd.choice(["/v1/quote?symbols=AAPL", "/v1/quote?symbols=MSFT,BTC-USD",
                               "/v1/history?symbols=AAPL&interval=1d&start=2023-01-01&end=2023-12-31"])
        elif r < 0.85:
            kind = "miss"
            # A bounded universe (invalidations make its symbols miss again),
            # so the cache reaches a steady state under its memory budget.
            sym = f"S{rnd.randrange(200)}"
            start = 2000 + rnd.randrange(20)
            path = f"/v1/history?symbols={sym}&interval=1d&start={start}-01-01&end={start}-03-31"
        elif r < 0.90:
            kind, explained_404 = "unknown", True
            path = f"/v1/quote?symbols=ZZZZ{rnd.randrange(50)}"
        elif r < 0.95:
            kind, method = "warm", "POST"
            path = "/v1/cache/warm"
            body = json.dumps({"symbols": [f"W{wid}{n}"], "intervals": ["1d"],
                               "ranges": [{"start": "2022-01-01", "end": "2022-06-30"}]})
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        else:
            kind, method = "invalidate", "DELETE"
            path = f"/v1/cache?pattern=finex:S{rnd.randrange(200)}:*"
            headers = {"Authorization": f"Bearer {token}"}
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            record(kind, resp.status, explained_404, data)
            if resp.getheader("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
        except OSError as e:
            with lock:
                unexplained.append((kind, f"socket: {e}"))
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
threads.append(threading.Thread(target=faults))
for t in threads:
    t.start()
for t in threads:
    t.join()
total = sum(counts.values())
print(f"load: {total} requests in {seconds:.0f}s")
for (kind, status), c in sorted(counts.items()):
    print(f"  {kind:<10} {status}: {c}")
print(f"load: {len(unexplained)} unexplained answers")
for u in unexplained[:5]:
    print(f"  {u}")
sys.exit(1 if unexplained else 0)

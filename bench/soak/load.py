#!/usr/bin/env python3
"""Mixed load, faults, Redis restarts, sampling and checks for bench/soak/run.sh
(standard library only; run.sh starts the simulator, Redis and finex serve).

load.py --port P --sim-port S --pid SERVE_PID --seconds N [options]

Load: 8 client threads (together at most --rate requests/s). Threads 0-3 ask
only for cached data (hits: quotes and one history); 4-7 mix histories from a
--symbols x 20-year universe (misses, until evicted: the cache works at its
memory budget), warm jobs, invalidations of one universe symbol and unknown
symbols (404 on purpose).

Faults: every 60 s the simulator's yahoo errors 30% of calls or is down for
10 s (alternately). With --redis-port, every --redis-every s (offset 25 s
from the provider faults) redis-server is SIGKILLed, kept down --redis-down
s and started again on the same port (the node degrades to its memory L1:
docs/backends.md "TieredBackend").

Explained non-2xx answers: 404 of an unknown symbol; 429/502/503/504 up to
35 s after a provider fault began (the fault, then the circuit breaker it
opened, breaker_open_ms 30 s); 503 of an invalidation while Redis is down or
up to 3 s after it accepts connections again (the tier answers kUnavailable
so a lost invalidation never looks successful). Anything else -- a read or a
warm job failing because Redis went away, a socket error -- is unexplained.

Sampling: every --every s, the server's RSS, open descriptors and threads
(/proc/PID) and memory_bytes / memory_budget_bytes (/v1/cache/stats).
Steady state begins at the first sample where memory_bytes >= --fill x the
budget, plus --settle s; from there to the end RSS, fds and threads must grow
< 5%: the median of the last quarter of those samples over the median of the
first quarter (at least 3 samples and one Redis restart cycle each; RSS
moves by a few MiB from sample to sample with the requests in flight, the
restarts' cache drops and the heap trims); fds and threads may also
differ by up to 8 (a pooled connection or worker more).
Exit status 1 when steady state is not reached, a growth check fails, any
answer is unexplained, or the server dies.
"""
import argparse
import csv
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--sim-port", type=int, required=True)
ap.add_argument("--pid", type=int, required=True, help="finex serve's pid")
ap.add_argument("--seconds", type=float, required=True)
ap.add_argument("--token", default="soak")
ap.add_argument("--every", type=float, default=5, help="sampling period (s)")
ap.add_argument("--rate", type=float, default=300, help="max requests/s, all threads")
ap.add_argument("--symbols", type=int, default=200, help="size of the miss universe (x 20 years)")
ap.add_argument("--fill", type=float, default=0.9)
ap.add_argument("--settle", type=float, default=60, help="s after the fill before the baseline")
ap.add_argument("--redis-port", type=int, default=0, help="0 = no Redis restarts")
ap.add_argument("--redis-pidfile", default="", help="holds the running redis-server's pid")
ap.add_argument("--redis-cmd", default="", help="JSON argv that starts redis-server")
ap.add_argument("--redis-every", type=float, default=60)
ap.add_argument("--redis-down", type=float, default=5)
ap.add_argument("--csv", default="")
a = ap.parse_args()

start = time.monotonic()
deadline = start + a.seconds
lock = threading.Lock()
counts = {}
unexplained = []
fault_windows = []  # [begin, end] monotonic: provider faults
redis_windows = []  # [begin, end]: Redis down (end = accepting again)
events = {"provider_faults": 0, "redis_restarts": 0}
failed = []  # fatal problems found by the helper threads


def in_window(windows, now, grace):
    return any(b <= now <= (e if e else now) + grace for b, e in windows)


def record(kind, status, body=b""):
    now = time.monotonic()
    with lock:
        counts[(kind, status)] = counts.get((kind, status), 0) + 1
        if 200 <= status < 300:
            return
        if kind == "unknown" and status == 404:
            return
        if status in (429, 502, 503, 504) and in_window(fault_windows, now, 15):
            return
        if kind == "invalidate" and status == 503 and in_window(redis_windows, now, 3):
            return
        unexplained.append((round(now - start, 1), kind, status,
                            body[:300].decode(errors="replace")))


def sleep_until(t):
    while True:
        left = min(t, deadline) - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 1))


def faults():
    sim = http.client.HTTPConnection(a.host, a.sim_port, timeout=10)
    cycle = 0
    while True:
        cycle += 1
        t = start + 60 * cycle - 10
        sleep_until(t)
        if time.monotonic() >= deadline:
            return
        doc = {"error_rate": 0.3} if cycle % 2 else {"down": ["yahoo"]}
        with lock:
            fault_windows.append([time.monotonic(), None])
            events["provider_faults"] += 1
        sim.request("POST", "/_sim/faults", json.dumps(doc))
        sim.getresponse().read()
        time.sleep(10)
        sim.request("POST", "/_sim/faults", "{}")
        sim.getresponse().read()
        with lock:
            fault_windows[-1][1] = time.monotonic()


def redis_accepts(port):
    try:
        with socket.create_connection((a.host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def gone(pid):
    """True once pid has exited (a zombie or reaped already)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def redis_restarts():
    try:
        restart_loop()
    except Exception as e:  # a restart that cannot be done fails the soak
        with lock:
            failed.append(f"redis restarts stopped: {e!r}")


def restart_loop():
    cmd = json.loads(a.redis_cmd)
    cycle = 0
    while True:
        cycle += 1
        t = start + 25 + a.redis_every * (cycle - 1)
        if t >= deadline:
            return
        sleep_until(t)
        if time.monotonic() >= deadline:
            return
        pid = int(open(a.redis_pidfile).read())
        with lock:
            redis_windows.append([time.monotonic(), None])
            events["redis_restarts"] += 1
        os.kill(pid, signal.SIGKILL)
        while not gone(pid):
            time.sleep(0.05)
        time.sleep(a.redis_down)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(a.redis_pidfile + ".tmp", "w") as f:
            f.write(str(p.pid))
        os.replace(a.redis_pidfile + ".tmp", a.redis_pidfile)
        t_up = time.monotonic() + 30
        while not redis_accepts(a.redis_port):
            if time.monotonic() > t_up:
                with lock:
                    failed.append("redis-server did not come back within 30 s")
                return
            time.sleep(0.05)
        with lock:
            redis_windows[-1][1] = time.monotonic()


def worker(wid):
    rnd = random.Random(wid)
    conn = http.client.HTTPConnection(a.host, a.port, timeout=30)
    period = 8 / a.rate
    n = 0
    next_t = time.monotonic()
    while time.monotonic() < deadline:
        n += 1
        next_t += period
        pause = next_t - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            next_t = time.monotonic()
        r = rnd.random() * 0.55 if wid < 4 else 0.55 + rnd.random() * 0.45
        headers = {}
        method, body, kind = "GET", None, "hit"
        if r < 0.55:
            path = rnd.choice(["/v1/quote?symbols=AAPL", "/v1/quote?symbols=MSFT,BTC-USD",
                               "/v1/history?symbols=AAPL&interval=1d&start=2023-01-01&end=2023-12-31"])
        elif r < 0.87:
            kind = "miss"
            sym = f"S{rnd.randrange(a.symbols)}"
            year = 2000 + rnd.randrange(20)
            path = f"/v1/history?symbols={sym}&interval=1d&start={year}-01-01&end={year}-03-31"
        elif r < 0.92:
            kind = "unknown"
            path = f"/v1/quote?symbols=ZZZZ{rnd.randrange(50)}"
        elif r < 0.96:
            kind, method = "warm", "POST"
            path = "/v1/cache/warm"
            year = 2000 + rnd.randrange(20)
            body = json.dumps({"symbols": [f"W{rnd.randrange(a.symbols)}"], "intervals": ["1d"],
                               "ranges": [{"start": f"{year}-01-01", "end": f"{year}-06-30"}]})
            headers = {"Authorization": f"Bearer {a.token}", "Content-Type": "application/json"}
        else:
            kind, method = "invalidate", "DELETE"
            path = f"/v1/cache?pattern=finex:S{rnd.randrange(a.symbols)}:*"
            headers = {"Authorization": f"Bearer {a.token}"}
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            record(kind, resp.status, data)
            if resp.getheader("connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(a.host, a.port, timeout=30)
        except OSError as e:
            with lock:
                unexplained.append((round(time.monotonic() - start, 1), kind, "socket", str(e)))
            conn.close()
            conn = http.client.HTTPConnection(a.host, a.port, timeout=30)


def proc_sample(pid):
    st = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        st[k] = v.split()
    return int(st["VmRSS"][0]), len(os.listdir(f"/proc/{pid}/fd")), int(st["Threads"][0])


def cache_stats(conn):
    conn.request("GET", "/v1/cache/stats")
    d = json.loads(conn.getresponse().read())
    return d["memory_bytes"], d["memory_budget_bytes"]


samples = []  # (t_s, rss_kib, fds, threads, memory_bytes, budget, requests)


def sampler():
    conn = http.client.HTTPConnection(a.host, a.port, timeout=30)
    while True:
        now = time.monotonic()
        try:
            rss, fds, thr = proc_sample(a.pid)
        except OSError:
            with lock:
                failed.append("finex serve died")
            return
        try:
            mem, budget = cache_stats(conn)
        except (OSError, ValueError, KeyError) as e:
            conn.close()
            conn = http.client.HTTPConnection(a.host, a.port, timeout=30)
            with lock:
                unexplained.append((round(now - start, 1), "stats", "socket", str(e)))
            mem, budget = -1, -1
        with lock:
            total = sum(counts.values())
        samples.append((round(now - start), rss, fds, thr, mem, budget, total))
        if now >= deadline:
            return
        time.sleep(max(0, min(a.every, deadline - time.monotonic())))


threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
threads.append(threading.Thread(target=faults))
if a.redis_port:
    threads.append(threading.Thread(target=redis_restarts))
threads.append(threading.Thread(target=sampler))
for t in threads:
    t.daemon = True
    t.start()
for t in threads:
    t.join()

if a.csv:
    with open(a.csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_s", "rss_kib", "fds", "threads", "memory_bytes", "budget_bytes", "requests"])
        w.writerows(samples)

bad = list(failed)
total = sum(counts.values())
print(f"load: {total} requests in {a.seconds:.0f}s, {events['provider_faults']} provider faults, "
      f"{events['redis_restarts']} Redis restarts")
kinds = sorted({k for k, _ in counts})
for kind in kinds:
    by = ", ".join(f"{s}: {c}" for (k, s), c in sorted(counts.items()) if k == kind)
    print(f"  {kind:<10} {by}")
for b, e in redis_windows:
    print(f"  redis down {b - start:7.1f} s .. {(e or b) - start:7.1f} s (accepting again)")
print(f"load: {len(unexplained)} unexplained answers")
for u in unexplained[:10]:
    print(f"  {u}")
if unexplained:
    bad.append(f"{len(unexplained)} unexplained answers")

print("soak: samples (t_s rss_MiB fds threads memory_MiB/budget_MiB requests):")
for t, rss, fds, thr, mem, budget, n in samples:
    print(f"  {t:>6} {rss / 1024:8.1f} {fds:>5} {thr:>4} {mem / 1048576:7.1f}/{budget / 1048576:.0f} {n:>8}")
filled = next((s for s in samples if s[5] > 0 and s[4] >= a.fill * s[5]), None)
if filled is None:
    bad.append(f"steady state not reached: memory_bytes never reached {a.fill:.0%} of the budget")
else:
    steady = [s for s in samples if s[0] >= filled[0] + a.settle]
    print(f"soak: memory_bytes reached {a.fill:.0%} of the budget at t={filled[0]} s; "
          f"steady state from t={steady[0][0] if steady else '-'} s")
    if len(steady) < 6:
        bad.append(f"too few samples in steady state ({len(steady)} < 6)")
    else:
        # Each window spans at least one Redis restart cycle, so both see
        # the same phases (a restart drops the L1 and hot tier: RSS dips).
        cycle = int(-(-a.redis_every // a.every)) if a.redis_port else 0
        q = min(len(steady) // 2, max(3, len(steady) // 4, cycle))
        for i, name in ((1, "rss_kib"), (2, "fds"), (3, "threads")):
            first = statistics.median(s[i] for s in steady[:q])
            last = statistics.median(s[i] for s in steady[-q:])
            peak = max(s[i] for s in steady)
            growth = (last - first) / first if first else 0
            ok = growth < 0.05 or (i != 1 and last - first <= 8)
            print(f"soak: {name}: steady state {first:.0f} -> {last:.0f} (medians of the first and "
                  f"last {q} samples; peak {peak}), growth {growth * 100:+.1f}%"
                  f"{'' if ok else '  FAIL (>= 5%)'}")
            if not ok:
                bad.append(f"{name} grew {growth * 100:.1f}% in steady state")
for b in bad:
    print(f"soak: FAIL: {b}")
print("soak: ok" if not bad else "soak: failed")
sys.exit(1 if bad else 0)

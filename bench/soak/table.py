#!/usr/bin/env python3
"""The samples of a soak (bench/soak/run.sh ... out.csv) as the Markdown table
of docs/performance.md, one column every STEP seconds, and an RSS curve.

table.py samples.csv [step_s=120] [curve_from_s=0]

The curve starts at curve_from_s (e.g. the steady state) and spans the
lowest to the highest RSS from there, so a few percent show.
"""
import csv
import sys

if len(sys.argv) < 2:
    sys.exit("usage: table.py samples.csv [step_s=120] [curve_from_s=0]")
rows = list(csv.DictReader(open(sys.argv[1])))
step = float(sys.argv[2]) if len(sys.argv) > 2 else 120
curve_from = float(sys.argv[3]) if len(sys.argv) > 3 else 0
if not rows:
    sys.exit(f"{sys.argv[1]}: no samples")
picked, next_t = [], 0.0
for r in rows:
    if float(r["t_s"]) >= next_t:
        picked.append(r)
        next_t = float(r["t_s"]) + step - 2.5
if picked[-1] is not rows[-1]:
    if float(rows[-1]["t_s"]) - float(picked[-1]["t_s"]) < step / 4:
        picked.pop()
    picked.append(rows[-1])


def line(name, fn):
    return "| " + name + " | " + " | ".join(fn(r) for r in picked) + " |"


print(line("t (s)", lambda r: r["t_s"]))
print("| --- |" + " --- |" * len(picked))
print(line("RSS (MiB)", lambda r: f"{int(r['rss_kib']) / 1024:.1f}"))
print(line("fds", lambda r: r["fds"]))
print(line("threads", lambda r: r["threads"]))
print(line("cached data (MiB)", lambda r: f"{int(r['memory_bytes']) / 1048576:.1f}"))
print(line("requests so far", lambda r: r["requests"]))

# RSS over time, one row per STEP/2 seconds (each the row's highest sample).
print()
rows = [r for r in rows if float(r["t_s"]) >= curve_from]
lo = min(int(r["rss_kib"]) for r in rows) / 1024
hi = max(int(r["rss_kib"]) for r in rows) / 1024
width = 50
bucket, start = [], float(rows[0]["t_s"])
print("```")
print(f"RSS (MiB), the highest sample of every {step / 2:.0f} s; bar from {lo:.1f} to {hi:.1f}")
for r in rows + [None]:
    if r is not None and float(r["t_s"]) < start + step / 2:
        bucket.append(int(r["rss_kib"]) / 1024)
        continue
    if bucket:
        v = max(bucket)
        n = int(round((v - lo) / (hi - lo) * width)) if hi > lo else 0
        print(f"{start:6.0f} s {v:6.1f} |{'#' * n}")
    if r is None:
        break
    start = float(r["t_s"])
    bucket = [int(r["rss_kib"]) / 1024]
print("```")

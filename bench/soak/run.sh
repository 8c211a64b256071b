#!/usr/bin/env bash
# Soak: `finex serve` (its default store) in front of `finex sim` under a mixed
# load for a while, sampling the server's RSS, open descriptors and threads.
#
#   bench/soak/run.sh [path/to/finex] [seconds=1800] [sample_every_s=5] [out.csv]
#
# Load (bench/soak/load.py, 8 client threads): cached quotes and histories
# (hits), histories of ever new symbols and ranges (misses), warm jobs,
# invalidations, and provider faults switched on and off in the simulator
# (errors and outages for 10 s of every 60 s). At the end it prints the
# samples and checks: after the warm-up (the first SOAK_WARMUP of the run,
# default 0.2; the cache fills up to its memory budget meanwhile) RSS, fds
# and threads grew < 5%, and every non-2xx answer is one the faults explain
# (429/502/503/504 while a fault was active, or 404 for the unknown symbols
# the load asks for on purpose). Exit status 1 when a check fails.
set -euo pipefail
FINEX=${1:-$(dirname "$0")/../../build/release/finex}
SECS=${2:-1800}
EVERY=${3:-5}
OUT=${4:-}
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -x "$FINEX" ] || { echo "finex binary not found at $FINEX"; exit 1; }
WORK=$(mktemp -d)
SIM_PORT=${SIM_PORT:-19300}
PORT=${FINEX_PORT:-18380}
cleanup() {
  for p in ${LOAD_PID:-} ${SERVE_PID:-} ${SIM_PID:-}; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_for() {
  for _ in $(seq 1 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1"; cat "$1"; exit 1
}
"$FINEX" sim --listen 127.0.0.1:$SIM_PORT 2>"$WORK/sim.log" &
SIM_PID=$!
wait_for "$WORK/sim.log" listening
# A small memory budget so the cache reaches its steady state early.
FINEX_CACHE__MAX_MEMORY_MB=${SOAK_MEMORY_MB:-32} FINEX_ADMIN_TOKEN=soak XDG_CONFIG_HOME="$WORK" \
  XDG_CACHE_HOME="$WORK" "$FINEX" serve \
  --listen 127.0.0.1:$PORT --sim http://127.0.0.1:$SIM_PORT 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on"

python3 "$HERE/load.py" 127.0.0.1 $PORT $SIM_PORT "$SECS" soak >"$WORK/load.log" 2>&1 &
LOAD_PID=$!
csv="$WORK/samples.csv"
echo "t_s,rss_kib,fds,threads" >"$csv"
t0=$(date +%s)
while kill -0 $LOAD_PID 2>/dev/null; do
  kill -0 $SERVE_PID 2>/dev/null || { echo "finex serve died"; cat "$WORK/serve.log"; exit 1; }
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$SERVE_PID/status)
  thr=$(awk '/^Threads/ {print $2}' /proc/$SERVE_PID/status)
  fds=$(ls /proc/$SERVE_PID/fd | wc -l)
  echo "$(( $(date +%s) - t0 )),$rss,$fds,$thr" >>"$csv"
  sleep "$EVERY"
done
set +e
wait $LOAD_PID
load_rc=$?
set -e
LOAD_PID=
cat "$WORK/load.log"
[ -n "$OUT" ] && cp "$csv" "$OUT"
python3 - "$csv" "$SECS" "${SOAK_WARMUP:-0.2}" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
secs, warmup = float(sys.argv[2]), float(sys.argv[3])
warm = [r for r in rows if float(r["t_s"]) >= warmup * secs]
if len(warm) < 2:
    print("soak: too few samples after warm-up"); sys.exit(1)
bad = 0
for k in ("rss_kib", "fds", "threads"):
    first, last = float(warm[0][k]), float(warm[-1][k])
    peak = max(float(r[k]) for r in warm)
    growth = (last - first) / first if first else 0
    print(f"soak: {k}: after warm-up {first:.0f} -> {last:.0f} (peak {peak:.0f}), growth {growth*100:+.1f}%")
    # fds/threads: absolute slack of 8 (a provider connection or worker more is not a leak)
    if growth >= 0.05 and not (k != "rss_kib" and last - first <= 8):
        bad += 1
print("soak: samples (t_s rss_kib fds threads):")
for r in rows:
    print(f"  {r['t_s']:>6} {r['rss_kib']:>8} {r['fds']:>5} {r['threads']:>4}")
sys.exit(1 if bad else 0)
PY
[ "$load_rc" = 0 ] || { echo "soak: unexplained error answers (see above)"; exit 1; }
echo "soak: ok"

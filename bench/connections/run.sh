#!/usr/bin/env bash
# Connection capacity of one node: `finex serve` holding N idle keep-alive
# connections while cached answers keep flowing on other connections.
#
#   bench/connections/run.sh [path/to/finex] [connections=19000] [seconds=5]
#
# Starts `finex sim` and `finex serve --sim` (its default threads and
# max_connections), warms a quote, then:
#   1. measures the cached-quote rate on 16 fresh keep-alive connections
#      (hold.py rate) with no idle connections open;
#   2. opens N connections from a separate process (hold.py hold), each
#      sending one cached request and then staying idle, and samples the
#      server's RSS, open descriptors and threads before and after;
#   3. measures the cached-quote rate again with the N connections open and
#      checks every idle connection is still open and answers once more.
# Prints memory per idle connection (RSS delta / N) and the rate ratio.
# Needs a descriptor limit above N + 300 for both processes (this machine: 20000).
set -euo pipefail
FINEX=${1:-$(dirname "$0")/../../build/release/finex}
N=${2:-19000}
SECS=${3:-5}
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -x "$FINEX" ] || { echo "finex binary not found at $FINEX"; exit 1; }
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d)
SIM_PORT=${SIM_PORT:-19200}
PORT=${FINEX_PORT:-18280}
cleanup() {
  for p in ${HOLD_PID:-} ${SERVE_PID:-} ${SIM_PID:-}; do kill "$p" 2>/dev/null || true; done
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
XDG_CONFIG_HOME="$WORK" XDG_CACHE_HOME="$WORK" "$FINEX" serve --listen 127.0.0.1:$PORT \
  --sim http://127.0.0.1:$SIM_PORT 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on"
QUOTE="/v1/quote?symbols=AAPL"
for _ in 1 2 3; do curl -fsS "http://127.0.0.1:$PORT$QUOTE" -o /dev/null; done

sample() {  # rss_kib fds threads
  local rss thr fds
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$SERVE_PID/status)
  thr=$(awk '/^Threads/ {print $2}' /proc/$SERVE_PID/status)
  fds=$(ls /proc/$SERVE_PID/fd | wc -l)
  echo "$rss $fds $thr"
}
read -r rss0 fds0 thr0 < <(sample)
rate0=$(python3 "$HERE/hold.py" rate 127.0.0.1 $PORT "$QUOTE" "$SECS")
echo "no idle connections: rss ${rss0} KiB, ${fds0} fds, ${thr0} threads; cached quote ${rate0} req/s"

python3 "$HERE/hold.py" hold 127.0.0.1 $PORT "$QUOTE" "$N" "$WORK/hold.ready" "$WORK/hold.go" \
  >"$WORK/hold.log" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 1200); do
  [ -f "$WORK/hold.ready" ] && break
  kill -0 $HOLD_PID 2>/dev/null || { cat "$WORK/hold.log"; exit 1; }
  sleep 0.1
done
[ -f "$WORK/hold.ready" ] || { echo "holder did not get ready"; cat "$WORK/hold.log"; exit 1; }
cat "$WORK/hold.ready"
read -r rss1 fds1 thr1 < <(sample)
rate1=$(python3 "$HERE/hold.py" rate 127.0.0.1 $PORT "$QUOTE" "$SECS")
echo "$N idle connections: rss ${rss1} KiB, ${fds1} fds, ${thr1} threads; cached quote ${rate1} req/s"
touch "$WORK/hold.go"  # every idle connection asks once more, then the holder exits
wait $HOLD_PID
HOLD_PID=
cat "$WORK/hold.log"
python3 - "$rss0" "$rss1" "$N" "$rate0" "$rate1" <<'PY'
import sys
rss0, rss1, n, r0, r1 = (float(x) for x in sys.argv[1:])
print(f"memory per idle connection: {(rss1 - rss0) * 1024 / n:.0f} bytes (RSS delta {rss1 - rss0:.0f} KiB / {n:.0f})")
print(f"cached quote rate with them open: {r1 / r0:.2f} of the rate with none")
print(f"nodes for 100,000 concurrent clients at {n:.0f} per node: {-(-100000 // int(n))}")
PY

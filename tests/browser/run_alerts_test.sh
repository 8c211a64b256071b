#!/usr/bin/env bash
# The live page shows an active alert (CTest: server_dashboard_alert_browser).
# Starts `finex sim` and `finex serve --sim` with a 1 MiB memory budget and a
# 1% memory alert ratio, caches one history so FinexMemoryHigh fires, waits
# for it in /v1/cache/alerts, then checks the page in headless Chromium
# (alerts.mjs: listed, and visible in a screenshot). Exits 77 (skipped) when
# chromium, node or playwright-core are not available.
set -uo pipefail
FINEX=${1:?usage: run_alerts_test.sh path/to/finex [screenshot.png]}
HERE=$(cd "$(dirname "$0")" && pwd)
SHOT=${2:-$PWD/dashboard_alert.png}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then echo "SKIP: $CHROMIUM not installed (apt-get install chromium)"; exit 77; fi
if ! command -v node >/dev/null; then echo "SKIP: node not installed"; exit 77; fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  (cd "$HERE" && npm install --no-audit --no-fund >/dev/null 2>&1) || { echo "SKIP: cannot install playwright-core"; exit 77; }
fi

WORK=$(mktemp -d)
cleanup() {
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null
  [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_for() {  # file pattern
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "FAIL: timed out waiting for '$2' in $1"; cat "$1"; return 1
}

"$FINEX" sim --listen 127.0.0.1:0 2>"$WORK/sim.log" &
SIM_PID=$!
wait_for "$WORK/sim.log" "listening" || exit 1
SIM_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/sim.log" | head -1)
XDG_CONFIG_HOME="$WORK" XDG_CACHE_HOME="$WORK" "$FINEX" serve --listen 127.0.0.1:0 --sim "$SIM_URL" \
  --set cache.max_memory_mb=1 --set monitoring.memory_alert_ratio=0.01 \
  --set monitoring.alert_eval_interval_ms=100 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on" || exit 1
BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -1)

curl -fsS "$BASE/v1/history?symbols=AAPL,MSFT&start=2020-01-02&end=2024-03-28" >/dev/null || { echo "FAIL: history"; exit 1; }
for _ in $(seq 1 100); do
  curl -fsS "$BASE/v1/cache/alerts" | grep -q FinexMemoryHigh && break
  sleep 0.1
done
curl -fsS "$BASE/v1/cache/alerts" | grep -q FinexMemoryHigh ||
  { echo "FAIL: FinexMemoryHigh did not fire"; curl -sS "$BASE/v1/cache/stats"; exit 1; }

node "$HERE/alerts.mjs" "$BASE" FinexMemoryHigh "$SHOT"
rc=$?
[ $rc -eq 0 ] && echo "PASS: the live page shows the active alert; screenshot $SHOT"
exit $rc

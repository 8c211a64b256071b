#!/usr/bin/env bash
# Live checks of the operations files (CTest: ops_metrics_and_dashboard):
# starts redis-server, `finex sim` and `finex serve` (Redis backend, so the
# backend-health families exist) on free loopback ports, makes requests so
# every family has samples, scrapes /metrics and then
#   1. `promtool check metrics` must print nothing (no lint warning at all);
#   2. tests/ops/dashboard_check.mjs checks deploy/grafana/finex.json against
#      Grafana's model and that every query (and every rule expression) uses
#      a metric in the scrape or a recording rule of finex-rules.yml.
# Exits 77 (skipped) without promtool, node or redis-server.
set -uo pipefail
FINEX=${1:?usage: run_ops_test.sh path/to/finex}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for tool in promtool node redis-server curl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

WORK=$(mktemp -d)
cleanup() {
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null
  [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_for() {  # file pattern
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "FAIL: timed out waiting for '$2' in $1"; cat "$1"; return 1
}

# redis-server on a free loopback port: a random port, again if it was taken.
for _ in 1 2 3 4 5; do
  REDIS_PORT=$((20000 + RANDOM % 30000))
  (echo >"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && continue
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  wait_for "$WORK/redis.log" "Ready to accept" >/dev/null && break
  kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=
done
[ -n "${REDIS_PID:-}" ] || { echo "FAIL: redis-server did not start"; cat "$WORK/redis.log"; exit 1; }

"$FINEX" sim --listen 127.0.0.1:0 2>"$WORK/sim.log" &
SIM_PID=$!
wait_for "$WORK/sim.log" "listening" || exit 1
SIM_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/sim.log" | head -1)
XDG_CONFIG_HOME="$WORK" XDG_CACHE_HOME="$WORK" "$FINEX" serve --listen 127.0.0.1:0 --sim "$SIM_URL" \
  --set cache.backend=redis --set "backends.redis.url=redis://127.0.0.1:$REDIS_PORT/0" \
  2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on" || exit 1
BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -1)

for i in 1 2; do
  curl -fsS "$BASE/v1/history?symbols=AAPL,MSFT&start=2024-01-02&end=2024-03-28" >/dev/null || echo "history failed"
  curl -fsS "$BASE/v1/quote?symbols=AAPL" >/dev/null || echo "quote failed"
done
curl -sS "$BASE/v1/history?symbols=AAPL&interval=7x" >/dev/null
curl -fsS "$BASE/metrics" >"$WORK/metrics.txt" || { echo "FAIL: /metrics"; exit 1; }

fail=0
lint=$(promtool check metrics <"$WORK/metrics.txt" 2>&1)
if [ $? -ne 0 ] || [ -n "$lint" ]; then
  echo "FAIL: promtool check metrics:"; echo "$lint"; fail=1
else
  echo "PASS: promtool check metrics: no warnings ($(grep -c '^# TYPE' "$WORK/metrics.txt") families)"
fi
node "$HERE/dashboard_check.mjs" "$ROOT/deploy/grafana/finex.json" "$WORK/metrics.txt" \
  "$ROOT/deploy/prometheus/finex-rules.yml" || fail=1
exit $fail

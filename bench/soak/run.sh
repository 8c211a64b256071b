#!/usr/bin/env bash
# Soak: `finex serve --sim` with a Redis store (memory L1 in front) under a
# mixed load, with provider faults and Redis restarts, sampling the server's
# RSS, open descriptors and threads.
#
#   bench/soak/run.sh [path/to/finex] [seconds=1800] [sample_every_s=5] [out.csv]
#
# Everything runs on loopback with free ports: `finex sim`, a redis-server
# (no persistence; SIGKILLed and restarted every SOAK_REDIS_EVERY s, default
# 60, down SOAK_REDIS_DOWN s, default 5) and `finex serve` with
# cache.max_memory_mb = SOAK_MEMORY_MB (default 32) and yahoo's client-side
# rate limit raised to 6000/min so misses are not throttled to one a second
# (the simulator does not limit unless told to), and its circuit breaker
# open for 5 s instead of 30 after a fault (so the provider works most of
# each minute). SOAK_REDIS=0 (or no redis-server on PATH) soaks the memory
# store without restarts; SOAK_REDIS=1 requires Redis (exit 77 without it).
# bench/soak/load.py drives the load (at most SOAK_RATE requests/s, default
# 300; universe of SOAK_SYMBOLS x 20 years, default 200), the faults and the
# restarts, samples, and checks (see its docstring): steady state = from
# SOAK_SETTLE s (default 60) after memory_bytes first reaches 90% of the
# budget; then RSS, fds and threads grow < 5% and every non-2xx answer is one
# a fault explains. Exit status 1 when a check fails.
set -euo pipefail
FINEX=${1:-$(dirname "$0")/../../build/release/src/finex/cli/finex}
SECS=${2:-1800}
EVERY=${3:-5}
OUT=${4:-}
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -x "$FINEX" ] || { echo "finex binary not found at $FINEX"; exit 1; }
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SIM_PORT=$(free_port)
PORT=$(free_port)
REDIS_PORT=0
cleanup() {
  for p in ${SERVE_PID:-} ${SIM_PID:-}; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
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

store_env=()
redis_args=()
if [ "${SOAK_REDIS:-auto}" = 1 ] && ! command -v redis-server >/dev/null; then
  echo "soak: SOAK_REDIS=1 but redis-server is not on PATH: skipped"; exit 77
fi
if [ "${SOAK_REDIS:-auto}" != 0 ] && command -v redis-server >/dev/null; then
  REDIS_PORT=$(free_port)
  mkdir -p "$WORK/redis"
  redis_cmd=(redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no
    --dir "$WORK/redis" --daemonize no --protected-mode no --logfile "$WORK/redis/redis.log"
    --maxmemory 256mb --maxmemory-policy allkeys-lru)
  "${redis_cmd[@]}" &
  echo $! >"$WORK/redis.pid"
  for _ in $(seq 1 200); do
    python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$REDIS_PORT),1); s.sendall(b'PING\r\n'); sys.exit(0 if s.recv(8).startswith(b'+PONG') else 1)" 2>/dev/null && break
    sleep 0.05
  done
  store_env=(FINEX_CACHE__BACKEND=redis FINEX_BACKENDS__REDIS__URL=redis://127.0.0.1:$REDIS_PORT/0)
  redis_args=(--redis-port "$REDIS_PORT" --redis-pidfile "$WORK/redis.pid"
    --redis-cmd "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${redis_cmd[@]}")"
    --redis-every "${SOAK_REDIS_EVERY:-60}" --redis-down "${SOAK_REDIS_DOWN:-5}")
  echo "soak: store redis on 127.0.0.1:$REDIS_PORT (restarted every ${SOAK_REDIS_EVERY:-60} s)"
else
  echo "soak: store memory (no redis-server or SOAK_REDIS=0: no Redis restarts)"
fi

env ${store_env[@]+"${store_env[@]}"} FINEX_CACHE__MAX_MEMORY_MB=${SOAK_MEMORY_MB:-32} \
  FINEX_PROVIDERS__YAHOO__RATE_LIMIT_PER_MIN=6000 FINEX_PROVIDERS__YAHOO__BREAKER_OPEN_MS=5000 \
  FINEX_ADMIN_TOKEN=soak \
  XDG_CONFIG_HOME="$WORK" XDG_CACHE_HOME="$WORK" "$FINEX" serve \
  --listen 127.0.0.1:$PORT --sim http://127.0.0.1:$SIM_PORT 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on"
echo "soak: finex serve pid $SERVE_PID, budget ${SOAK_MEMORY_MB:-32} MiB, ${SECS} s, sampled every ${EVERY} s"

set +e
python3 "$HERE/load.py" --port "$PORT" --sim-port "$SIM_PORT" --pid "$SERVE_PID" \
  --seconds "$SECS" --every "$EVERY" --rate "${SOAK_RATE:-300}" --symbols "${SOAK_SYMBOLS:-200}" \
  --settle "${SOAK_SETTLE:-60}" --csv "$WORK/samples.csv" ${redis_args[@]+"${redis_args[@]}"}
rc=$?
set -e
[ -n "$OUT" ] && cp "$WORK/samples.csv" "$OUT"
if ! kill -0 "$SERVE_PID" 2>/dev/null; then
  echo "soak: finex serve died"; tail -n 20 "$WORK/serve.log"; exit 1
fi
exit $rc
